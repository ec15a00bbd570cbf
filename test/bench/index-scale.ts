// `npx tsx test/bench/index-scale.ts --image F [--backed] [--cache MiB] [--order a,b] [--thread] [--hash]`: a batch end's search index and index rebuilds alone, CPU and page reads per step, on a saved workspace.
import { createHash } from 'node:crypto';
import { openSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { dropIndexes } from '../../core/ingest/bulk.js';
import { rebuildDirtyChunks, startRebuild } from '../../core/store/device-text.js';
import type { HostFile } from '../../core/store/db.js';
import { restoreIndex } from '../../core/store/staging.js';
import { openWorkspace } from '../../core/workspace.js';
import { backTempFiles, descriptorFile, workDir } from '../../electron/node/host-file.js';
import { loadSqlJs } from '../../electron/node/sqljs.js';
import { diskReader, markOnDisk } from '../../electron/node/read-thread.js';
import { mainThreadCpuMs, rss, time } from './measure.js';

const { values } = parseArgs({
  options: {
    image: { type: 'string' },
    // The working database on disk, as the CLI and the bench's import keep it (else in sql.js's memory).
    backed: { type: 'boolean' },
    cache: { type: 'string' },
    order: { type: 'string' },
    skip: { type: 'string' },
    // A hash of the search index's rows after the build, to compare two builds' bytes.
    hash: { type: 'boolean' },
    // The search index emptied first (outside the timing), as a first import finds it.
    fresh: { type: 'boolean' },
    // The search index's chunks built in a reading thread while the index rebuilds run, as an import's batch end does.
    thread: { type: 'boolean' },
  },
});
if (!values.image) throw new Error('--image F');
const SQL = await loadSqlJs();
const reads = { db: 0, temp: 0 };
const counted = (f: HostFile, k: 'db' | 'temp'): HostFile => ({
  ...f,
  read: (into, p) => (reads[k]++, f.read(into, p)),
});
let backing: HostFile | null = null;
if (values.backed) {
  const work = workDir();
  const temp = work.tempFile.bind(work);
  work.tempFile = () => counted(temp(), 'temp');
  backTempFiles(SQL, work);
  const copy = await work.copyOf(values.image);
  backing = counted(
    descriptorFile(openSync(copy, 'r+'), () => work.remove(copy)),
    'db',
  );
}
const ws = await openWorkspace({
  SQL,
  ...(backing ? { backing } : { bytes: (await import('node:fs')).readFileSync(values.image) }),
  keyMaterial: new Uint8Array(32).fill(7),
  now: () => Date.UTC(2024, 6, 24),
  actor: 'bench',
});
const db = ws.db;
const cache = Number(values.cache ?? 128);
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
const rows: string[] = [];
const step = (name: string, fn: () => void) => {
  const r0 = { ...reads };
  const t = time(fn);
  rows.push(
    `${name.padEnd(28)} cpu ${String(t.cpu).padStart(6)} ms  wall ${t.ms.toFixed(0).padStart(6)} ms  db reads ${reads.db - r0.db}  temp reads ${reads.temp - r0.temp}`,
  );
  return t.cpu;
};
const skip = new Set((values.skip ?? '').split(',').filter(Boolean));
let total = 0;
// A reading thread, started as an import starts it: by reading a file (a header refused at once).
const reader = values.thread ? diskReader() : null;
if (reader) {
  const file = new File(['x\n'], 'x.csv');
  markOnDisk(file, new URL(import.meta.url).pathname);
  const sink = { header: () => false, rows: async () => undefined };
  await reader.read(file, { encoding: null, bom: false, bytes: 0, sha256: null, notes: [] }, {}, sink, []);
}
await db.withCacheAsync(cache, () =>
  db.txAsync(async () => {
    db.run('INSERT OR IGNORE INTO device_text_dirty(chunk) SELECT DISTINCT id >> 16 FROM devices');
    if (values.fresh) db.run('DELETE FROM device_text_grams; DELETE FROM device_text_order');
    const defs = [...dropIndexes(ws, 'fleet'), ...dropIndexes(ws, 'keys'), ...dropIndexes(ws, 'rollout')];
    const order = values.order ? values.order.split(',') : [];
    defs.sort((a, b) => {
      const x = order.indexOf(a.name);
      const y = order.indexOf(b.name);
      return (x < 0 ? 1e9 : x) - (y < 0 ? 1e9 : y);
    });
    if (reader) {
      // The sql.js thread's own CPU: reading and handing the text over, then (after the index rebuilds) the writes.
      const m0 = mainThreadCpuMs()!;
      const t0 = performance.now();
      const search = startRebuild(db, reader.chunks);
      const m1 = mainThreadCpuMs()!;
      for (const d of defs) if (!skip.has(d.name)) total += step(d.name, () => restoreIndex(db, d));
      const m2 = mainThreadCpuMs()!;
      await search.finish();
      const m3 = mainThreadCpuMs()!;
      rows.push(
        `search in the reading thread: sql.js thread cpu ${m1 - m0} ms (read, hand over) + ${m3 - m2} ms (wait, write); all steps wall ${(performance.now() - t0).toFixed(0)} ms`,
      );
      total += m1 - m0 + m3 - m2;
      reader.close();
    } else {
      if (!skip.has('search')) total += step('search', () => rebuildDirtyChunks(db));
      for (const d of defs) if (!skip.has(d.name)) total += step(d.name, () => restoreIndex(db, d));
    }
  }),
);
console.log(rows.join('\n'));
console.log(`total cpu ${total} ms, peak rss ${rss()} MiB, cache ${cache} MiB, backed ${!!backing}, load ${load()}`);
if (values.hash) {
  const h = createHash('sha256');
  for (const sql of ['SELECT * FROM device_text_grams ORDER BY rowid', 'SELECT * FROM device_text_order ORDER BY id']) {
    const st = db.prepare(sql);
    while (st.step()) for (const v of st.get()) h.update(v instanceof Uint8Array ? v : `${typeof v}:${String(v)}|`);
    st.free();
  }
  console.log(`search index ${h.digest('hex').slice(0, 16)}`);
}
db.close();
