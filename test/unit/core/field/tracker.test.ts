// The recovery tracker round trip and the report workbook: what Excel and openpyxl see, what comes back, what never leaves.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as XLSX from '@e965/xlsx';
import { strFromU8, unzipSync } from 'fflate';
import initSqlJs from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { recompute } from '../../../../core/analysis/recompute.js';
import { reportWorkbook } from '../../../../core/report/report-xlsx.js';
import { applyAction } from '../../../../core/session.js';
import { exportTracker, isTracker, trackerDiff } from '../../../../core/field/tracker.js';
import { trackerActions } from '../../../../core/field/tracker-actions.js';
import type { Workspace } from '../../../../core/workspace.js';
import { fieldWorkspace, findRecoveryPasswords, recoveryPassword } from './helpers.js';

let SQL: Awaited<ReturnType<typeof initSqlJs>>;
beforeAll(async () => {
  SQL = await initSqlJs();
});

/** Runs Python with openpyxl on a workbook; the script gets its path as `path` and prints JSON. */
function openpyxl(bytes: Uint8Array, script: string): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-tracker-'));
  const path = join(dir, 'book.xlsx');
  writeFileSync(path, bytes);
  writeFileSync(join(dir, 'run.py'), `import openpyxl, json, sys\npath = sys.argv[1]\n${script}\n`);
  const out = execFileSync('/usr/bin/python3', [join(dir, 'run.py'), path], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : readFileSync(path);
}

const trackerRows = (bytes: Uint8Array) =>
  XLSX.utils.sheet_to_json<Record<string, unknown>>(XLSX.read(bytes, { type: 'array' }).Sheets.Tracker!);

/** Sets the Result (and technician) of the Tracker rows whose hostname is given, as a war-room script would. */
function editWithSheetJs(bytes: Uint8Array, edits: Record<string, string>, extra: unknown[][] = []): Uint8Array {
  const wb = XLSX.read(bytes, { type: 'array' });
  const ws = wb.Sheets.Tracker!;
  const range = XLSX.utils.decode_range(ws['!ref']!);
  for (let r = 1; r <= range.e.r; r++) {
    const host = ws[XLSX.utils.encode_cell({ r, c: 1 })]?.v as string;
    if (host in edits) {
      ws[XLSX.utils.encode_cell({ r, c: 5 })] = { t: 's', v: edits[host] };
      ws[XLSX.utils.encode_cell({ r, c: 6 })] = { t: 's', v: 'Ana' };
    }
  }
  if (extra.length) XLSX.utils.sheet_add_aoa(ws, extra, { origin: -1 });
  return new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
}

async function apply(ws: Workspace, bytes: Uint8Array, name: string) {
  const diff = trackerDiff(ws, bytes, name);
  await ws.db.txAsync(async () => {
    for (const a of trackerActions(diff, ws.now())) await applyAction(ws, a);
  });
  return diff;
}

describe('recovery tracker export', () => {
  it('has a frozen header, a filter and a Result drop-down as openpyxl reads them; key IDs but never keys', async () => {
    const ws = await fieldWorkspace(SQL);
    const { bytes, rows, name } = exportTracker(ws, { site: 'LON' });
    expect(name).toBe('recovery-tracker-LON.xlsx');
    // helpers.ts puts 6 devices in LON and 2 in NYC.
    expect(rows).toBe(6);
    const seen = openpyxl(
      bytes,
      `wb = openpyxl.load_workbook(path)
ws = wb["Tracker"]
pane = ws.sheet_view.pane
print(json.dumps({"freeze": ws.freeze_panes, "pane": [pane.ySplit, pane.state], "filter": ws.auto_filter.ref, "max_row": ws.max_row,
  "dv": [[d.type, d.formula1, str(d.sqref)] for d in ws.data_validations.dataValidation],
  "header": [c.value for c in ws[1]], "sheets": wb.sheetnames}))`,
    ) as {
      freeze: string;
      pane: [number, string];
      filter: string;
      max_row: number;
      dv: string[][];
      header: string[];
      sheets: string[];
    };
    expect(seen.freeze).toBe('A2');
    expect(seen.pane).toEqual([1, 'frozen']);
    expect(seen.filter).toBe('A1:J7');
    expect(seen.max_row).toBe(7);
    expect(seen.sheets).toEqual(['Tracker', 'About']);
    expect(seen.header[5]).toBe('Result');
    expect(seen.dv).toEqual([['list', '"fixed,in_progress,failed,needs_reimage,not_found,deferred"', 'F2:F1007']]);
    // Every part of the file, inflated: the key IDs are there, no recovery password is.
    const all = Object.values(unzipSync(bytes))
      .map((b) => strFromU8(b))
      .join('\n');
    expect(findRecoveryPasswords(all)).toEqual([]);
    expect(all).not.toContain(recoveryPassword(1));
    expect(all).toContain('00000001-aaaa-bbbb-cccc-000000000001');
    expect(isTracker(bytes)).toBe(true);
  });
});

describe('recovery tracker import', () => {
  it('three edited results become three changes; unknown devices and values are listed, not guessed', async () => {
    const ws = await fieldWorkspace(SQL);
    const { bytes } = exportTracker(ws, {});
    const edited = editWithSheetJs(
      bytes,
      { 'PC-1': 'fixed', 'PC-2': 'Needs reimage', 'PC-7': 'not found', 'PC-3': 'sorted' },
      [
        [999, 'PC-999', 'LON', '', '', 'fixed'],
        [4, 'PC-5', 'LON', '', '', 'fixed'],
        ['', 'PC-NEW', 'LON', '', '', 'fixed'],
      ],
    );
    const diff = trackerDiff(ws, edited, 'back.xlsx');
    expect(diff.changes.map((c) => [c.hostname, c.from, c.to, c.technician])).toEqual([
      ['PC-1', null, 'fixed', 'Ana'],
      ['PC-2', null, 'needs_reimage', 'Ana'],
      ['PC-7', null, 'not_found', 'Ana'],
    ]);
    expect(diff.problems.map((p) => [p.hostname, p.reason])).toEqual([
      ['PC-3', expect.stringMatching(/^Result "sorted" is not one of fixed, in_progress/)],
      ['PC-999', 'no device #999 in this workspace'],
      ['PC-5', 'device #4 is PC-4 in this workspace, not "PC-5"'],
      ['PC-NEW', 'no Device #'],
    ]);
    // 8 devices, 4 of them edited, 3 of the edits valid: 4 rows without a result are unchanged.
    expect(diff.unchanged).toBe(4);
    // Nothing changed by the diff itself.
    expect(ws.db.value<number>('SELECT COUNT(*) FROM results')).toBe(0);
  });

  it('applying journals each change as a device.result: results, audit entries and states move by exactly three', async () => {
    const ws = await fieldWorkspace(SQL);
    const audits = () => ws.db.value<number>("SELECT COUNT(*) FROM audit WHERE action = 'device.result'");
    const before = audits()!;
    recompute(ws);
    const fixed = () => ws.db.value<number>("SELECT COUNT(*) FROM devices WHERE state = 'fixed'");
    expect(fixed()).toBe(0);
    const edited = editWithSheetJs(exportTracker(ws, {}).bytes, { 'PC-1': 'fixed', 'PC-2': 'fixed', 'PC-8': 'fixed' });
    const diff = await apply(ws, edited, 'back.xlsx');
    expect(diff.changes).toHaveLength(3);
    expect(audits()).toBe(before + 3);
    expect(fixed()).toBe(3);
    expect(
      ws.db.all<{ device_id: number; result: string; method: string; notes: string }>(
        'SELECT device_id, result, method, notes FROM results ORDER BY device_id',
      ),
    ).toEqual([
      { device_id: 1, result: 'fixed', method: 'tracker', notes: 'from back.xlsx, row 2' },
      { device_id: 2, result: 'fixed', method: 'tracker', notes: 'from back.xlsx, row 3' },
      { device_id: 8, result: 'fixed', method: 'tracker', notes: 'from back.xlsx, row 9' },
    ]);
    // The same file again: every row now matches the latest result, so there is nothing to apply.
    expect(trackerDiff(ws, edited, 'back.xlsx').changes).toEqual([]);
  });

  it('reads a tracker edited and saved by openpyxl (a second writer)', async () => {
    const ws = await fieldWorkspace(SQL);
    const saved = openpyxl(
      exportTracker(ws, {}).bytes,
      `wb = openpyxl.load_workbook(path)
ws = wb["Tracker"]
for row in ws.iter_rows(min_row=2):
    if row[1].value == "PC-6":
        row[5].value = "in_progress"
wb.save(path)`,
    ) as Uint8Array;
    const diff = trackerDiff(ws, new Uint8Array(saved), 'openpyxl.xlsx');
    expect(diff.changes.map((c) => [c.hostname, c.to])).toEqual([['PC-6', 'in_progress']]);
    expect(diff.problems).toEqual([]);
  });

  it('a fleet workbook is not a tracker', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['Device name', 'Serial number']]), 'Tracker');
    expect(isTracker(new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' })))).toBe(false);
  });
});

describe('report workbook', () => {
  it('has the managers’ sheets, and every text cell starting with = + - @ tab or CR is neutralised', async () => {
    const ws = await fieldWorkspace(SQL);
    const hostile = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR'];
    hostile.forEach((h, i) =>
      ws.db.run(`INSERT INTO devices(id, hostname, host_key, site, state) VALUES (?, ?, ?, ?, 'needs_fix')`, [
        100 + i,
        h,
        `H${i}`,
        h,
      ]),
    );
    recompute(ws);
    const { bytes } = reportWorkbook(ws);
    const wb = XLSX.read(bytes, { type: 'array' });
    expect(wb.SheetNames).toEqual(['Summary', 'By ring', 'By site', 'Burn-down', 'Gate would have spared', 'Devices']);
    const cells = Object.values(wb.Sheets)
      .flatMap((s) => XLSX.utils.sheet_to_json<unknown[]>(s, { header: 1 }))
      .flat()
      .filter((v): v is string => typeof v === 'string');
    for (const h of hostile) {
      expect(cells).toContain(`'${h}`);
      expect(cells).not.toContain(h);
    }
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    // The site summary counts the hostile sites as sites like any other: 2 real sites + 6.
    expect(XLSX.utils.sheet_to_json(wb.Sheets['By site']!)).toHaveLength(8);
    // No formula anywhere in the workbook's XML.
    const xml = Object.values(unzipSync(bytes))
      .map((b) => strFromU8(b))
      .join('\n');
    expect(xml).not.toMatch(/<f[ >]/);
    // openpyxl opens it and sees the Devices sheet with its frozen header.
    expect(openpyxl(bytes, 'print(json.dumps(openpyxl.load_workbook(path)["Devices"].freeze_panes))')).toBe('A2');
  });
});

// The tracker rows helper is used in the e2e script too: keep it exercised.
describe('tracker rows', () => {
  it('lists one row per device with its site and key IDs', async () => {
    const ws = await fieldWorkspace(SQL);
    const rows = trackerRows(exportTracker(ws, { site: 'NYC' }).bytes);
    expect(rows.map((r) => [r.Hostname, r.Site, r['BitLocker key IDs']])).toEqual([
      ['PC-7', 'NYC', '00000007-aaaa-bbbb-cccc-000000000007'],
      ['PC-8', 'NYC', '00000008-aaaa-bbbb-cccc-000000000008'],
    ]);
  });
});
