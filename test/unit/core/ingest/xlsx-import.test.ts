// XLSX import: workbooks from SheetJS and from openpyxl through the CSV path (header, dates, damage, notes, hostile files).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as XLSX from '@e965/xlsx';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importErrors, importFile, type IngestReport } from '../../../../core/ingest/index.js';
import { readXlsx, serialToText } from '../../../../core/ingest/readers/xlsx.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const T = Date.UTC(2024, 6, 23);
async function ws(): Promise<Workspace> {
  return openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => T });
}

/** Runs a Python snippet with openpyxl; `out` is the path it must save to. Returns the workbook's bytes. */
function openpyxl(script: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-xlsx-'));
  const out = join(dir, 'book.xlsx');
  const file = join(dir, 'make.py');
  writeFileSync(file, `import openpyxl, datetime, sys\nout = sys.argv[1]\n${script}\n`);
  execFileSync('/usr/bin/python3', [file, out]);
  return new Uint8Array(readFileSync(out));
}

function sheetjs(sheets: Record<string, XLSX.WorkSheet>, props?: XLSX.WorkbookProperties): Uint8Array {
  const wb = XLSX.utils.book_new();
  for (const [name, sheet] of Object.entries(sheets)) XLSX.utils.book_append_sheet(wb, sheet, name);
  if (props) wb.Workbook = { WBProps: props };
  return new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
}

const INTUNE = ['Device name', 'Serial number', 'Last check-in', 'Primary user UPN', 'OS'];

/** The war room's sheet as openpyxl writes it: title row (merged), blank row, header on row 3, then devices. */
const WAR_ROOM = `
wb = openpyxl.Workbook()
notes = wb.active
notes.title = "Read me"
notes["A1"] = "Tracker for the 19 July outage"
ws = wb.create_sheet("Devices")
ws["A1"] = "London devices"
ws.merge_cells("A1:C1")
ws.append([])
ws.append(${JSON.stringify(INTUNE)})
ws.append(["PC-1", 12345, datetime.datetime(2024, 7, 19, 4, 9, 0), "a@x.com", "Windows"])
ws.append(["PC-2", "0012345", "2024-07-19T05:00:00Z", "b@x.com", "Windows"])
ws.append(["PC-3", "5CD1234XYZ", datetime.datetime(2024, 7, 19, 6, 30, 0), "=LOWER(\\"C@X.COM\\")", "Windows"])
ws.row_dimensions[5].hidden = True
ws.column_dimensions["E"].hidden = True
`;

const lastSeen = (w: Workspace, host: string) =>
  w.db.value<number>('SELECT last_seen FROM devices WHERE hostname = ?', [host]);

async function errorsOf(w: Workspace, r: IngestReport) {
  return (await importErrors(w, r.importId!, { limit: 1000 })).errors;
}

describe('XLSX import (openpyxl workbook)', () => {
  it('finds the data sheet and its header under a title, reads dates, and reports merges, hidden rows and formulas', async () => {
    const w = await ws();
    const r = await importFile(w, inputFromBytes('war-room.xlsx', openpyxl(`${WAR_ROOM}\nwb.save(out)`)));
    expect(r.errors.filter((e) => !e.message.startsWith('kept'))).toEqual([]);
    expect(r.format).toBe('intune');
    expect(r.sheet).toBe('Devices');
    expect(r.imported).toBe(3);
    const notes = r.notes.join('\n');
    expect(notes).toMatch(/header found on row 3; the 2 rows above it/);
    expect(notes).toMatch(/1 merged cell range \(A1:C1\)/);
    expect(notes).toMatch(/hidden rows were read: 5/);
    expect(notes).toMatch(/hidden columns were read: E \(OS\)/);
    expect(notes).toMatch(/sheets not read \(no table found in them\): Read me/);
    // openpyxl never stores a formula's result: the cell is empty, and the note says why.
    expect(notes).toMatch(/1 formula cell .*1 had no saved value/);
    // 2024-07-19 04:09 as an Excel serial (45492.1729…) is read as that wall-clock time, in UTC like any zoneless date.
    expect(lastSeen(w, 'PC-1')).toBe(Date.UTC(2024, 6, 19, 4, 9));
    expect(lastSeen(w, 'PC-2')).toBe(Date.UTC(2024, 6, 19, 5, 0));
    expect(lastSeen(w, 'PC-3')).toBe(Date.UTC(2024, 6, 19, 6, 30));
    const errs = await errorsOf(w, r);
    // The serial typed as 12345 is a number in the sheet: flagged on its row (row 4) and column.
    expect(errs).toContainEqual({
      line: 4,
      field: 'Serial number',
      message: expect.stringMatching(/"12345" is stored as a number in the workbook/),
    });
    expect(errs.filter((e) => /stored as a number/.test(e.message))).toHaveLength(1);
  });

  it('reads a 1904-date-system workbook to the same instants', async () => {
    const w = await ws();
    const bytes = openpyxl(`${WAR_ROOM}\nwb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904\nwb.save(out)`);
    const r = await importFile(w, inputFromBytes('mac.xlsx', bytes));
    expect(r.notes.join('\n')).toMatch(/1904 date system/);
    expect(lastSeen(w, 'PC-1')).toBe(Date.UTC(2024, 6, 19, 4, 9));
    expect(lastSeen(w, 'PC-3')).toBe(Date.UTC(2024, 6, 19, 6, 30));
  });
});

describe('Excel serials', () => {
  it('1900 system: day 1 is 1900-01-01, Excel’s phantom 29 Feb is skipped, 45492.5 is noon on 19 July 2024', () => {
    expect(serialToText(1, false)).toBe('1900-01-01');
    expect(serialToText(59, false)).toBe('1900-02-28');
    expect(serialToText(61, false)).toBe('1900-03-01');
    // 25569 days after 1899-12-30 is the Unix epoch.
    expect(serialToText(25569, false)).toBe('1970-01-01');
    expect(serialToText(45492.5, false)).toBe('2024-07-19 12:00:00');
  });
  it('1904 system: day 0 is 1904-01-01, 1462 days after the 1900 system', () => {
    expect(serialToText(0, true)).toBe('1904-01-01');
    expect(serialToText(45492.5 - 1462, true)).toBe('2024-07-19 12:00:00');
  });
});

describe('XLSX import (SheetJS workbooks)', () => {
  const fleet = () => XLSX.utils.aoa_to_sheet([INTUNE, ['PC-1', 'SN1', '2024-07-19 04:09', 'a@x.com', 'Windows']]);
  const keys = () =>
    XLSX.utils.aoa_to_sheet([
      ['Hostname', 'KeyID', 'RecoveryKey'],
      ['PC-1', '{11111111-2222-3333-4444-555555555555}', 1.23456789012345e47],
    ]);

  it('two data sheets: nothing is imported until one is chosen; then that one is read', async () => {
    const w = await ws();
    const bytes = sheetjs({ Fleet: fleet(), Keys: keys() });
    const r = await importFile(w, inputFromBytes('two.xlsx', bytes));
    expect(r.imported).toBe(0);
    expect(r.sheets?.map((s) => s.name)).toEqual(['Fleet', 'Keys']);
    expect(r.errors[0]!.message).toMatch(/^two\.xlsx: the workbook has 2 sheets that look like data \(Fleet, Keys\)/);
    const k = await importFile(w, inputFromBytes('two.xlsx', bytes), { sheet: 'Keys' });
    expect(k.format).toBe('bitlocker');
    expect(k.sheet).toBe('Keys');
    // The recovery key Excel turned into 1.23457E+47 is refused with the same reason as in a CSV.
    expect(k.errors).toContainEqual({
      line: 2,
      field: expect.any(String),
      message: expect.stringMatching(/turned into a number by a spreadsheet/),
    });
    const f = await importFile(w, inputFromBytes('two.xlsx', bytes), { sheet: 'fleet' });
    expect(f.format).toBe('intune');
    expect(f.imported).toBe(1);
  });

  it('formulas give the value Excel saved, never a recalculation', async () => {
    const w = await ws();
    const sheet = fleet();
    // The cached value disagrees with the formula on purpose: the cached one must be what is read.
    sheet['A2'] = { t: 's', v: 'PC-CACHED', f: 'CONCAT("PC-","OTHER")' };
    const r = await importFile(w, inputFromBytes('f.xlsx', sheetjs({ Fleet: sheet })));
    expect(r.imported).toBe(1);
    expect(w.db.value<string>('SELECT hostname FROM devices')).toBe('PC-CACHED');
    expect(r.notes.join('\n')).toMatch(/1 formula cell read as the value Excel last saved/);
  });

  it('a sheet named that does not exist is one message listing the sheets', async () => {
    const w = await ws();
    const r = await importFile(w, inputFromBytes('one.xlsx', sheetjs({ Fleet: fleet() })), { sheet: 'Nope' });
    expect(r.errors).toEqual([
      { line: 0, field: '(sheet)', message: 'one.xlsx: the workbook has no sheet "Nope" (its sheets: Fleet)' },
    ]);
  });
});

describe('hostile workbooks: one message naming the file (and sheet), no crash, no hang', () => {
  const base = () =>
    sheetjs({
      Tracker: XLSX.utils.aoa_to_sheet([INTUNE, ['PC-1', 'SN1', '2024-07-19 04:09', 'a@x.com', 'Windows']]),
    });
  /** Replaces one part of a workbook and zips it again. */
  const withPart = (bytes: Uint8Array, path: string, edit: (xml: string) => string, level: 0 | 9 = 9) => {
    const z = unzipSync(bytes);
    z[path] = strToU8(edit(strFromU8(z[path]!)));
    return zipSync(z, { level });
  };
  const only = async (name: string, bytes: Uint8Array) => {
    const w = await ws();
    const t = Date.now();
    const r = await importFile(w, inputFromBytes(name, bytes));
    return { r, ms: Date.now() - t, w };
  };

  it('encrypted (password-protected) workbook', async () => {
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, 'EncryptionInfo', new Uint8Array([4, 0, 4, 0, 0x40, 0, 0, 0]));
    XLSX.CFB.utils.cfb_add(cfb, 'EncryptedPackage', new Uint8Array(4096).fill(7));
    const { r } = await only('locked.xlsx', new Uint8Array(XLSX.CFB.write(cfb, { type: 'array' }) as ArrayBuffer));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/^locked\.xlsx is an encrypted \(password-protected\) workbook/);
  });

  it('.xls (BIFF8)', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([INTUNE]), 'Old');
    const { r } = await only('old.xls', new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'biff8' })));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/^old\.xls is an Excel 97-2003 workbook/);
  });

  it('truncated', async () => {
    const b = base();
    const { r } = await only('half.xlsx', b.subarray(0, Math.floor(b.length / 2)));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/^half\.xlsx is cut off/);
  });

  it('zip bomb: a shared-strings part inflating far past 200:1 is refused before SheetJS sees it', async () => {
    const bomb = withPart(base(), 'xl/worksheets/sheet1.xml', (x) =>
      x.replace('</worksheet>', `<!--${' '.repeat(64 << 20)}--></worksheet>`),
    );
    const { r, ms } = await only('bomb.xlsx', bomb);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(
      /^bomb\.xlsx: entry xl\/worksheets\/sheet1\.xml declares \d+ bytes .*ZIP bomb/,
    );
    expect(ms).toBeLessThan(10_000);
  });

  it('a sheet with a million empty styled rows: the data rows are read, the rest named in one note, in under 10 s', async () => {
    const rows: string[] = [];
    for (let n = 3; n <= 1_000_002; n++) rows.push(`<row r="${n}" s="1" customFormat="1" ht="15" customHeight="1"/>`);
    const big = withPart(base(), 'xl/worksheets/sheet1.xml', (x) =>
      x
        .replace('</sheetData>', `${rows.join('')}</sheetData>`)
        .replace(/<dimension ref="[^"]*"\/>/, '<dimension ref="A1:J1000002"/>'),
    );
    const { r, ms } = await only('styled.xlsx', big);
    expect(r.imported).toBe(1);
    expect(r.notes.join('\n')).toMatch(
      /sheet "Tracker": 1,000,000 formatted but empty rows after the last data row \(2\) were skipped/,
    );
    expect(ms).toBeLessThan(10_000);
  }, 20_000);

  it('a sheet XML over the size limit is refused by its declared size, naming file and sheet', async () => {
    // Stored (not deflated) so the ratio check passes and the size limit is what refuses it.
    const huge = withPart(
      base(),
      'xl/worksheets/sheet1.xml',
      (x) => x.replace('</worksheet>', `<!--${'x'.repeat((256 << 20) + 16)}--></worksheet>`),
      0,
    );
    const { r } = await only('huge.xlsx', huge);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/^huge\.xlsx: sheet "Tracker": its XML declares \d+ bytes; at most 268435456/);
  }, 30_000);
});

describe('the sheet is streamed', () => {
  it('rows are handed on while the sheet is read: damage at the end of the XML comes after the first batches', async () => {
    const aoa: unknown[][] = [INTUNE];
    for (let i = 0; i < 29_000; i++) aoa.push([`PC-${i}`, `SN${i}`, '2024-07-19 04:09', `u${i}@x.com`, 'Windows']);
    const z = unzipSync(sheetjs({ Tracker: XLSX.utils.aoa_to_sheet(aoa) }));
    const path = 'xl/worksheets/sheet1.xml';
    // An unclosed element after the data: a whole-sheet reader sees it before any row is handed on.
    z[path] = strToU8(strFromU8(z[path]!).replace('</worksheet>', '<broken></worksheet>'));
    const got: number[] = [];
    const sink = {
      header: () => true,
      rows: (_: string[][], lines: number[], n: number) => void got.push(...lines.slice(0, n)),
    };
    await expect(readXlsx(zipSync(z), 'end.xlsx', sink, [])).rejects.toThrow(
      /sheet "Tracker": its XML cannot be read .*the workbook is damaged/,
    );
    // Batches of 5,000: the five full ones are handed on as the sheet is read; the last 4,000 rows would only go at
    // its end, which is where the damage is.
    expect(got.length).toBe(25_000);
    expect(got[0]).toBe(2);
  }, 30_000);
});
