// Hostile and foreign workbooks are told apart before parsing: encrypted, .xls (BIFF), truncated, and a real XLSX.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as XLSX from '@e965/xlsx';
import { describe, expect, it } from 'vitest';
import { sniffWorkbook } from '../../../../core/ingest/readers/xlsx-sniff.js';

function sheetjsBook(bookType: 'xlsx' | 'biff8'): Uint8Array {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(
    wb,
    XLSX.utils.aoa_to_sheet([
      ['Hostname', 'State'],
      ['PC-1', 'fixed'],
    ]),
    'Devices',
  );
  return new Uint8Array(XLSX.write(wb, { type: 'array', bookType }) as ArrayBuffer);
}

/** An XLSX written by a second writer (openpyxl), so the sniffing is not only tested against SheetJS's output. */
function openpyxlBook(): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-xlsx-'));
  const out = join(dir, 'tracker.xlsx');
  execFileSync('/usr/bin/python3', [
    '-c',
    'import openpyxl,sys\nwb=openpyxl.Workbook()\nws=wb.active\nws.title="Tracker"\nws.append(["Hostname","State"])\nws.append(["PC-1","fixed"])\nwb.save(sys.argv[1])',
    out,
  ]);
  return new Uint8Array(readFileSync(out));
}

describe('sniffWorkbook', () => {
  it('accepts XLSX from SheetJS and from openpyxl', () => {
    expect(sniffWorkbook(sheetjsBook('xlsx'), 'a.xlsx')).toBe('xlsx');
    expect(sniffWorkbook(openpyxlBook(), 'b.xlsx')).toBe('xlsx');
  });

  it('refuses an .xls (BIFF) workbook by name', () => {
    expect(() => sniffWorkbook(sheetjsBook('biff8'), 'old.xls')).toThrow(/old\.xls is an Excel 97-2003 workbook/);
  });

  it('refuses an encrypted OOXML container (CFB with EncryptionInfo and EncryptedPackage)', () => {
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, 'EncryptionInfo', new Uint8Array([4, 0, 4, 0, 0x40, 0, 0, 0]));
    XLSX.CFB.utils.cfb_add(cfb, 'EncryptedPackage', new Uint8Array(4096).fill(7));
    const bytes = new Uint8Array(XLSX.CFB.write(cfb, { type: 'array' }) as ArrayBuffer);
    expect(() => sniffWorkbook(bytes, 'locked.xlsx')).toThrow(/locked\.xlsx is an encrypted \(password-protected\)/);
  });

  it('refuses a truncated XLSX with a message naming the file', () => {
    const whole = openpyxlBook();
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    expect(() => sniffWorkbook(cut, 'half.xlsx')).toThrow(/half\.xlsx is cut off/);
  });

  it('leaves a ZIP that is not a workbook and plain text alone', () => {
    expect(sniffWorkbook(new TextEncoder().encode('Hostname,State\nPC-1,fixed\n'), 'a.csv')).toBe('not-workbook');
  });
});
