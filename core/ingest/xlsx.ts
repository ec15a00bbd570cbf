// XLSX import: one sheet of a workbook handed to the same sink as a CSV (header found below titles, Excel's damage noted).
import * as XLSX from '@e965/xlsx';
import { throwIfCancelled, type JobOptions } from '../contract/jobs.js';
import { fixHeader, type CsvSink, type RowBatch, type RowNote } from './csv.js';
import { FileError } from './decode.js';
import { detectFormat } from './formats.js';
import { excelMangled } from './normalize.js';
import { ZipArchive, type ZipEntry } from './zip.js';

/**
 * Limits of workbook reading on top of ZIP_LIMITS. SheetJS turns a sheet's XML into one string (V8 caps strings at
 * about 512 Mi characters), so sheets and shared strings are refused by their declared size before anything is parsed.
 */
export const XLSX_LIMITS = {
  /** A worksheet's XML as the ZIP directory declares it (a 100,000-row, 10-column sheet is about 13 MiB). */
  maxSheetXml: 256 << 20,
  /** The shared-strings part, which every sheet's text cells point into. */
  maxSharedStrings: 256 << 20,
  /** Rows looked at for the header (titles, blank rows and notes above it). */
  headerScan: 30,
} as const;

const BATCH = 5000;

/** What the import view and the CLI need to let the user pick a sheet. */
export interface SheetInfo {
  name: string;
  hidden: boolean;
  /** The header row found (1-based), or null when the sheet does not look like a table. */
  headerRow: number | null;
  header: string[];
}

/** Several sheets look like data and none was named: the caller asks the user (import view) or wants `--sheet`. */
export class SheetChoiceError extends FileError {
  constructor(
    message: string,
    readonly sheets: SheetInfo[],
  ) {
    super(message, '(sheet)', 0);
  }
}

interface SheetPart {
  name: string;
  hidden: boolean;
  entry: ZipEntry | null;
}

const attr = (tag: string, name: string): string | null => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? xmlText(m[1]!) : null;
};
const xmlText = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

async function smallPart(zip: ZipArchive, path: string): Promise<string | null> {
  const e = zip.entries.find((x) => x.name === path);
  if (!e) return null;
  return new TextDecoder().decode(await zip.read(e, 16 << 20));
}

/** The workbook's sheets in tab order with their parts, read from workbook.xml and its relationships. */
async function sheetParts(zip: ZipArchive): Promise<SheetPart[]> {
  const wb = await smallPart(zip, 'xl/workbook.xml');
  if (wb === null) throw new FileError('the workbook has no xl/workbook.xml; it is damaged', '(file)', 0);
  const rels = (await smallPart(zip, 'xl/_rels/workbook.xml.rels')) ?? '';
  const target = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(m[0], 'Id');
    const t = attr(m[0], 'Target');
    if (id && t) target.set(id, t.startsWith('/') ? t.slice(1) : `xl/${t}`);
  }
  const out: SheetPart[] = [];
  for (const m of wb.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const name = attr(m[0], 'name') ?? `Sheet${out.length + 1}`;
    const rid = attr(m[0], 'r:id') ?? /\s\w+:id="([^"]*)"/.exec(m[0])?.[1] ?? '';
    const path = target.get(rid);
    const state = attr(m[0], 'state');
    out.push({
      name,
      hidden: state === 'hidden' || state === 'veryHidden',
      entry: path ? (zip.entries.find((e) => e.name === path) ?? null) : null,
    });
  }
  if (!out.length) throw new FileError('the workbook lists no sheet', '(file)', 0);
  return out;
}

/** Excel's error codes as the cell shows them. */
const ERRORS: Record<number, string> = {
  0x00: '#NULL!',
  0x07: '#DIV/0!',
  0x0f: '#VALUE!',
  0x17: '#REF!',
  0x1d: '#NAME?',
  0x24: '#NUM!',
  0x2a: '#N/A',
  0x2b: '#GETTING_DATA',
};

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * An Excel date serial as the wall-clock text it shows (no zone: Excel stores none, so it is read as UTC and flagged
 * like any zoneless date). 1900 system: day 25569 is 1970-01-01 (serials below 61 sit before Excel's phantom
 * 29 February 1900, one day later); 1904 system: day 0 is 1904-01-01.
 */
export function serialToText(serial: number, date1904: boolean): string {
  let days = serial + (date1904 ? 1462 : 0);
  if (!date1904 && serial < 61) days += 1;
  const ms = Math.round((days - 25569) * 86400000);
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(serial);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (ms % 86400000 === 0) return date;
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Columns whose numbers are identifiers: Excel stores them as numbers and drops leading zeros or digits. */
const ID_COLUMN = /serial|imei|key|password|\bid\b|guid|aid|asset|tag number|phone/i;

interface Conv {
  date1904: boolean;
  formulas: number;
  uncached: number;
}

/** A cell as the text a CSV saved by Excel would hold: General numbers as Excel shows them (1.23457E+47). */
function cellText(c: XLSX.CellObject | undefined, conv: Conv): string {
  if (!c) return '';
  if (c.f !== undefined) {
    conv.formulas++;
    if (c.t === 'z' || c.v === undefined) {
      conv.uncached++;
      return '';
    }
  }
  switch (c.t) {
    case 's':
      return String(c.v ?? '');
    case 'b':
      return c.v ? 'TRUE' : 'FALSE';
    case 'e':
      return ERRORS[c.v as number] ?? '#ERROR';
    case 'd':
      return c.v instanceof Date ? c.v.toISOString() : String(c.v ?? '');
    case 'n': {
      const v = c.v as number;
      if (isDateFormat(c.z as string | undefined)) return serialToText(v, conv.date1904);
      if (Number.isInteger(v) && Math.abs(v) < 1e11) return String(v);
      return XLSX.SSF.format('General', v);
    }
    default:
      return '';
  }
}

/** Whether a number format shows a date; SSF parses the format each call, so the answer is kept per format. */
const DATE_FORMATS = new Map<string, boolean>();
function isDateFormat(z: string | undefined): boolean {
  if (z === undefined || z === 'General') return false;
  const known = DATE_FORMATS.get(z);
  if (known !== undefined) return known;
  const d = XLSX.SSF.is_date(z) === true;
  if (DATE_FORMATS.size < 1000) DATE_FORMATS.set(z, d);
  return d;
}

const blank = (row: string[]) => row.every((v) => v.trim() === '');

/**
 * The header row: a row the format detector knows wins; otherwise the first row with at least two text cells, no
 * numbers, and data under it (a title row has one cell, a blank row none).
 */
function findHeader(rows: (XLSX.CellObject[] | undefined)[], conv: Conv): number | null {
  const n = Math.min(rows.length, XLSX_LIMITS.headerScan);
  let fallback: number | null = null;
  for (let r = 0; r < n; r++) {
    const cells = rows[r];
    if (!cells) continue;
    const texts = cells.map((c) => cellText(c, conv).trim());
    const filled = texts.filter((t) => t !== '');
    if (filled.length < 2) continue;
    if (detectFormat(texts.filter(Boolean))) return r;
    const allText = cells.every((c) => !c || c.t === 's' || c.t === 'z');
    const below = rows.slice(r + 1, r + 4).some((x) => x && x.some((c) => c && cellText(c, conv).trim() !== ''));
    if (fallback === null && allText && below) fallback = r;
  }
  return fallback;
}

const READ_OPTS: XLSX.ParsingOptions = {
  type: 'array',
  dense: true,
  cellStyles: false,
  cellHTML: false,
  cellText: false,
  cellNF: true,
  cellDates: false,
  cellFormula: true,
  bookVBA: false,
  WTF: false,
};

function parse(bytes: Uint8Array, fileName: string, opts: XLSX.ParsingOptions): XLSX.WorkBook {
  try {
    return XLSX.read(bytes, { ...READ_OPTS, ...opts });
  } catch (e) {
    throw new FileError(`the workbook cannot be read (${(e as Error).message}); it is damaged`, '(file)', 0);
  }
}

const denseRows = (ws: XLSX.WorkSheet | undefined): (XLSX.CellObject[] | undefined)[] =>
  (ws?.['!data'] as (XLSX.CellObject[] | undefined)[] | undefined) ?? [];

/** The sheets that look like data (a header with rows under it), from the first rows of each. */
export function dataSheets(bytes: Uint8Array, fileName: string, parts: SheetPart[]): SheetInfo[] {
  const wb = parse(bytes, fileName, { sheetRows: XLSX_LIMITS.headerScan, cellFormula: false });
  const conv: Conv = { date1904: false, formulas: 0, uncached: 0 };
  return parts.map((p) => {
    const rows = denseRows(wb.Sheets[p.name]);
    const h = findHeader(rows, conv);
    return {
      name: p.name,
      hidden: p.hidden,
      headerRow: h === null ? null : h + 1,
      header: h === null ? [] : (rows[h] ?? []).map((c) => cellText(c, conv).trim()),
    };
  });
}

/** What a streaming pass over the sheet's XML finds that SheetJS (without style parsing) does not report. */
async function scanSheetXml(
  zip: ZipArchive,
  entry: ZipEntry,
  opts: JobOptions,
): Promise<{ hiddenRows: number[]; hiddenCols: string[]; rowTags: number; formulas: number }> {
  const hiddenRows: number[] = [];
  const hiddenCols: string[] = [];
  let rowTags = 0;
  let formulas = 0;
  let tail = '';
  const dec = new TextDecoder();
  const reader = zip.stream(entry).getReader();
  for (;;) {
    throwIfCancelled(opts.signal);
    const { value, done } = await reader.read();
    const text = tail + (done ? dec.decode() : dec.decode(value, { stream: true }));
    // Tags are scanned up to the last '<' of the chunk; what follows waits for the next chunk.
    const cut = done ? text.length : text.lastIndexOf('<');
    const part = text.slice(0, Math.max(0, cut));
    tail = text.slice(Math.max(0, cut));
    for (const m of part.matchAll(/<(?:\w+:)?(row|col|f)\b[^>]*>/g)) {
      if (m[1] === 'f') formulas++;
      else if (m[1] === 'row') {
        rowTags++;
        if (/\shidden="(1|true)"/.test(m[0]) && hiddenRows.length < 1000) hiddenRows.push(Number(attr(m[0], 'r')));
      } else if (/\shidden="(1|true)"/.test(m[0]) && hiddenCols.length < 1000) {
        const min = Number(attr(m[0], 'min'));
        const max = Number(attr(m[0], 'max'));
        for (let c = min; c <= Math.min(max, min + 50); c++) hiddenCols.push(XLSX.utils.encode_col(c - 1));
      }
    }
    if (done) break;
  }
  return { hiddenRows, hiddenCols, rowTags, formulas };
}

const list = (xs: (string | number)[], n = 10) =>
  xs.slice(0, n).join(', ') + (xs.length > n ? `, and ${xs.length - n} more` : '');

/**
 * Reads one sheet of an XLSX workbook into the sink, like a CSV: the header row found, then the rows in batches with
 * their sheet row numbers as line numbers. `sheet` names the sheet; without it the only sheet that looks like data is
 * read, and several raise SheetChoiceError. Returns the sheet read.
 */
export async function readXlsx(
  bytes: Uint8Array,
  fileName: string,
  sink: CsvSink,
  notes: string[],
  opts: JobOptions & { sheet?: string } = {},
): Promise<string> {
  // The directory is checked against the ZIP limits (count, sizes, ratio, overlap) before SheetJS inflates anything.
  const zip = new ZipArchive(bytes, fileName);
  const parts = await sheetParts(zip);
  const strings = zip.entries.find((e) => e.name === 'xl/sharedStrings.xml');
  if (strings && strings.size > XLSX_LIMITS.maxSharedStrings)
    throw new FileError(
      `its shared strings declare ${strings.size} bytes of XML; at most ${XLSX_LIMITS.maxSharedStrings} are read`,
      '(file)',
      0,
    );
  let part: SheetPart | undefined;
  if (opts.sheet !== undefined) {
    part =
      parts.find((p) => p.name === opts.sheet) ?? parts.find((p) => p.name.toLowerCase() === opts.sheet!.toLowerCase());
    if (!part)
      throw new FileError(
        `the workbook has no sheet "${opts.sheet}" (its sheets: ${parts.map((p) => p.name).join(', ')})`,
        '(sheet)',
        0,
      );
  } else if (parts.length === 1) part = parts[0];
  else {
    for (const p of parts) checkSize(fileName, p);
    const infos = dataSheets(bytes, fileName, parts);
    const data = infos.filter((s) => s.headerRow !== null);
    if (data.length === 0)
      throw new FileError(
        `none of the workbook's sheets (${parts.map((p) => p.name).join(', ')}) looks like a table (a header row with rows under it)`,
        '(sheet)',
        0,
      );
    if (data.length > 1)
      throw new SheetChoiceError(
        `the workbook has ${data.length} sheets that look like data (${data.map((s) => s.name).join(', ')}): choose one (in the CLI: --sheet NAME)`,
        data,
      );
    part = parts.find((p) => p.name === data[0]!.name)!;
    const others = parts.filter((p) => p !== part).map((p) => p.name);
    notes.push(`sheets not read (no table found in them): ${list(others)}`);
  }
  checkSize(fileName, part!);
  const name = part!.name;
  const where = `sheet "${name}"`;
  if (part!.hidden) notes.push(`sheet "${name}" is hidden in the workbook`);
  const scan = part!.entry
    ? await scanSheetXml(zip, part!.entry, opts)
    : { hiddenRows: [], hiddenCols: [], rowTags: 0, formulas: 0 };
  throwIfCancelled(opts.signal);
  const wb = parse(bytes, fileName, { sheets: name });
  const ws = wb.Sheets[name];
  if (!ws) throw new FileError(`${where}: the sheet cannot be read; the workbook is damaged`, '(sheet)', 0);
  const conv: Conv = { date1904: !!wb.Workbook?.WBProps?.date1904, formulas: 0, uncached: 0 };
  const rows = denseRows(ws);
  const h = findHeader(rows, conv);
  if (h === null)
    throw new FileError(
      `${where}: no header row found in its first ${XLSX_LIMITS.headerScan} rows (a row of at least two column names with rows under it)`,
      '(sheet)',
      0,
    );
  const headNotes: string[] = [];
  const rawHeader = (rows[h] ?? []).map((c) => cellText(c, conv));
  // Trailing unnamed columns of the header row are formatting, not columns.
  while (rawHeader.length && rawHeader[rawHeader.length - 1]!.trim() === '') rawHeader.pop();
  const names = fixHeader(rawHeader, headNotes);
  notes.push(`read sheet "${name}" of ${fileName}; line numbers are the sheet's row numbers`);
  if (h > 0)
    notes.push(`header found on row ${h + 1}; the ${h} row${h === 1 ? '' : 's'} above it (titles, blank rows) skipped`);
  if (conv.date1904) notes.push('the workbook uses the 1904 date system (Excel for Mac); its dates are read in it');
  const merges = ws['!merges'] ?? [];
  if (merges.length)
    notes.push(
      `${merges.length} merged cell range${merges.length === 1 ? '' : 's'} (${list(
        merges.map((m) => XLSX.utils.encode_range(m)),
        5,
      )}): only the first cell of each holds a value`,
    );
  if (scan.hiddenRows.length) notes.push(`hidden rows were read: ${list(scan.hiddenRows)}`);
  if (scan.hiddenCols.length)
    notes.push(
      `hidden columns were read: ${list(
        scan.hiddenCols.map((c) => {
          const i = XLSX.utils.decode_col(c);
          return names[i] ? `${c} (${names[i]})` : c;
        }),
      )}`,
    );
  if (!sink.header({ names, line: h + 1, delimiter: '', notes: headNotes })) return name;
  const width = names.length;
  const idCols = names.map((n) => ID_COLUMN.test(n));
  let batch: RowBatch = [];
  let lines: number[] = [];
  let empty = 0;
  let lastData = h;
  for (let r = h + 1; r < rows.length; r++) {
    const cells = rows[r];
    // Dense rows are released as they are turned into text, so the cells and the rows are never both held whole.
    rows[r] = undefined;
    if (!cells) {
      empty++;
      continue;
    }
    const row = new Array<string>(width);
    let note: RowNote | undefined;
    for (let c = 0; c < width; c++) {
      const cell = cells[c];
      const v = cellText(cell, conv);
      row[c] = v;
      if (!note && cell?.t === 'n' && idCols[c] && !excelMangled(v) && !isDateFormat(cell.z as string | undefined))
        note = {
          index: batch.length,
          field: names[c]!,
          message: `"${v}" is stored as a number in the workbook: Excel drops leading zeros and digits past the 15th, so it may not be the value that was typed`,
        };
    }
    if (blank(row)) {
      empty++;
      continue;
    }
    lastData = r;
    if (note) (batch.notes ??= []).push(note);
    batch.push(row);
    lines.push(r + 1);
    if (batch.length >= BATCH) {
      throwIfCancelled(opts.signal);
      await sink.rows(batch, lines, batch.length);
      batch = [];
      lines = [];
    }
  }
  if (batch.length) await sink.rows(batch, lines, batch.length);
  const trailing = Math.max(0, scan.rowTags - (lastData + 1));
  if (trailing > 1000)
    notes.push(
      `${where}: ${trailing.toLocaleString('en-US')} formatted but empty rows after the last data row (${lastData + 1}) were skipped`,
    );
  else if (empty) notes.push(`${empty} blank row${empty === 1 ? '' : 's'} skipped`);
  // SheetJS drops a formula cell that has no saved value (openpyxl and scripts write none): the scan counted them all.
  conv.uncached += Math.max(0, scan.formulas - conv.formulas);
  conv.formulas = Math.max(conv.formulas, scan.formulas);
  if (conv.formulas)
    notes.push(
      `${conv.formulas} formula cell${conv.formulas === 1 ? '' : 's'} read as the value Excel last saved (never recalculated here)${conv.uncached ? `; ${conv.uncached} had no saved value (the file was not recalculated by Excel) and are read as empty` : ''}`,
    );
  return name;
}

function checkSize(fileName: string, p: SheetPart): void {
  if (p.entry && p.entry.size > XLSX_LIMITS.maxSheetXml)
    throw new FileError(
      `sheet "${p.name}": its XML declares ${p.entry.size} bytes; at most ${XLSX_LIMITS.maxSheetXml} are read (save the sheet as CSV instead)`,
      '(sheet)',
      0,
    );
}
