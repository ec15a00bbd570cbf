// `ringside import --json` carries the batch's changes (devices added, states changed, data time) and grouped reasons.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { main } from '../../../../electron/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-cli-import-'));
const prevHome = process.env.RINGSIDE_HOME;
process.env.RINGSIDE_HOME = path.join(dir, 'home');
afterAll(() => {
  if (prevHome === undefined) delete process.env.RINGSIDE_HOME;
  else process.env.RINGSIDE_HOME = prevHome;
  rmSync(dir, { recursive: true, force: true });
});

const HEADER =
  'Hostname,Host ID,Serial Number,Platform,OS Version,OS Build,Product Type,Sensor Version,First Seen,Last Seen,Site,Host Groups,Tags,Last Logged In User,Status';
const row = (host: string, aid: string, last: string) =>
  `${host},${aid},SN-${host},Windows,Windows 11,22631,Workstation,7.16.18605.0,2024-01-02T00:00:00Z,${last},LON,"Ring - Broad",,alice,Online`;

test('import --json: changes per batch, reasons per file', async () => {
  const ws = path.join(dir, 'w.ringside');
  const good = path.join(dir, 'good.csv');
  const bad = path.join(dir, 'bad.csv');
  writeFileSync(
    good,
    [
      HEADER,
      row('PC-1', '1'.repeat(32), '2024-07-20T10:00:00Z'),
      row('PC-2', '2'.repeat(32), '2024-07-21T08:30:00Z'),
    ].join('\r\n'),
  );
  writeFileSync(
    bad,
    [HEADER, row('X-1', 'nope-1', '2024-07-20T10:00:00Z'), row('X-2', 'nope-2', '2024-07-20T10:00:00Z')].join('\r\n'),
  );
  let out = '';
  const code = await main(['import', ws, good, bad, '--json'], { out: (t) => (out += t), err: () => undefined });
  expect(code).toBe(0);
  const json = JSON.parse(out) as {
    changes: { devicesAdded: number; dataTime: { before: number | null; after: number | null } };
    files: Array<{ file: string; rejected: number; reasons: Array<{ count: number; lines: number[] }> }>;
  };
  // By hand: two good rows, two bad rows with the same reason on lines 2 and 3, data time = the later last seen.
  expect(json.changes.devicesAdded).toBe(2);
  expect(json.changes.dataTime).toEqual({ before: null, after: Date.UTC(2024, 6, 21, 8, 30) });
  const b = json.files.find((f) => f.file === 'bad.csv')!;
  expect(b.rejected).toBe(2);
  expect(b.reasons).toEqual([expect.objectContaining({ count: 2, lines: [2, 3] })]);
});
