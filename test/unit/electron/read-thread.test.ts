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
import type { RowBatch } from '../../../core/ingest/rows.js';
import type { IngestReport } from '../../../core/ingest/report.js';
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

/**
 * Imports the batches into a fresh workspace, in this thread or through the reading thread; `seen` is told of each
 * row batch as the writer gets it.
 */
async function run(
  batches: Files[],
  threaded: boolean,
  seen?: (file: string, rows: RowBatch) => void,
): Promise<string> {
  const ws = await open();
  const reader = threaded ? diskReader() : null;
  const reports: unknown[] = [];
  const read: ReadFn | undefined =
    reader && seen
      ? (input, state, opts, sink, notes, onSheet) =>
          reader.read(
            input,
            state,
            opts,
            {
              header: (h, compact) => sink.header(h, compact),
              ...(sink.plan ? { plan: sink.plan } : {}),
              rows(rows, lines, count) {
                seen(input.name, rows as RowBatch);
                return sink.rows(rows, lines, count);
              },
            },
            notes,
            onSheet,
          )
      : reader?.read;
  try {
    for (const b of batches) {
      const opts: ImportOptions = reader ? { reader: read, chunks: reader.chunks } : {};
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

  it('normalises fleet and key rows in the reading thread as the writers do: every problem kind, dates learnt across batches', async () => {
    const pw = '618497-103543-277992-581064-394603-708026-215336-462869';
    const aid = (i: number) => i.toString(16).padStart(32, '0');
    const falcon = [
      'Hostname,Host ID,Serial Number,Platform,OS Version,OS Build,Product Type,Sensor Version,First Seen,Last Seen,Site,Host Groups,Tags,Last Logged In User,Ring,OU',
      `PC-A.corp.example.com,${aid(1).toUpperCase()},SN-A,Windows,Windows 11,22631,Workstation,7.10,2022-04-24T21:40:41Z,05/06/2024 10:00,PAR,"Windows, Ring - Broad",,wei.kim,,`,
      `PC-B,not-an-aid,SN-B,Windows,,,,,,2024-07-22T05:45:20Z,,,,,,`,
      `${pw},${aid(3)},SN-C,Windows,,,,,,,,,,,,`,
      `,${aid(4)},SN-D,Windows,,,,,,,,,,,,`,
      `,${aid(5)},SN-E,Windows,,,,,,2024-07-20T01:00:00Z,,,,,,"CN=PC-E,OU=Lab,DC=corp"`,
      `PC-F,${aid(6)},1.23457E+11,Windows,Windows Server 2019,,,,last Tuesday,07/08/2024 10:00,,,,,Ring: Fast,`,
      `PC-G,${aid(7)},SN-G,Mac,,,,,,2024-07-20T01:00:00Z,,,"SensorGroupingTags/Ring_Test,Other",,,`,
      `PC-H,${aid(8)},SN-H,,,19045,,,,2024-07-20T01:00:00Z,,,,,,`,
      // Enough rows for several batches: what the date columns learnt above holds below.
      ...Array.from(
        { length: 24_000 },
        (_, i) =>
          `PC-${i},${aid(100 + i)},SN${i},Windows,Windows 10,19045,Workstation,7.15.18514.0,2023-02-17T03:00:28Z,2024-07-23T15:27:34Z,CHI,"Ring - Fast, Windows Workstations",,user${i % 50},,`,
      ),
      `PC-Y,${aid(9)},SN-Y,Windows,,,,,,25/06/2024 10:00,,,,,,`,
      `PC-Z,${aid(10)},SN-Z,Windows,,,,,,04/05/2024 10:00,,,,,,`,
    ].join('\r\n');
    const intune = [
      'Device ID,Device name,Enrollment date,Last check-in,Azure AD Device ID,OS version,Serial number,Model,Primary user UPN',
      `0166346a-0703-43be-8bcb-35a829d8b0ed,PC-A,2022-04-24 20:40:41.0000000,2024-07-22 06:13:32.4350000,8f9a4fb7-1430-4ffb-96cd-28d3ba500f57,10.0.22631.3880,SN-A,Surface,wei.kim@example.com`,
      // Every row has a time of its own (a row without takes the file's modified time, which differs run to run).
      `dd953af8-6089-40ca-8e5a-80c988af0652,PC-I,,2024-07-22 06:13:32,1234-5678,,,,`,
      `cc953af8-6089-40ca-8e5a-80c988af0652,PC-J,,2024-07-22 06:13:32,00000000-0000-0000-0000-000000000000,,SN-J,,`,
      `not-a-guid,PC-K,,2024-07-22 06:13:32,,,,,`,
      `bb953af8-6089-40ca-8e5a-80c988af0652,PC-F,,2024-07-22 06:13:32,,,1.23457E+11,,`,
    ].join('\r\n');
    const keys = [
      'KeyID,ComputerName,RecoveryKey,VolumeType,Created',
      `{11111111-2222-3333-4444-555555555555},PC-A,618497-103543-277992-581064-394603-708026-215336-462869,Operating System Volume,2024-07-19T04:00:00Z`,
      `,PC-A,390962-574574-129767-652685-301169-047223-683188-235653,,`,
      `not-a-key-id,PC-A,390962-574574-129767-652685-301169-047223-683188-235653,,`,
      `${pw},PC-A,Operating System Volume,,`,
      `{22222222-2222-3333-4444-555555555555},PC-A,,,`,
      `{33333333-2222-3333-4444-555555555555},${pw},700172-461175-309232-554631-182347-627924-090970-371756,,`,
      `2017-10-20T09:38:39-00:00{44444444-2222-3333-4444-555555555555},"CN=2017-10-20T09:38:39-00:00{44444444-2222-3333-4444-555555555555},CN=PC-G,OU=Lab",700172-461175-309232-554631-182347-627924-090970-371757,Fixed Data Volume,last week`,
      `55555555-2222-3333-4444-555555555555,8f9a4fb7-1430-4ffb-96cd-28d3ba500f57,700172 461175 309232 554631 182347 627924 090970 371756,,`,
      `{11111111-2222-3333-4444-555555555555},PC-A,618497-103543-277992-581064-394603-708026-215336-462869,Operating System Volume,`,
    ].join('\r\n');
    const batches = [
      [
        { name: 'falcon-hosts.csv', data: falcon },
        { name: 'intune-devices.csv', data: intune },
        { name: 'bitlocker-keys.csv', data: keys },
      ],
    ];
    const one = await run(batches, false);
    const normalised = new Map<string, number[]>();
    const two = await run(batches, true, (file, rows) => {
      const [yes, no] = normalised.get(file) ?? [0, 0];
      normalised.set(file, rows.norm ? [yes! + 1, no!] : [yes!, no! + 1]);
    });
    expect(two).toBe(one);
    // Every batch came normalised, and the Falcon file in several.
    expect(normalised.get('falcon-hosts.csv')![0]).toBeGreaterThan(1);
    expect(normalised.get('falcon-hosts.csv')![1]).toBe(0);
    for (const file of ['intune-devices.csv', 'bitlocker-keys.csv']) {
      expect(normalised.get(file)![0]).toBeGreaterThan(0);
      expect(normalised.get(file)![1]).toBe(0);
    }
    const [f, i, k] = (JSON.parse(one.slice(0, one.indexOf('\n'))) as { reports: IngestReport[][] }).reports[0]!;
    expect([f!.rejected, f!.flagged, i!.rejected, i!.flagged, k!.rejected, k!.flagged]).toEqual([3, 7, 2, 3, 4, 3]);
    const messages = [...f!.errors, ...i!.errors, ...k!.errors].map((e) => `${e.line} ${e.field}: ${e.message}`);
    expect(messages).toEqual([
      '2 Last Seen: kept: "05/06/2024 10:00" has no time zone: read as UTC (as are the other dates in this column without one)',
      '2 Last Seen: kept: "05/06/2024 10:00" could be day/month or month/day: read as month/day = 2024-05-06 (the US order; no date in this column so far could be read only one way)',
      '3 Host ID: "not-an-aid" is not a Falcon AID (32 hex digits)',
      '4 Hostname: the device name cell holds a recovery password ([recovery password redacted]); the row is probably shifted by one cell',
      '5 Hostname: no device name: the hostname cell is empty',
      '7 Serial Number: kept: serial "1.23457E+11" was turned into a number by a spreadsheet; not used to match devices',
      '7 First Seen: kept: "last Tuesday" is not a date; left empty',
      '7 Last Seen: kept: "07/08/2024 10:00" could be day/month or month/day: read as month/day = 2024-07-08 (the US order; no date in this column so far could be read only one way)',
      '24010 Last Seen: kept: "25/06/2024 10:00" shows this column is day/month: the 2 ambiguous dates above this line were read as month/day; the ones below are read as day/month',
      '24011 Last Seen: kept: "04/05/2024 10:00" could be day/month or month/day: read as day/month = 2024-05-04, like "25/06/2024 10:00" on line 24010',
      '2 Enrollment date: kept: "2022-04-24 20:40:41.0000000" has no time zone: read as UTC (as are the other dates in this column without one)',
      '2 Last check-in: kept: "2024-07-22 06:13:32.4350000" has no time zone: read as UTC (as are the other dates in this column without one)',
      '3 Azure AD Device ID: "1234-5678" is not a GUID',
      '5 Device ID: "not-a-guid" is not a GUID',
      '6 Serial number: kept: serial "1.23457E+11" was turned into a number by a spreadsheet; not used to match devices',
      '3 KeyID: the key ID is empty',
      '4 KeyID: "not-a-key-id" is not a key ID (GUID)',
      '5 KeyID: the key ID cell holds a recovery password ([recovery password redacted]); the row is probably shifted by one cell',
      '6 RecoveryKey: the recovery password is empty',
      '7 ComputerName: kept: the device cell holds a recovery password ([recovery password redacted]); the row is probably shifted by one cell, so the key is not linked to a device',
      '8 RecoveryKey: kept: invalid recovery password, flagged and never corrected: group 8 of the recovery password is not divisible by 11 (checksum)',
      '9 RecoveryKey: kept: invalid recovery password, flagged and never corrected: the recovery password uses spaces instead of hyphens',
    ]);
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
