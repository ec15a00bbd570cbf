// `ringside import --as-of`: the time given wins over the one found for rows without a time, and the CLI says which.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { main } from '../../../../electron/cli.js';
import { isoUtc } from '../../../../electron/cli/import.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-cli-as-of-'));
const prevHome = process.env.RINGSIDE_HOME;
process.env.RINGSIDE_HOME = path.join(dir, 'home');
afterAll(() => {
  if (prevHome === undefined) delete process.env.RINGSIDE_HOME;
  else process.env.RINGSIDE_HOME = prevHome;
  rmSync(dir, { recursive: true, force: true });
});

// Autopatch's quality update report with its default columns (formats.md 3.1): no time column at all.
const report = (hosts: string[]) =>
  [
    'Device name,Deployment ring,Update status,Pause status,Current version,Readiness,Alerts',
    ...hosts.map((h) => `${h},Ring1,Up to date,Not paused,22631.3880,Ready,`),
  ].join('\r\n');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') });
  return { code, out, err };
}

test('without --as-of the date in the file name is used and named; with it, the given time', async () => {
  const found = path.join(dir, 'QualityUpdateStatus_2024-07-19_0912.csv');
  writeFileSync(found, report(['PC-1', 'PC-2']));
  const a = await run(['import', path.join(dir, 'a.ringside'), found]);
  expect(a.code).toBe(0);
  expect(a.out).toContain('2 rows have no time of their own: taken as of 2024-07-19 09:12 UTC, from the file name');

  const given = path.join(dir, 'QualityUpdateStatus_2024-07-19_0912-b.csv');
  writeFileSync(given, report(['PC-3']));
  const b = await run(['import', path.join(dir, 'b.ringside'), given, '--as-of', '2024-07-20T06:30Z']);
  expect(b.code).toBe(0);
  expect(b.out).toContain('1 rows have no time of their own: taken as of 2024-07-20 06:30 UTC, from the time you gave');
});

test('--as-of takes a strict UTC time and names a bad one', async () => {
  expect(isoUtc('2024-07-19T09:12Z')).toBe(Date.UTC(2024, 6, 19, 9, 12));
  expect(isoUtc('2024-07-19 09:12:30')).toBe(Date.UTC(2024, 6, 19, 9, 12, 30));
  for (const bad of ['2024-02-31T00:00Z', '2024-07-19', '2024-07-19T09:12+02:00', 'yesterday'])
    expect(() => isoUtc(bad)).toThrow(/--as-of: ".*" is not a UTC date and time/);
  const f = path.join(dir, 'c.csv');
  writeFileSync(f, report(['PC-4']));
  const r = await run(['import', path.join(dir, 'c.ringside'), f, '--as-of', 'soon']);
  expect(r.code).not.toBe(0);
  expect(r.err).toContain('--as-of: "soon" is not a UTC date and time');
});
