// CSV export: RFC 4180 quoting and formula-injection protection, including multi-line cells papaparse misses.
import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../../../core/shared/csv.js';
import { analysisHandlers as h } from '../../../../core/analysis/handlers.js';
import { recompute } from '../../../../core/analysis/recompute.js';
import { addDevice, emptyWorkspace } from './fixtures.js';

const HOSTILE = [
  '=1+1',
  '+1',
  '-2',
  '@SUM(A1)',
  '\tx',
  '\rx',
  '\0x',
  '=1+1\nabc',
  "=cmd|' /C calc'!A0\r\n",
  '=HYPERLINK("x")',
];

describe('CSV export', () => {
  it('prefixes every cell that could run as a formula', () => {
    for (const s of HOSTILE) {
      const c = csvCell(s);
      const inner = c.startsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c;
      expect(inner, JSON.stringify(s)).toBe(`'${s}`);
    }
    expect(csvCell('PC-1')).toBe('PC-1');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
  });

  it('round-trips through an independent RFC 4180 reader, modulo the prefix', () => {
    const rows = HOSTILE.map((s, i) => [s, `plain ${i}`, 'multi\nline, "quoted"']);
    const text = toCsv(['a', 'b', 'c'], rows);
    // A tiny independent RFC 4180 reader, so the check does not share code with the writer.
    const out: string[][] = [];
    let row: string[] = [];
    let cell = '';
    let q = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (q) {
        if (ch === '"' && text[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (ch === '"') q = false;
        else cell += ch;
      } else if (ch === '"') q = true;
      else if (ch === ',') {
        row.push(cell);
        cell = '';
      } else if (ch === '\r' && text[i + 1] === '\n') {
        row.push(cell);
        out.push(row);
        row = [];
        cell = '';
        i++;
      } else cell += ch;
    }
    expect(out[0]).toEqual(['a', 'b', 'c']);
    expect(out.slice(1)).toEqual(rows.map((r) => [`'${r[0]}`, r[1], r[2]]));
  });

  it('exports a device named =HYPERLINK("x") with the prefix', async () => {
    const ws = await emptyWorkspace();
    addDevice(ws, { hostname: '=HYPERLINK("x")', tags: '@evil' });
    addDevice(ws, { hostname: 'PC-2' });
    recompute(ws);
    const csv = h.exportDevicesCsv(ws, {});
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain("'@evil");
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(3);
  });
});
