// The import path runs one way: index → pipeline → sniff → readers → (sink) → writers → store, never back up.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.posix.join(dir, name);
    return statSync(path.join(root, rel)).isDirectory() ? files(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

/** The repository-relative files a module imports or re-exports (relative specifiers only, `.js` read as `.ts`). */
export function importsOf(rel: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms))
    out.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1]!.replace(/\.js$/, '.ts'))));
  return out;
}

/** Per layer: the ingest modules it must not reach (each one is a later stage, or the stage that drives it). */
const FORBIDDEN: [layer: RegExp, forbidden: RegExp, why: string][] = [
  [
    /^core\/ingest\/readers\//,
    /^core\/ingest\/(index|pipeline|probe|sniff|report|bulk|batch|handlers)\.ts$|^core\/ingest\/writers\//,
    'a reader hands rows to its sink; it never calls the pipeline or a writer',
  ],
  [
    /^core\/ingest\/writers\//,
    /^core\/ingest\/(index|pipeline|probe|sniff|report|bulk|batch|handlers)\.ts$|^core\/ingest\/readers\//,
    'a writer takes rows; it never reads files or calls the pipeline',
  ],
  [
    /^core\/ingest\/sniff\.ts$/,
    /^core\/ingest\/(index|pipeline|probe|report|bulk|batch|handlers)\.ts$|^core\/ingest\/writers\//,
    'the sniff chooses a reader; what the rows become is the pipeline’s and the writers’ business',
  ],
  [
    /^core\/ingest\/(?!index\.ts$)/,
    /^core\/ingest\/index\.ts$/,
    'the barrel is for callers outside ingest; inside, modules import what they use',
  ],
  [/^core\/store\//, /^core\/ingest\//, 'repositories sit below the features that call them'],
];

export function violations(sources: [rel: string, text: string][]): string[] {
  const out: string[] = [];
  for (const [rel, text] of sources)
    for (const dep of importsOf(rel, text))
      for (const [layer, forbidden, why] of FORBIDDEN)
        if (layer.test(rel) && forbidden.test(dep)) out.push(`${rel} imports ${dep}: ${why}`);
  return out;
}

describe('the ingest layout', () => {
  const sources = [...files('core/ingest'), ...files('core/store')].map(
    (f) => [f, readFileSync(path.join(root, f), 'utf8')] as [string, string],
  );

  it('reads relative imports and re-exports as repository paths', () => {
    expect(
      importsOf(
        'core/ingest/readers/zip.ts',
        "import type { CsvSink } from '../rows.js';\nimport {\n  a,\n  b,\n} from './csv.js';\nexport { c } from '../../store/keys.js';",
      ),
    ).toEqual(['core/ingest/rows.ts', 'core/ingest/readers/csv.ts', 'core/store/keys.ts']);
  });

  it('finds a reader that calls a writer, and a repository that imports ingest', () => {
    expect(
      violations([
        ['core/ingest/readers/csv.ts', "import { fleetWriter } from '../writers/fleet.js';"],
        ['core/store/keys.ts', "import { normKeyId } from '../ingest/keys.js';"],
        ['core/ingest/writers/keys.ts', "import { normKeyId } from '../keys.js';"],
      ]),
    ).toEqual([
      'core/ingest/readers/csv.ts imports core/ingest/writers/fleet.ts: a reader hands rows to its sink; it never calls the pipeline or a writer',
      'core/store/keys.ts imports core/ingest/keys.ts: repositories sit below the features that call them',
    ]);
  });

  it('has no import running back up the import path', () => {
    expect(violations(sources)).toEqual([]);
  });

  it('every ingest module imports only files that exist', () => {
    const have = new Set(sources.map(([f]) => f));
    const missing = sources.flatMap(([rel, text]) =>
      importsOf(rel, text)
        .filter((d) => d.startsWith('core/ingest/') || d.startsWith('core/store/'))
        .filter((d) => !have.has(d))
        .map((d) => `${rel} → ${d}`),
    );
    expect(missing).toEqual([]);
  });
});
