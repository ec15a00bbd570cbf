// `npx tsx test/bench/memory-probe.ts <folder of sample CSVs>`: one batch import, memory by phase and statement.
// Each line: peak and current RSS, JS heap, sql.js's wasm heap, the database's size and the MEMFS files now (MiB),
// at each change of phase, of MEMFS files, and after each statement run through Db that raised the peak.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memoryParts, watchMemory } from './memory.js';

watchMemory();
const { importFiles } = await import('../../core/ingest/index.js');
const { openWorkspace } = await import('../../core/workspace.js');
const { fileInput } = await import('../../electron/cli/import.js');
const { diskReader } = await import('../../electron/node/read-thread.js');
const { loadSqlJs } = await import('../../electron/node/sqljs.js');
const { WorkspaceStorage } = await import('../../electron/storage.js');

const MiB = 1 << 20;
const rssNow = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
const peak = () => process.resourceUsage().maxRSS / 1024;
let dbMiB = () => '-';
const n = (x: number) => x.toFixed(0).padStart(5);
function snap(label: string) {
  const p = memoryParts();
  console.log(
    `${label.padEnd(46).slice(0, 46)} peak ${n(peak())} rss ${n(rssNow())} heap ${n(process.memoryUsage().heapUsed / MiB)} wasm ${n(p.wasmMiB)} db ${dbMiB()} memfs [${p.liveMiB
      .filter((x) => x >= 8)
      .map((x) => x.toFixed(0))
      .join(', ')}]`,
  );
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: memory-probe.ts <folder of sample CSVs>');
const ws = await openWorkspace({
  SQL: await loadSqlJs(),
  keyMaterial: new Uint8Array(32).fill(7),
  now: () => Date.UTC(2024, 6, 24),
  actor: 'probe',
});
dbMiB = () => n(((ws.db.value<number>('PRAGMA page_count') ?? 0) * 4096) / MiB);
snap('opened');
const raw = ws.db.raw as unknown as Record<'run' | 'exec', (...a: unknown[]) => unknown>;
for (const k of ['run', 'exec'] as const) {
  const orig = raw[k].bind(raw);
  raw[k] = (...a: unknown[]) => {
    const before = peak();
    const out = orig(...a);
    if (peak() - before > 15) snap(`  +${(peak() - before).toFixed(0)} ${String(a[0]).replace(/\s+/g, ' ')}`);
    return out;
  };
}
const inputs = await Promise.all(
  readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .map((f) => fileInput(path.join(dir, f))),
);
const reader = diskReader();
let phase = '';
let files = '';
await importFiles(ws, inputs, {
  reader: reader.read,
  chunks: reader.chunks,
  onProgress: (p) => {
    const now = memoryParts()
      .liveMiB.filter((x) => x >= 8)
      .map((x) => x.toFixed(0))
      .join();
    const ph = p.phase.replace(/\d+/g, '#');
    if (ph === phase && now === files) return;
    [phase, files] = [ph, now];
    snap(`${p.phase} ${p.done}/${p.total}`);
  },
}).finally(() => reader.close());
snap('imported');
const out = mkdtempSync(path.join(os.tmpdir(), 'memory-probe-'));
try {
  await new WorkspaceStorage().save(path.join(out, 'probe.ringside'), ws.db, 0);
  snap('saved (streamed)');
} finally {
  rmSync(out, { recursive: true, force: true });
}
