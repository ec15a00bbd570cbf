// The batch end's search index built in the reading thread: used when the thread runs; a cancel or its failure there leaves the workspace as it was.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../core/contract/jobs.js';
import { importFiles } from '../../../core/ingest/pipeline.js';
import type { ThreadedReader } from '../../../core/ingest/read-thread.js';
import { fileChunks, SAMPLE_EXPORTS } from '../../../core/sample/index.js';
import type { ChunkBuilder, ChunkText } from '../../../core/store/device-text-chunk.js';
import { openWorkspace, type Workspace } from '../../../core/workspace.js';
import { fileInput } from '../../../electron/cli/import.js';
import { diskReader } from '../../../electron/node/read-thread.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-read-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function sampleOnDisk(only: (name: string) => boolean, devices = 3000) {
  const d = path.join(dir, String(n++));
  mkdirSync(d);
  return Promise.all(
    SAMPLE_EXPORTS.filter(only).map(async (name) => {
      writeFileSync(path.join(d, name), [...fileChunks(name, { devices, seed: 11 })].join(''));
      return fileInput(path.join(d, name));
    }),
  );
}

const open = async () =>
  openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => Date.UTC(2024, 6, 22) });

/** Every table's rows and the schema, rows sorted as text (some tables are WITHOUT ROWID). */
function dump(ws: Workspace): string {
  const tables = ws.db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const hex = (_k: string, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v);
  return JSON.stringify({
    schema: ws.db.all('SELECT type, name, sql FROM sqlite_master ORDER BY type, name'),
    rows: tables.map((t) =>
      ws.db
        .all(`SELECT * FROM "${t.name}"`)
        .map((r) => JSON.stringify(r, hex))
        .sort(),
    ),
  });
}

/** The reader's chunk builder, counting the jobs it gives and letting a test break one as its chunks are added. */
function watched(reader: ThreadedReader, onAdd?: (text: ChunkText) => void): ChunkBuilder & { jobs: number } {
  const b = {
    jobs: 0,
    start(signal?: AbortSignal) {
      const job = reader.chunks.start(signal);
      if (!job) return null;
      b.jobs++;
      return { ...job, add: (t: ChunkText) => (onAdd?.(t), job.add(t)) };
    },
  };
  return b;
}

const fleetFile = (name: string) => name === 'falcon-hosts.csv';
const otherFiles = (name: string) => name !== 'falcon-hosts.csv';

describe('the search index built in the reading thread', () => {
  it('is built there when the batch read its files there, and gives the single-thread rows', async () => {
    const one = await open();
    await importFiles(one, await sampleOnDisk(() => true));
    const two = await open();
    const reader = diskReader();
    try {
      const chunks = watched(reader);
      await importFiles(two, await sampleOnDisk(() => true), { reader: reader.read, chunks });
      expect(chunks.jobs).toBe(1);
      // Files made in memory are read in this thread: no thread runs, the index is built here.
      const none = diskReader();
      const inMemory = watched(none);
      const file = new File(['Hostname,Host ID\r\nZ-1,abc\r\n'], 'falcon-hosts.csv');
      await importFiles(two, [file], { reader: none.read, chunks: inMemory });
      await importFiles(one, [file]);
      expect(inMemory.jobs).toBe(0);
      none.close();
    } finally {
      reader.close();
    }
    const index = (ws: Workspace) =>
      JSON.stringify([
        ws.db.all('SELECT rowid, chunk, tri, n, hex(ids) FROM device_text_grams ORDER BY rowid'),
        ws.db.all('SELECT id, hex(ids) FROM device_text_order ORDER BY id'),
        ws.db.all('SELECT * FROM device_text_dirty'),
      ]);
    expect(index(two)).toBe(index(one));
    expect(two.db.value<number>('SELECT COUNT(*) FROM device_text_grams')).toBeGreaterThan(1000);
  }, 120_000);

  it.each(['cancel', 'thread error', 'thread exit'] as const)(
    'a %s during the batch end leaves the workspace as it was, and the next import works',
    async (how) => {
      const ws = await open();
      await importFiles(ws, await sampleOnDisk(fleetFile));
      const before = dump(ws);
      const reader = diskReader();
      const ctrl = new AbortController();
      let broken = false;
      const chunks = watched(reader, (text) => {
        if (broken) return;
        broken = true;
        // The thread's build fails (a chunk whose values do not match its devices), or the thread is ended.
        if (how === 'thread error') text.others = [];
        if (how === 'thread exit') reader.close();
      });
      try {
        const files = await sampleOnDisk(() => true, 4000);
        const done = importFiles(ws, files, {
          reader: reader.read,
          chunks,
          signal: ctrl.signal,
          // A cancel while the analysis runs, the chunks built meanwhile in the thread.
          onProgress: (p) => void (how === 'cancel' && p.phase === 'analyse' && ctrl.abort()),
        });
        if (how === 'cancel') await expect(done).rejects.toBeInstanceOf(CancelledError);
        else await expect(done).rejects.toThrow(how === 'thread error' ? /search index build failed/ : /exited/);
        expect(chunks.jobs).toBe(1);
        expect(dump(ws)).toBe(before);
        // The thread was ended; the next import starts another and builds its index there.
        const again = await importFiles(ws, await sampleOnDisk(otherFiles, 4000), { reader: reader.read, chunks });
        expect(again.every((r) => r.rejected === 0 && r.rows > 0)).toBe(true);
        expect(chunks.jobs).toBe(2);
        expect(ws.db.value<number>('SELECT COUNT(*) FROM device_text_dirty')).toBe(0);
      } finally {
        reader.close();
      }
    },
    240_000,
  );
});
