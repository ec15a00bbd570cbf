// The XLSX writer's rules read back from the sheet XML: neutralised text, column widths, frozen header, filter, lists.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { patchWorkbook, writeWorkbook, type SheetSpec } from '../../../../core/analysis/workbook.js';

function sheetXml(bytes: Uint8Array, n = 1): string {
  const part = unzipSync(bytes)[`xl/worksheets/sheet${n}.xml`];
  if (!part) throw new Error(`no sheet ${n}`);
  return strFromU8(part);
}
const one = (spec: Partial<SheetSpec>) =>
  sheetXml(writeWorkbook([{ name: 'S', header: ['Host', 'N'], rows: [], ...spec }]));

/** Column widths in characters as written: SheetJS stores wch plus its fixed 0.83203125 padding. */
function widths(xml: string): number[] {
  return [...xml.matchAll(/<col min="\d+" max="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]) - 0.83203125);
}

describe('cells', () => {
  it('text that could run as a formula gets an apostrophe, in the header too; numbers stay numbers', () => {
    const xml = one({
      header: ['=Host', 'N'],
      rows: [
        ['@x', -5],
        ['plain', 3],
        [null, undefined],
      ],
    });
    expect(xml).toContain('<c r="A1" t="str"><v>&apos;=Host</v></c>');
    expect(xml).toContain('<c r="A2" t="str"><v>&apos;@x</v></c><c r="B2"><v>-5</v></c>');
    expect(xml).toContain('<c r="A3" t="str"><v>plain</v></c>');
    expect(xml).not.toContain('r="A4"');
  });
});

describe('column widths', () => {
  it('the header length plus 2, or the longest of the first rows plus 1, at most 60', () => {
    const xml = one({
      header: ['Hostname', 'N', 'Notes'],
      rows: [
        ['PC-1', 12345, 'x'.repeat(58)],
        ['PC-0142', 7, null],
      ],
    });
    // Hostname: max(8 + 2, 7 + 1) = 10; N: max(1 + 2, 5 + 1) = 6; Notes: 58 + 1 = 59.
    expect(widths(xml)).toEqual([10, 6, 59]);
    expect(widths(one({ header: ['A'], rows: [['x'.repeat(59)]] }))).toEqual([60]);
    expect(widths(one({ header: ['A'], rows: [['x'.repeat(100)]] }))).toEqual([60]);
    expect(widths(one({ header: ['A'.repeat(70)], rows: [] }))).toEqual([60]);
    // An empty cell measures 0 (+1), so the header decides: 1 + 2.
    expect(widths(one({ header: ['A'], rows: [[null], [undefined]] }))).toEqual([3]);
  });

  it('only the first 200 rows are measured', () => {
    const rows = Array.from({ length: 200 }, () => ['ab']);
    expect(widths(one({ header: ['A'], rows: [...rows, ['x'.repeat(30)]] }))).toEqual([3]);
    expect(widths(one({ header: ['A'], rows: [...rows.slice(1), ['x'.repeat(30)]] }))).toEqual([31]);
  });

  it('given widths are used as they are', () => {
    expect(widths(one({ header: ['A', 'B'], rows: [['x'.repeat(40)]], widths: [7, 80] }))).toEqual([7, 80]);
  });
});

describe('autofilter', () => {
  it('over the header and every row when asked; from A1 to A1 on an empty table; none when not asked', () => {
    expect(
      one({
        rows: [
          ['a', 1],
          ['b', 2],
        ],
        filter: true,
      }),
    ).toContain('<autoFilter ref="A1:B3"/>');
    expect(one({ rows: [], filter: true })).toContain('<autoFilter ref="A1:B1"/>');
    expect(one({ rows: [['a', 1]] })).not.toContain('autoFilter');
    expect(one({ header: [], rows: [], filter: true })).not.toContain('autoFilter');
  });
});

describe('frozen header', () => {
  it('a frozen pane under row 1 replaces the plain sheet view; without the flag there is none', () => {
    const frozen = one({ freezeHeader: true });
    expect(frozen).toContain(
      '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>',
    );
    expect(frozen.match(/<sheetView /g)).toHaveLength(1);
    expect(one({})).not.toContain('<pane');
  });
});

describe('drop-down lists', () => {
  it('one list validation per column, from row 2 to 1000 rows past the export, errors and prompt escaped', () => {
    const xml = one({
      header: ['Host', 'State & "next"'],
      rows: [
        ['a', 1],
        ['b', 2],
      ],
      lists: [
        { column: 1, values: ['fixed', 'a<b'], prompt: 'Pick "one"' },
        { column: 0, values: ['x'] },
      ],
    });
    expect(xml).toContain(
      '<dataValidations count="2"><dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1"' +
        ' errorStyle="stop" errorTitle="Not a valid value" error="Choose one of: fixed, a&lt;b"' +
        ' promptTitle="State &amp; &quot;next&quot;" prompt="Pick &quot;one&quot;" sqref="B2:B1003">' +
        '<formula1>&quot;fixed,a&lt;b&quot;</formula1></dataValidation>' +
        '<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" errorStyle="stop"' +
        ' errorTitle="Not a valid value" error="Choose one of: x" sqref="A2:A1003"><formula1>&quot;x&quot;</formula1>' +
        '</dataValidation></dataValidations>',
    );
  });

  it('a prompt on a column beyond the header gets an empty title; > is escaped too', () => {
    const xml = one({ header: ['A'], lists: [{ column: 3, values: ['x'], prompt: 'a > b' }] });
    expect(xml).toContain(' promptTitle="" prompt="a &gt; b" sqref="D2:D1002">');
  });

  it('the sheet is patched in place: one worksheet, one sheetData, the validations once', () => {
    const xml = one({ rows: [['a', 1]], freezeHeader: true, lists: [{ column: 0, values: ['x'] }] });
    expect(xml.match(/<worksheet /g)).toHaveLength(1);
    expect(xml.match(/<sheetData>/g)).toHaveLength(1);
    expect(xml.match(/<sheetViews>/g)).toHaveLength(1);
    expect(xml.match(/<dataValidations /g)).toHaveLength(1);
    expect(xml.endsWith('</worksheet>')).toBe(true);
  });

  it('the range ends 1000 rows below the last row, and never above row 1002', () => {
    const list = [{ column: 0, values: ['x'] }];
    expect(one({ rows: [], lists: list })).toContain('sqref="A2:A1002"');
    expect(one({ rows: [['a', 1]], lists: list })).toContain('sqref="A2:A1002"');
    expect(one({ rows: Array.from({ length: 5 }, () => ['a', 1]), lists: list })).toContain('sqref="A2:A1006"');
    expect(one({ rows: [], lists: [{ column: 27, values: ['x'] }] })).toContain('sqref="AB2:AB1002"');
  });

  it('goes after the autofilter and before the ignored errors, as the schema orders them', () => {
    const xml = one({ rows: [['a', 1]], filter: true, lists: [{ column: 0, values: ['x'] }] });
    const f = xml.indexOf('<autoFilter');
    const d = xml.indexOf('<dataValidations');
    const i = xml.indexOf('<ignoredErrors');
    expect(f).toBeGreaterThan(0);
    expect(d).toBeGreaterThan(f);
    expect(i).toBeGreaterThan(d);
  });

  it('a list of 255 characters is accepted; 256 is refused (Excel’s limit)', () => {
    // 'a,b,...' with n one-letter values is 2n - 1 characters long: 128 values = 255, then one of two letters = 256.
    const at = Array.from({ length: 128 }, () => 'a');
    expect(one({ lists: [{ column: 0, values: at }] })).toContain('dataValidation ');
    expect(() => one({ lists: [{ column: 0, values: [...at.slice(1), 'bb', 'c'] }] })).toThrow(
      'a drop-down list is longer than Excel allows (255 characters)',
    );
    expect(() => one({ lists: [{ column: 0, values: [...at.slice(1), 'bb'] }] })).toThrow(/longer than Excel allows/);
    expect(() => one({ lists: [{ column: 0, values: [...at.slice(2), 'bbb'] }] })).not.toThrow();
  });

  it('an empty list array changes nothing', () => {
    expect(one({ lists: [] })).not.toContain('dataValidation');
  });
});

describe('several sheets', () => {
  it('each sheet is patched by its own spec, in order', () => {
    const bytes = writeWorkbook([
      { name: 'Plain', header: ['A'], rows: [['=1']] },
      { name: 'Frozen', header: ['B'], rows: [], freezeHeader: true },
      { name: 'Lists', header: ['C'], rows: [], lists: [{ column: 0, values: ['y'] }] },
    ]);
    expect(sheetXml(bytes, 1)).not.toContain('<pane');
    expect(sheetXml(bytes, 1)).toContain('&apos;=1');
    expect(sheetXml(bytes, 2)).toContain('<pane');
    expect(sheetXml(bytes, 2)).not.toContain('dataValidation');
    expect(sheetXml(bytes, 3)).not.toContain('<pane');
    expect(sheetXml(bytes, 3)).toContain('<dataValidations count="1">');
    const wb = strFromU8(unzipSync(bytes)['xl/workbook.xml']!);
    expect([...wb.matchAll(/<sheet name="([^"]+)"/g)].map((m) => m[1])).toEqual(['Plain', 'Frozen', 'Lists']);
  });
});

describe('patching what SheetJS wrote', () => {
  /** A workbook with one sheet part holding `xml`, as a stand-in for a SheetJS whose output changed. */
  const zipOf = (xml: string) => zipSync({ 'xl/worksheets/sheet1.xml': strToU8(xml) });
  const spec: SheetSpec = { name: 'S', header: ['A'], rows: [] };
  const plain = '<worksheet><dimension ref="A1"/><sheetData/></worksheet>';

  it('a sheet part without the sheet view SheetJS writes is refused when a frozen header is asked, naming both', () => {
    expect(() => patchWorkbook(zipOf(plain), [{ ...spec, freezeHeader: true }])).toThrow(
      'xl/worksheets/sheet1.xml has no <sheetViews><sheetView workbookViewId="0"/></sheetViews>: ' +
        "the XLSX writer's output is not what Ringside patches",
    );
  });

  it('a sheet part without <ignoredErrors> is refused when a list is asked', () => {
    expect(() => patchWorkbook(zipOf(plain), [{ ...spec, lists: [{ column: 0, values: ['x'] }] }])).toThrow(
      "xl/worksheets/sheet1.xml has no <ignoredErrors>: the XLSX writer's output is not what Ringside patches",
    );
  });

  it('a sheet whose part is missing is refused; a sheet asking for neither is left as it was', () => {
    expect(() => patchWorkbook(zipOf(plain), [spec, spec])).toThrow('the XLSX writer left no xl/worksheets/sheet2.xml');
    const out = unzipSync(patchWorkbook(zipOf(plain), [spec]));
    expect(Object.keys(out)).toEqual(['xl/worksheets/sheet1.xml']);
    expect(strFromU8(out['xl/worksheets/sheet1.xml']!)).toBe(plain);
  });

  it('a "$&" or "$1" in a prompt or value is written as typed, not as the matched text', () => {
    const xml = one({ header: ['A'], lists: [{ column: 0, values: ['$&'], prompt: 'pay $1' }] });
    expect(xml).toContain(' promptTitle="A" prompt="pay $1" sqref="A2:A1002"><formula1>&quot;$&amp;&quot;</formula1>');
    expect(xml.match(/<ignoredErrors>/g)).toHaveLength(1);
  });
});
