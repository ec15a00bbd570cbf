// Byte-identical analysis: the sample and the ingest fixtures give the dump main's code wrote (UPDATE_GOLDEN=1 rewrites it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFile } from '../../../../core/ingest/index.js';
import { loadSample } from '../../../../core/sample/handlers.js';
import { sampleImportInput } from '../../../../core/sample/index.js';
import { openWorkspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { fixtures } from '../../../fixtures/ingest/generate.js';
import { dumpAnalysis } from './analysis-dump.js';
import { emptyWorkspace } from './fixtures.js';

const GOLDEN = path.resolve('test/fixtures/analysis-dump');
const update = process.env.UPDATE_GOLDEN === '1';

function compare(name: string, dump: unknown) {
  const file = path.join(GOLDEN, `${name}.json`);
  const text = `${JSON.stringify(dump, null, 1)}\n`;
  if (update) writeFileSync(file, text);
  expect(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1 on main's code`).toBe(true);
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

describe('analysis dump against the committed one', () => {
  it('the sample incident', async () => {
    const ws = await emptyWorkspace();
    await loadSample(ws, { devices: 3000, seed: 11 });
    compare('sample-3000-11', dumpAnalysis(ws));
  }, 180_000);

  it('the ingest fixtures, imported onto the sample Falcon and Intune exports', async () => {
    const OPTS = { devices: 400, seed: 777 };
    const ws = await openWorkspace({
      SQL: await loadSqlJs(),
      keyMaterial: new Uint8Array(32).fill(7),
      now: () => 0,
    });
    for (const name of ['falcon-hosts.csv', 'intune-devices.csv'] as const)
      await importFile(ws, sampleImportInput(name, OPTS));
    for (const f of fixtures(OPTS)) await importFile(ws, inputFromBytes(f.name, f.bytes));
    compare('fixtures-400-777', dumpAnalysis(ws));
  }, 180_000);

  it('name-only joins listed for review: Intune rows whose serial differs from Falcon', async () => {
    const OPTS = { devices: 400, seed: 778 };
    const ws = await openWorkspace({
      SQL: await loadSqlJs(),
      keyMaterial: new Uint8Array(32).fill(7),
      now: () => 0,
    });
    await importFile(ws, sampleImportInput('falcon-hosts.csv', OPTS));
    const intune = fixtures(OPTS).find((f) => f.format === 'intune' && f.name.endsWith('.csv'))!;
    const lines = new TextDecoder().decode(intune.bytes).split('\n');
    const serialCol = lines[0]!.split(',').findIndex((h) => /^serial ?number$/i.test(h.replace(/^\uFEFF/, '')));
    expect(serialCol).toBeGreaterThan(0);
    let changed = 0;
    for (let i = 1; i < lines.length; i++) {
      if (i % 7 !== 3 || lines[i]!.includes('"')) continue;
      const cells = lines[i]!.split(',');
      cells[serialCol] = `NOMATCH${i}`;
      lines[i] = cells.join(',');
      changed++;
    }
    await importFile(ws, inputFromBytes('intune-changed.csv', new TextEncoder().encode(lines.join('\n'))));
    const dump = dumpAnalysis(ws);
    // Each changed row joined its Falcon record by name alone: one review item per changed row, at most.
    expect(dump.review.length).toBeGreaterThan(changed / 2);
    expect(dump.review.length).toBeLessThanOrEqual(changed);
    compare('review-400-778', dump);
  }, 180_000);
});
