// The two-thread import (a worker_threads reading thread) gives the single-thread import's results, and cancels cleanly.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summary } from '../../../core/analysis/summary.js';
import { CancelledError } from '../../../core/contract/jobs.js';
import { importFiles, type ImportOptions } from '../../../core/ingest/pipeline.js';
import type { ReadFn } from '../../../core/ingest/read-thread.js';
import { reviewList } from '../../../core/ingest/review.js';
import { fileChunks, SAMPLE_EXPORTS } from '../../../core/sample/index.js';
import { openWorkspace, type Workspace } from '../../../core/workspace.js';
import { fileInput } from '../../../electron/cli/import.js';
import { diskReader } from '../../../electron/node/read-thread.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { fixtures } from '../../fixtures/ingest/generate.js';
import { keyFixtures } from '../../fixtures/ingest/keys.js';
import { rolloutFixtures } from '../../fixtures/ingest/rollout.js';
import { eventFixtures } from '../../fixtures/ingest/winevents.js';
import { day1Files, day2Files, population } from '../../fixtures/published/exports.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-read-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes files to disk (each in its own folder, so equal names never clash) and opens them as the CLI does. */
async function onDisk(files: { name: string; data: Uint8Array | string }[]) {
  return Promise.all(
    files.map(async (f) => {
      const d = path.join(dir, String(n++));
      mkdirSync(d);
      writeFileSync(path.join(d, f.name), f.data);
      return fileInput(path.join(d, f.name));
    }),
  );
}

const open = async () =>
  openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => Date.UTC(2024, 6, 22) });

/** JSON with object keys sorted: equal values give equal bytes. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

/** What the issue asks to be identical: the summary, every device's state, the review list; and the reports. */
function results(ws: Workspace, reports: unknown[]): string {
  return canonical({
    summary: summary(ws),
    states: ws.db.all('SELECT id, hostname, host_key, state, superseded_by FROM devices ORDER BY id'),
    review: reviewList(ws, { limit: 100_000 }),
    reports,
  });
}

/** Every table's rows and the schema (a rolled-back bulk load must also bring its dropped indexes back). */
function dump(ws: Workspace): string {
  const tables = ws.db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  return canonical({
    schema: ws.db.all('SELECT type, name, sql FROM sqlite_master ORDER BY type, name'),
    // Sorted as text: some tables are WITHOUT ROWID.
    rows: Object.fromEntries(tables.map((t) => [t.name, ws.db.all(`SELECT * FROM "${t.name}"`).map(canonical).sort()])),
  });
}

type Files = { name: string; data: Uint8Array | string }[];

/** Imports the batches into a fresh workspace, in this thread or through the reading thread. */
async function run(batches: Files[], threaded: boolean): Promise<string> {
  const ws = await open();
  const reader = threaded ? diskReader() : null;
  const reports: unknown[] = [];
  try {
    for (const b of batches) {
      const opts: ImportOptions = reader ? { reader: reader.read } : {};
      reports.push(await importFiles(ws, await onDisk(b), opts));
    }
  } finally {
    reader?.close();
  }
  return results(ws, reports);
}

const SAMPLE = { devices: 3000, seed: 1907 };
const sample = (opts = SAMPLE): Files =>
  SAMPLE_EXPORTS.map((name) => ({ name, data: [...fileChunks(name, opts)].join('') }));
const bytesOf = (fs: { name: string; bytes: Uint8Array }[]): Files => fs.map((f) => ({ name: f.name, data: f.bytes }));

describe('the two-thread import', () => {
  it('gives byte-identical results on the sample', async () => {
    const batches = [sample()];
    const one = await run(batches, false);
    expect(JSON.parse(one).summary.totals.devices).toBeGreaterThan(0);
    expect(await run(batches, true)).toBe(one);
  });

  it('gives byte-identical results on the ingest fixtures', async () => {
    const OPTS = { devices: 400, seed: 777 };
    const batches = [
      sample(OPTS).filter((f) => f.name === 'falcon-hosts.csv' || f.name === 'intune-devices.csv'),
      bytesOf(fixtures(OPTS)),
      bytesOf(rolloutFixtures(OPTS)),
      bytesOf(eventFixtures(OPTS).files),
      bytesOf(keyFixtures(OPTS).files),
    ];
    const one = await run(batches, false);
    expect(await run(batches, true)).toBe(one);
  });

  it('gives byte-identical results on the published-format exports (day 1, then day 2)', async () => {
    const pop = population();
    const batches = [day1Files(pop), day2Files(pop)];
    const one = await run(batches, false);
    expect(await run(batches, true)).toBe(one);
  });

  it('a cancel in the middle of a batch leaves the workspace as it was, and the next import works', async () => {
    const ws = await open();
    const big = sample({ devices: 6000, seed: 3 });
    await importFiles(ws, await onDisk(big.filter((f) => f.name === 'falcon-hosts.csv')));
    const before = dump(ws);
    const reader = diskReader();
    const ctrl = new AbortController();
    let written = 0;
    // Cancels while the second batch of the events file is being written, with the reader's batches in flight.
    const cancelling: ReadFn = (input, state, opts, sink, notes, onSheet) =>
      reader.read(
        input,
        state,
        opts,
        {
          header: (h) => sink.header(h),
          async rows(rows, lines, count) {
            if (input.name === 'rollout-events.csv' && ++written === 2) {
              ctrl.abort();
              // Give the reading thread time to run ahead as far as back-pressure lets it.
              await new Promise((r) => setTimeout(r, 200));
            }
            await sink.rows(rows, lines, count);
          },
        },
        notes,
        onSheet,
      );
    try {
      const files = await onDisk(big.filter((f) => f.name !== 'falcon-hosts.csv'));
      await expect(importFiles(ws, files, { reader: cancelling, signal: ctrl.signal })).rejects.toBeInstanceOf(
        CancelledError,
      );
      expect(written).toBe(2);
      expect(dump(ws)).toBe(before);
      // The cancelled thread was ended; the next import starts another and completes.
      const again = await importFiles(ws, await onDisk(big.filter((f) => f.name === 'rollout-events.csv')), {
        reader: reader.read,
      });
      expect(again[0]!.rows).toBeGreaterThan(0);
      expect(again[0]!.rejected).toBe(0);
    } finally {
      reader.close();
    }
  }, 240_000);
});
