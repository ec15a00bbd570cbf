// The two-thread import (a worker_threads reading thread) stores what the single-thread import stores, and cancels cleanly.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inflateSync } from 'fflate';
import { summary } from '../../../core/analysis/summary.js';
import { CancelledError } from '../../../core/contract/jobs.js';
import { importFiles, type ImportOptions } from '../../../core/ingest/pipeline.js';
import type { ReadFn } from '../../../core/ingest/read-thread.js';
import { reviewList } from '../../../core/ingest/review.js';
import { REDACTED } from '../../../core/secrets/redact.js';
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

/**
 * Every stored byte (raw_chunks' compressed blobs, every analysis table), but for what differs from one run to the
 * next however the rows were read: a migration's clock time, the workspace's random id and the audit anchor signed
 * with it, the key chunks' random nonces.
 */
function stored(ws: Workspace): string {
  const tables = ws.db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const hex = (_k: string, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v);
  const columns: Record<string, string[]> = { schema_migrations: ['applied_at'], key_chunks: ['nonce', 'sealed'] };
  return canonical(
    Object.fromEntries(
      tables.map((t) => {
        const rows = ws.db.all<Record<string, unknown>>(
          t.name === 'meta'
            ? "SELECT * FROM meta WHERE key NOT IN ('audit_anchor', 'workspace_id')"
            : `SELECT * FROM "${t.name}"`,
        );
        for (const row of rows) for (const c of columns[t.name] ?? []) delete row[c];
        return [t.name, rows.map((row) => JSON.stringify(row, hex)).sort()];
      }),
    ),
  );
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
      const opts: ImportOptions = reader ? { reader: reader.read, chunks: reader.chunks } : {};
      reports.push(await importFiles(ws, await onDisk(b), opts));
    }
  } finally {
    reader?.close();
  }
  return `${results(ws, reports)}\n${stored(ws)}`;
}

const SAMPLE = { devices: 3000, seed: 1907 };
const sample = (opts = SAMPLE): Files =>
  SAMPLE_EXPORTS.map((name) => ({ name, data: [...fileChunks(name, opts)].join('') }));
const bytesOf = (fs: { name: string; bytes: Uint8Array }[]): Files => fs.map((f) => ({ name: f.name, data: f.bytes }));

describe('the two-thread import', () => {
  it('gives byte-identical results on the sample', async () => {
    const batches = [sample()];
    const one = await run(batches, false);
    expect(JSON.parse(one.slice(0, one.indexOf('\n'))).summary.totals.devices).toBeGreaterThan(0);
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

  it('stores recovery passwords in wrong cells redacted, in the raw rows too, as the single-thread import does', async () => {
    // Valid recovery passwords whose groups appear nowhere else; the keys writer seals the one in the key column.
    const pw = [
      '618497-103543-277992-581064-394603-708026-215336-462869',
      '390962-574574-129767-652685-301169-047223-683188-235653',
      '700172-461175-309232-554631-182347-627924-090970-371756',
    ];
    const fleet = [
      'Device name,Serial number,OS version,Last check-in,Notes',
      `PC-1,SN1,10.0.19045.4529,2024-07-19 04:00:00,"read over the phone: ${pw[0]}"`,
      `PC-2,SN2,10.0.19045.4529,2024-07-19 04:00:00,${pw[1]!.replace(/-/g, ' ')}`,
      `PC-3,SN3,10.0.19045.4529,2024-07-19 04:00:00,plain note`,
    ].join('\r\n');
    const keys = [
      'KeyID,ComputerName,RecoveryKey,VolumeType',
      `{11111111-2222-3333-4444-555555555555},PC-1,${pw[2]},Operating System Volume`,
      // Shifted left: the password sits under ComputerName, where it is redacted (the row keeps no device).
      `{22222222-2222-3333-4444-555555555555},${pw[0]},Operating System Volume,`,
    ].join('\r\n');
    const batches = [
      [
        { name: 'intune-devices.csv', data: fleet },
        { name: 'bitlocker-keys.csv', data: keys },
      ],
    ];
    const one = await run(batches, false);
    const two = await run(batches, true);
    expect(two).toBe(one);
    const raw = JSON.parse(two.slice(two.indexOf('\n') + 1)) as { raw_chunks: string[] };
    const text = raw.raw_chunks
      .map((r) => new TextDecoder().decode(inflateSync(Buffer.from((JSON.parse(r) as { data: string }).data, 'hex'))))
      .join('\n');
    expect(text).toContain('PC-3');
    expect(text.split(REDACTED).length).toBe(3);
    for (const g of pw.flatMap((p) => p.split('-'))) expect(two).not.toContain(g);
  });

  it('hands over every column the writer reads: a second time column fills in where the first is empty', async () => {
    // Autopatch: the installed time, else the last check-in (a column the format's fields do not name otherwise).
    const report = [
      'Device name,Deployment ring,Update status,Quality update Installed Time,Intune last check in time',
      'PC-1,Broad,Up to date,2024-07-20T10:00:00Z,2024-07-21T10:00:00Z',
      'PC-2,Broad,Up to date,,2024-07-21T11:00:00Z',
    ].join('\r\n');
    const batches = [[{ name: 'autopatch-status.csv', data: report }]];
    const one = await run(batches, false);
    expect(await run(batches, true)).toBe(one);
    const [file] = (JSON.parse(one.slice(0, one.indexOf('\n'))) as { reports: { imported: number }[][] }).reports[0]!;
    expect(file!.imported).toBe(2);
  });

  it.each([
    { file: 'intune-devices.csv', plan: 'compact' },
    { file: 'intune-devices.csv', plan: 'whole' },
    { file: 'rollout-events.csv', plan: 'compact' },
    { file: 'rollout-events.csv', plan: 'none' },
  ])(
    'a cancel in the middle of a batch ($file, plan: $plan) leaves the workspace as it was, and the next import works',
    async ({ file, plan }) => {
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
            // Not told of compact rows, the sink plans whole-width ones; without the plan, the reading thread
            // hands batches over untouched (the protocol's other forms).
            header: (h, compact) => sink.header(h, plan === 'compact' ? compact : undefined),
            ...(plan !== 'none' && sink.plan ? { plan: sink.plan } : {}),
            async rows(rows, lines, count) {
              if (input.name === file && ++written === 2) {
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
    },
    240_000,
  );
});
