// `npx tsx test/bench/analysis-scale.ts --build N --image F` / `--image F`: a batch end's steps (search index, facts,
// evidence, states, summaries, index rebuilds) timed on a saved workspace, again and again, without the import.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { recompute } from '../../core/analysis/recompute.js';
import { READ_BY_ANALYSIS } from '../../core/ingest/batch-end.js';
import { dropIndexes } from '../../core/ingest/bulk.js';
import { importFiles } from '../../core/ingest/pipeline.js';
import { rebuildDirtyChunks } from '../../core/store/device-text.js';
import { restoreIndex } from '../../core/store/staging.js';
import { openWorkspace } from '../../core/workspace.js';
import type { HostFile } from '../../core/store/db.js';
import { fileInput } from '../../electron/cli/import.js';
import { backTempFiles, descriptorFile, workDir } from '../../electron/node/host-file.js';
import { writeSampleFiles } from '../../electron/cli/sample.js';
import { loadSqlJs } from '../../electron/node/sqljs.js';
import { time } from './measure.js';

const { values } = parseArgs({
  options: {
    build: { type: 'string' },
    image: { type: 'string' },
    dir: { type: 'string' },
    backed: { type: 'boolean' },
  },
});
/** Node's whole-file reads and writes stop at 2 GiB; a million devices' image is more: in slices. */
const SLICE = 1 << 30;
const image = values.image ?? path.join(os.tmpdir(), 'ringside-analysis.db');
const SQL = await loadSqlJs();
const open = (bytes?: Uint8Array, backing?: HostFile) =>
  openWorkspace({
    SQL,
    ...(bytes ? { bytes } : {}),
    ...(backing ? { backing } : {}),
    keyMaterial: new Uint8Array(32).fill(7),
    now: () => Date.UTC(2024, 6, 24),
    actor: 'bench',
  });

if (values.build) {
  const n = Number(values.build);
  const dir = values.dir ?? path.join(os.tmpdir(), `ringside-analysis-${n}`);
  const { files } = existsSync(path.join(dir, 'ground-truth.json'))
    ? {
        files: ['falcon-hosts.csv', 'intune-devices.csv', 'bitlocker-keys.csv', 'rollout-events.csv'].map((f) => ({
          path: path.join(dir, f),
        })),
      }
    : await writeSampleFiles(dir, { devices: n, seed: 1907 });
  // --backed: imported into the image file itself (the working database on disk, as the CLI keeps it), for sizes
  // whose image and its export() copy would not both fit in memory.
  if (values.backed) backTempFiles(SQL, workDir());
  const ws = await open(undefined, values.backed ? descriptorFile(openSync(image, 'w+')) : undefined);
  const steps: Record<string, number> = {};
  const inputs = await Promise.all(files.filter((f) => f.path.endsWith('.csv')).map((f) => fileInput(f.path)));
  const t0 = performance.now();
  await importFiles(ws, inputs, { timings: steps });
  console.log(`import ${(performance.now() - t0).toFixed(0)} ms`, steps);
  if (!values.backed) writeImage(image, ws.db.export());
  console.log(`fingerprint ${fingerprint(ws.db)}`);
  ws.db.close();
  process.exit(0);
}

// --backed: a working copy of the image on disk, as the CLI opens a workspace (SQLite's temp files on disk too).
const ws = values.backed ? await open(undefined, await workingCopy(image)) : await open(readImage(image));
const db = ws.db;
const steps: Record<string, number> = {};
const load = uptime();
const all = time(() =>
  db.withCache(128, () =>
    db.tx(() => {
      // As a fresh batch finds them: every search chunk dirty, the bulk loads' indexes dropped, no fact synced.
      db.run('INSERT OR IGNORE INTO device_text_dirty(chunk) SELECT DISTINCT id >> 16 FROM devices');
      db.run('DELETE FROM stored_facts WHERE event_id IS NOT NULL OR result_id IS NOT NULL');
      db.run("UPDATE meta SET value = '0' WHERE key IN ('facts.event_hwm', 'facts.result_hwm', 'facts.events_max_ts')");
      const defs = [...dropIndexes(ws, 'fleet'), ...dropIndexes(ws, 'keys'), ...dropIndexes(ws, 'rollout')];
      const s = time(() => rebuildDirtyChunks(db));
      steps.search = s.ms;
      const early = defs.filter((d) => READ_BY_ANALYSIS.has(d.name));
      for (const d of early) restoreIndex(db, d, steps);
      recompute(ws, { timings: steps, enclosed: true });
      for (const d of defs.filter((x) => !early.includes(x))) restoreIndex(db, d, steps);
    }),
  ),
);
const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
console.log(`batch end ${all.ms.toFixed(0)} ms (CPU ${all.cpu} ms), load ${load}`);
console.log(round(steps));
console.log(`fingerprint ${fingerprint(db)}`);

function uptime(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

/**
 * A hash of everything the analysis writes: device states, the facts, the summary tables, the meta it sets. A fact is
 * hashed by its content (every column of the facts view but its id), and a device's deciding fact likewise: a fact's
 * id is storage detail (event facts and fleet facts are read in place, migrations 35 and 40), so the same evidence
 * stored another way hashes the same.
 */
function fingerprint(d: typeof db): string {
  const h = createHash('sha256');
  const tables = d
    .all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'an\\_%' ESCAPE '\\')")
    .map((r) => r.name);
  const content = 'class, type, value, ts, as_of, import_id, line, source, device_id, event_id, result_id, derived';
  // The facts by id, once (a join to the view itself would read it whole for each device).
  d.run('DROP TABLE IF EXISTS temp._fp');
  d.run(`CREATE TEMP TABLE _fp(id INTEGER PRIMARY KEY, ${content})`);
  d.run(`INSERT INTO temp._fp SELECT id, ${content} FROM facts`);
  for (const sql of [
    `SELECT d.id, d.exposed, d.state, d.state_rule, d.crashed_at, d.recovered_at, d.fixed_at, d.certainty,
       ${content.replace(/(\w+)/g, 'f.$1')}
     FROM devices d LEFT JOIN temp._fp f ON f.id = d.decided_by ORDER BY d.id`,
    `SELECT ${content} FROM temp._fp ORDER BY ${content}`,
    "SELECT key, value FROM meta WHERE key LIKE 'analysis.%' AND key <> 'analysis.computed_at' ORDER BY key",
    ...tables.map((t) => `SELECT * FROM ${t} ORDER BY 1, 2, 3`),
  ]) {
    const stmt = d.prepare(sql);
    try {
      while (stmt.step()) h.update(JSON.stringify(stmt.get()));
    } finally {
      stmt.free();
    }
  }
  return h.digest('hex').slice(0, 16);
}

async function workingCopy(file: string): Promise<HostFile> {
  const work = workDir();
  backTempFiles(SQL, work);
  return work.openCopy(await work.copyOf(file), true);
}

function writeImage(file: string, bytes: Uint8Array): void {
  const fd = openSync(file, 'w');
  try {
    for (let at = 0; at < bytes.length; at += SLICE) writeSync(fd, bytes.subarray(at, at + SLICE));
  } finally {
    closeSync(fd);
  }
}

function readImage(file: string): Uint8Array {
  const out = new Uint8Array(statSync(file).size);
  const fd = openSync(file, 'r');
  try {
    for (let at = 0; at < out.length;) at += readSync(fd, out, at, Math.min(SLICE, out.length - at), at);
  } finally {
    closeSync(fd);
  }
  return out;
}
