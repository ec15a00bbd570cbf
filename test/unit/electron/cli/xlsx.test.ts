// The spreadsheet CLI on files: tracker out, edited, import (diff only) and import --apply; report --xlsx; import --sheet.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { main } from '../../../../electron/cli.js';
import { FileKeyStore } from '../../../../electron/node/keystore.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { WorkspaceStorage } from '../../../../electron/storage.js';
import { openWorkspace } from '../../../../core/workspace.js';

let dir: string;
let file: string;
const prevHome = process.env.RINGSIDE_HOME;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-cli-xlsx-'));
  process.env.RINGSIDE_HOME = path.join(dir, 'home');
  const ws = await openWorkspace({
    SQL: await loadSqlJs(),
    keyMaterial: (id) => new FileKeyStore().get(id),
    actor: 't',
  });
  for (let id = 1; id <= 4; id++)
    ws.db.run(`INSERT INTO devices(id, hostname, host_key, site, state) VALUES (?,?,?,?, 'needs_fix')`, [
      id,
      `PC-${id}`,
      `PC-${id}`,
      id < 4 ? 'LON' : 'NYC',
    ]);
  file = path.join(dir, 'incident.ringside');
  await new WorkspaceStorage().save(file, ws.db, 0);
  ws.db.close();
});
afterAll(() => {
  process.env.RINGSIDE_HOME = prevHome;
  rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

test('tracker → edit → import prints the diff and changes nothing; --apply records it', async () => {
  const out = path.join(dir, 'lon.xlsx');
  expect((await run('tracker', file, '--site', 'LON', '--out', out)).out).toMatch(/lon\.xlsx: 3 devices/);
  const wb = XLSX.read(readFileSync(out), { type: 'buffer' });
  const ws = wb.Sheets.Tracker!;
  ws.F2 = { t: 's', v: 'fixed' };
  ws.F3 = { t: 's', v: 'not sure' };
  XLSX.utils.sheet_add_aoa(ws, [[4, 'PC-1', 'LON', '', '', 'fixed']], { origin: -1 });
  const edited = path.join(dir, 'lon-back.xlsx');
  writeFileSync(edited, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }));

  const dry = await run('import', file, edited);
  expect(dry.code).toBe(0);
  expect(dry.out).toBe(
    [
      'lon-back.xlsx: recovery tracker, 4 rows: 1 change, 1 unchanged, 2 not applied',
      '  row 2: PC-1 (#1): no result (needs_fix) -> fixed',
      '  row 3: PC-2: not applied: Result "not sure" is not one of fixed, in_progress, failed, needs_reimage, not_found, deferred',
      '  row 5: PC-1: not applied: device #4 is PC-4 in this workspace, not "PC-1"',
      '  nothing changed: run again with --apply to record these results',
      '',
    ].join('\n'),
  );
  const summary = async () =>
    JSON.parse((await run('summary', file, '--json')).out) as { states: Record<string, number> };
  expect((await summary()).states.fixed ?? 0).toBe(0);

  const applied = await run('import', file, edited, '--apply');
  expect(applied.out).toMatch(/applied 1 result \(each audited as device\.result\)/);
  const audit = await run('audit', 'export', file, '--action', 'overrides');
  expect(audit.out.split('\n').filter((l) => l.includes('"device.result"'))).toHaveLength(1);
  // Applied once: the same file again finds nothing left to change.
  expect((await run('import', file, edited, '--apply')).out).toMatch(/0 changes, 2 unchanged, 2 not applied/);
});

test('report --xlsx writes the workbook next to the CSV tables', async () => {
  const outDir = path.join(dir, 'report');
  const r = await run('report', file, '--out', outDir, '--xlsx', '--json');
  const files = (JSON.parse(r.out) as { files: string[] }).files.map((f) => path.basename(f));
  const book = files.find((f) => f.endsWith('.xlsx'));
  expect(book).toMatch(/^incident-report-\d{4}-\d{2}-\d{2}\.xlsx$/);
  expect(XLSX.read(readFileSync(path.join(outDir, book!)), { type: 'buffer' }).SheetNames).toContain('Devices');
});

test('import --sheet reads the named sheet of a workbook with several data sheets', async () => {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(
    wb,
    XLSX.utils.aoa_to_sheet([
      ['Device name', 'Primary user UPN'],
      ['PC-9', 'a@x'],
    ]),
    'A',
  );
  XLSX.utils.book_append_sheet(
    wb,
    XLSX.utils.aoa_to_sheet([
      ['Device name', 'Primary user UPN'],
      ['PC-8', 'b@x'],
    ]),
    'B',
  );
  const two = path.join(dir, 'two.xlsx');
  writeFileSync(two, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }));
  const ask = await run('import', file, two);
  expect(ask.out).toMatch(/the workbook has 2 sheets that look like data \(A, B\): choose one/);
  expect(ask.out).toMatch(/sheet "B": header on row 1: Device name, Primary user UPN/);
  const got = await run('import', file, two, '--sheet', 'B', '--json');
  const f = (JSON.parse(got.out) as { files: { format: string; imported: number; sheet: string }[] }).files[0]!;
  expect([f.format, f.imported, f.sheet]).toEqual(['intune', 1, 'B']);
});
