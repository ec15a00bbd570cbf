// Human CLI output from hostile data: ESC sequences, CR, C1 controls and bidi overrides in cells are printed as escapes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../../../electron/cli.js';
import { shown, shownLines } from '../../../../electron/cli/shown.js';

const ESC = '\u001b';
// Retitles the terminal, clears the screen, a one-byte CSI (C1), a CR that would overwrite the line, a bidi override.
const SITE = `LON${ESC}]0;pwned\u0007${ESC}[2J\u009b31m`;
const HOST = `PC-1\u202egnp`;
const AID = `${ESC}[8mhidden\rREFUSED?`;
const FALCON = [
  'Hostname,Host ID,Sensor Version,Site,Last Seen',
  `${HOST},0123456789abcdef0123456789abcdef,7.16.18605.0,"${SITE}",2024-07-19T04:00:00Z`,
  `PC-2,"${AID}",7.16.18605.0,NYC,2024-07-19T04:00:00Z`,
].join('\r\n');

let dir: string;
const prevHome = process.env.RINGSIDE_HOME;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-cli-out-'));
  process.env.RINGSIDE_HOME = path.join(dir, 'home');
  writeFileSync(path.join(dir, 'falcon-hosts.csv'), FALCON);
});
afterAll(() => {
  process.env.RINGSIDE_HOME = prevHome;
  rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (out += `${t}\n`) });
  return { code, out };
}

/** Characters no human output may carry raw: C0 but LF, DEL, C1, bidi controls. */
// eslint-disable-next-line no-control-regex -- control characters are what is being looked for
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

it('shown() escapes every control and bidi character, newlines too; shownLines() keeps line feeds', () => {
  expect(shown(`a${ESC}[2Jb\r\nc\u202ed\u0085`)).toBe('a\\u001B[2Jb\\u000D\\u000Ac\\u202Ed\\u0085');
  expect(shown(null)).toBe('');
  expect(shownLines(`x\n${ESC}y\t`)).toBe('x\n\\u001By\\u0009');
  // The escape is JSON's own: a JSON line passed through reads back as the same value.
  const v = { s: `a\u202eb\u0085c` };
  expect(JSON.parse(shownLines(JSON.stringify(v)))).toEqual(v);
});

it('import, devices and summary print hostile cells escaped', async () => {
  const file = path.join(dir, 'w.ringside');
  const imp = await run('import', file, path.join(dir, 'falcon-hosts.csv'));
  expect(imp.code).toBe(0);
  expect(imp.out).not.toMatch(RAW);
  // The refused AID is named, its ESC and line break (CSV reads a CR in a cell as one) shown as escapes on one line.
  expect(imp.out).toContain('line 3, Host ID: "\\u001B[8mhidden\\u000AREFUSED?" is not a Falcon AID');

  const dev = await run('devices', file);
  expect(dev.code).toBe(0);
  expect(dev.out).not.toMatch(RAW);
  expect(dev.out).toContain('PC-1\\u202Egnp');
  expect(dev.out).toContain('LON\\u001B]0;pwned\\u0007\\u001B[2J\\u009B31m');

  const sum = await run('summary', file);
  expect(sum.code).toBe(0);
  expect(sum.out).not.toMatch(RAW);
  expect(sum.out).toContain('LON\\u001B]0;pwned');
});
