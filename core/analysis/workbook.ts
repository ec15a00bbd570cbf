// XLSX writing for exports: SheetJS builds the workbook; frozen header rows and list validations are added to the sheet XML.
import * as XLSX from '@e965/xlsx';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { neutralise } from '../shared/csv.js';

export type CellValue = string | number | null | undefined;

export interface SheetSpec {
  name: string;
  header: string[];
  rows: CellValue[][];
  /** Column widths in characters (default: from the header and the first rows). */
  widths?: number[];
  /** Keep the header row in view while scrolling (a frozen pane under row 1). */
  freezeHeader?: boolean;
  /** An autofilter over the header and rows. */
  filter?: boolean;
  /** Drop-down lists: the column (0-based) and the values a cell may take (Excel's "List" data validation). */
  lists?: { column: number; values: readonly string[]; prompt?: string }[];
}

/** Numbers stay numbers (a negative count is data); text is guarded as in CSV exports. */
const text = (v: CellValue): CellValue => (typeof v === 'string' ? neutralise(v) : v);

function sheetOf(spec: SheetSpec): XLSX.WorkSheet {
  const aoa: CellValue[][] = [spec.header.map(text), ...spec.rows.map((r) => r.map(text))];
  const ws = XLSX.utils.aoa_to_sheet(aoa, { dense: true });
  const n = aoa.length;
  const widths =
    spec.widths ??
    spec.header.map((h, c) =>
      Math.min(60, Math.max(h.length + 2, ...spec.rows.slice(0, 200).map((r) => String(r[c] ?? '').length + 1))),
    );
  ws['!cols'] = widths.map((wch) => ({ wch }));
  if (spec.filter && spec.header.length)
    ws['!autofilter'] = {
      // n counts the header, so n - 1 is the last row even on an empty table.
      ref: XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: n - 1, c: spec.header.length - 1 } }),
    };
  return ws;
}

const xmlAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The sheet view SheetJS writes into every sheet; the frozen pane replaces it. */
const SHEET_VIEWS = '<sheetViews><sheetView workbookViewId="0"/></sheetViews>';
/** The last element SheetJS writes into every sheet; data validations go just before it. */
const IGNORED_ERRORS = '<ignoredErrors>';

/**
 * Puts `by` in place of `anchor` in a sheet part as SheetJS writes it. A part without the anchor means SheetJS's
 * output has changed: the export fails here rather than going out without its frozen pane or lists.
 */
function replaceIn(xml: string, anchor: string, by: string, path: string): string {
  if (!xml.includes(anchor))
    throw new Error(`${path} has no ${anchor}: the XLSX writer's output is not what Ringside patches`);
  // A function, so a "$&" in a list value or prompt is inserted as written, not as the matched anchor.
  return xml.replace(anchor, () => by);
}

/**
 * What SheetJS's community edition does not write, written into the sheet XML in the places the schema (CT_Worksheet)
 * orders them: the frozen pane inside sheetViews, dataValidations after autoFilter and before ignoredErrors (SheetJS
 * writes none of the other elements that sit between them: hyperlinks, margins, page setup).
 */
function patchSheetXml(xml: string, spec: SheetSpec, rows: number, path: string): string {
  let out = xml;
  if (spec.freezeHeader) {
    const pane =
      '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
      '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>';
    out = replaceIn(out, SHEET_VIEWS, `<sheetViews>${pane}</sheetViews>`, path);
  }
  if (spec.lists?.length) {
    const last = Math.max(rows, 2) + 1000; // room for rows the war room adds under the export
    const dv = spec.lists
      .map((l) => {
        const col = XLSX.utils.encode_col(l.column);
        // A literal list is one quoted, comma-separated string of at most 255 characters (Excel's limit).
        const list = `"${l.values.join(',')}"`;
        if (list.length > 257) throw new Error('a drop-down list is longer than Excel allows (255 characters)');
        return (
          `<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" errorStyle="stop"` +
          ` errorTitle="Not a valid value" error="${xmlAttr(`Choose one of: ${l.values.join(', ')}`)}"` +
          (l.prompt ? ` promptTitle="${xmlAttr(spec.header[l.column] ?? '')}" prompt="${xmlAttr(l.prompt)}"` : '') +
          ` sqref="${col}2:${col}${last}"><formula1>${xmlAttr(list)}</formula1></dataValidation>`
        );
      })
      .join('');
    const block = `<dataValidations count="${spec.lists.length}">${dv}</dataValidations>`;
    out = replaceIn(out, IGNORED_ERRORS, `${block}${IGNORED_ERRORS}`, path);
  }
  return out;
}

/**
 * Adds to an XLSX file as SheetJS writes it what SheetJS does not write (frozen header, lists), sheet i of `sheets`
 * in part `xl/worksheets/sheet<i + 1>.xml`, as SheetJS names them. Exported for the tests of its refusals.
 */
export function patchWorkbook(bytes: Uint8Array, sheets: SheetSpec[]): Uint8Array {
  const files = unzipSync(bytes);
  sheets.forEach((s, i) => {
    const path = `xl/worksheets/sheet${i + 1}.xml`;
    const part = files[path];
    if (!part) throw new Error(`the XLSX writer left no ${path}`);
    files[path] = strToU8(patchSheetXml(strFromU8(part), s, s.rows.length + 1, path));
  });
  return zipSync(files);
}

/** Writes the sheets as one XLSX file. Every text cell is neutralised like a CSV cell (= + - @ tab CR NUL). */
export function writeWorkbook(sheets: SheetSpec[]): Uint8Array {
  const wb = XLSX.utils.book_new();
  for (const s of sheets) XLSX.utils.book_append_sheet(wb, sheetOf(s), s.name);
  // XLSX (the default book type), uncompressed: patchWorkbook unzips it at once and compresses the result.
  const bytes = new Uint8Array(XLSX.write(wb, { type: 'array' }) as ArrayBuffer);
  return patchWorkbook(bytes, sheets);
}
