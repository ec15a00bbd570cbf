// XLSX import: one sheet of a workbook handed to the same sink as a CSV (header found below titles, Excel's damage noted).
import * as XLSX from '@e965/xlsx';
import { SaxesParser } from 'saxes';
import { throwIfCancelled, type JobOptions } from '../contract/jobs.js';
import { fixHeader, type CsvSink, type RowBatch, type RowNote } from './csv.js';
import { FileError } from './decode.js';
import { detectFormat } from './formats.js';
import { excelMangled } from './normalize.js';
import { ZipArchive, type ZipEntry } from './zip.js';

/**
 * Limits of workbook reading on top of ZIP_LIMITS. The sheet is streamed through a SAX parser, but its shared strings
 * are held whole (every text cell points into them), so both are refused by their declared size before anything is
 * parsed.
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
async function sheetParts(zip: ZipArchive): Promise<{ parts: SheetPart[]; date1904: boolean }> {
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
  const pr = /<(?:\w+:)?workbookPr\b[^>]*>/.exec(wb);
  const d = pr ? attr(pr[0], 'date1904') : null;
  return { parts: out, date1904: d === '1' || d === 'true' };
}

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

/** A cell as the sheet's XML holds it: its kind, its value (text already looked up), its number format. */
interface Cell {
  /** s text, n number, b boolean, e error, d ISO date, z a formula with no saved value. */
  t: 's' | 'n' | 'b' | 'e' | 'd' | 'z';
  v: string | number | boolean;
  z?: string;
}
type Row = (Cell | undefined)[];

/** What the whole workbook tells every sheet: its shared strings, each style's number format, its date system. */
interface Book {
  sst: string[];
  formats: (string | undefined)[];
  date1904: boolean;
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

interface XmlHandler {
  open(name: string, attrs: Record<string, string>): void;
  close(name: string): void;
  text(t: string): void;
  /** Takes tags out of the XML before it is parsed (whole tags only). */
  prefilter?(xml: string): string;
}

/**
 * Streams one entry through saxes, one inflated chunk at a time; `after` runs between chunks (to hand rows on,
 * awaiting the sink) and stops the read by returning false.
 */
async function streamXml(
  zip: ZipArchive,
  entry: ZipEntry,
  where: string,
  h: XmlHandler,
  opts: JobOptions,
  after: (final: boolean) => Promise<boolean> = async () => true,
): Promise<void> {
  const parser = new SaxesParser();
  parser.on('opentag', (t) => h.open(local(t.name), t.attributes as Record<string, string>));
  parser.on('closetag', (t) => h.close(local(t.name)));
  parser.on('text', (t) => h.text(t));
  parser.on('cdata', (t) => h.text(t));
  const dec = new TextDecoder();
  const reader = zip.stream(entry).getReader();
  let tail = '';
  try {
    for (;;) {
      throwIfCancelled(opts.signal);
      const { value, done } = await reader.read();
      try {
        let text = tail + (done ? dec.decode() : dec.decode(value, { stream: true }));
        if (h.prefilter) {
          // The prefilter sees whole tags only: what follows the chunk's last '<' waits for the next chunk.
          const cut = done ? text.length : text.lastIndexOf('<');
          tail = text.slice(Math.max(0, cut));
          text = h.prefilter(text.slice(0, Math.max(0, cut)));
        }
        parser.write(text);
        if (done) parser.close();
      } catch (e) {
        if (e instanceof FileError) throw e;
        throw new FileError(
          `${where}: its XML cannot be read (${(e as Error).message}); the workbook is damaged`,
          '(sheet)',
          0,
        );
      }
      if (!(await after(done)) || done) return;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The shared strings in order: each <si>'s text runs joined, its phonetic guides (<rPh>) left out. */
async function sharedStrings(zip: ZipArchive, opts: JobOptions): Promise<string[]> {
  const e = zip.entries.find((x) => x.name === 'xl/sharedStrings.xml');
  if (!e) return [];
  const out: string[] = [];
  let cur: string[] | null = null;
  let inT = false;
  let rph = 0;
  await streamXml(
    zip,
    e,
    'xl/sharedStrings.xml',
    {
      open(n) {
        if (n === 'si') cur = [];
        else if (n === 'rPh') rph++;
        else if (n === 't') inT = true;
      },
      close(n) {
        if (n === 'si' && cur) {
          out.push(cur.join(''));
          cur = null;
        } else if (n === 'rPh') rph--;
        else if (n === 't') inT = false;
      },
      text(t) {
        if (cur && inT && !rph) cur.push(t);
      },
    },
    opts,
  );
  return out;
}

/** Each cell style's number format (custom <numFmt>s, else Excel's built-in table), to know which numbers are dates. */
async function cellFormats(zip: ZipArchive, opts: JobOptions): Promise<(string | undefined)[]> {
  const e = zip.entries.find((x) => x.name === 'xl/styles.xml');
  if (!e) return [];
  if (e.size > 16 << 20)
    throw new FileError(`xl/styles.xml declares ${e.size} bytes; at most ${16 << 20} are read`, '(file)', 0);
  const custom = new Map<number, string>();
  const ids: number[] = [];
  let inXfs = false;
  await streamXml(
    zip,
    e,
    'xl/styles.xml',
    {
      open(n, a) {
        if (n === 'numFmt' && a.numFmtId !== undefined && a.formatCode !== undefined)
          custom.set(Number(a.numFmtId), a.formatCode);
        else if (n === 'cellXfs') inXfs = true;
        else if (n === 'xf' && inXfs) ids.push(Number(a.numFmtId ?? 0));
      },
      close(n) {
        if (n === 'cellXfs') inXfs = false;
      },
      text() {},
    },
    opts,
  );
  const table = XLSX.SSF.get_table() as Record<number, string>;
  return ids.map((id) => custom.get(id) ?? table[id]);
}

/**
 * Turns a sheet's SAX events into rows: each <row> with cells is queued in `pending` (0-based index, dense cells),
 * and what the import notes (hidden rows and columns, merges, formulas, row tags) is counted on the way.
 */
class SheetRows implements XmlHandler {
  pending: { index: number; cells: Row }[] = [];
  hiddenRows: number[] = [];
  hiddenCols: string[] = [];
  merges: string[] = [];
  rowTags = 0;
  formulas = 0;
  uncached = 0;
  private row: Row | null = null;
  private rowIndex = -1;
  private col = -1;
  private cell: { t: string; s: number; f: boolean; v: string[]; inline: string[] } | null = null;
  private inV = false;
  private inT = false;
  private rph = 0;

  constructor(private readonly book: Book) {}

  /**
   * Empty rows (`<row r="9" s="1" ht="15"/>`: formatting only) are counted here and never reach the parser: a sheet
   * may hold a million of them below its data, and building each one's attributes would take seconds.
   */
  prefilter(xml: string): string {
    return xml.replace(/<(?:\w+:)?row\b[^>]*\/>/g, (tag) => {
      this.rowTags++;
      const r = attr(tag, 'r');
      this.rowIndex = r ? Number(r) - 1 : this.rowIndex + 1;
      if (/\shidden="(1|true)"/.test(tag) && this.hiddenRows.length < 1000) this.hiddenRows.push(this.rowIndex + 1);
      return '';
    });
  }

  open(n: string, a: Record<string, string>): void {
    switch (n) {
      case 'row': {
        this.rowTags++;
        this.rowIndex = a.r ? Number(a.r) - 1 : this.rowIndex + 1;
        this.row = [];
        this.col = -1;
        if ((a.hidden === '1' || a.hidden === 'true') && this.hiddenRows.length < 1000)
          this.hiddenRows.push(this.rowIndex + 1);
        break;
      }
      case 'c':
        this.col = a.r ? colIndex(a.r) : this.col + 1;
        this.cell = { t: a.t ?? 'n', s: Number(a.s ?? 0), f: false, v: [], inline: [] };
        break;
      case 'v':
        this.inV = true;
        break;
      case 'f':
        this.formulas++;
        if (this.cell) this.cell.f = true;
        break;
      case 't':
        this.inT = true;
        break;
      case 'rPh':
        this.rph++;
        break;
      case 'col':
        if ((a.hidden === '1' || a.hidden === 'true') && this.hiddenCols.length < 1000) {
          const min = Number(a.min);
          const max = Number(a.max);
          for (let c = min; c <= Math.min(max, min + 50); c++) this.hiddenCols.push(XLSX.utils.encode_col(c - 1));
        }
        break;
      case 'mergeCell':
        if (a.ref && this.merges.length < 10000) this.merges.push(a.ref);
        break;
    }
  }

  close(n: string): void {
    switch (n) {
      case 'v':
        this.inV = false;
        break;
      case 't':
        this.inT = false;
        break;
      case 'rPh':
        this.rph--;
        break;
      case 'c': {
        const c = this.cell;
        this.cell = null;
        if (!c || !this.row || this.col < 0 || this.col > 16383) break;
        const cell = this.toCell(c);
        if (cell) this.row[this.col] = cell;
        break;
      }
      case 'row':
        if (this.row?.length) this.pending.push({ index: this.rowIndex, cells: this.row });
        this.row = null;
        break;
    }
  }

  text(t: string): void {
    if (!this.cell) return;
    if (this.inV) this.cell.v.push(t);
    else if (this.inT && !this.rph) this.cell.inline.push(t);
  }

  private toCell(c: { t: string; s: number; f: boolean; v: string[]; inline: string[] }): Cell | null {
    const v = c.v.join('');
    if (c.t === 'inlineStr') return { t: 's', v: c.inline.join('') };
    if (v === '') {
      // A formula with no saved value: openpyxl and scripts write none, and Excel did not recalculate the file.
      if (c.f) {
        this.uncached++;
        return { t: 'z', v: '' };
      }
      return null;
    }
    switch (c.t) {
      case 's':
        return { t: 's', v: this.book.sst[Number(v)] ?? '' };
      case 'str':
        return { t: 's', v };
      case 'b':
        return { t: 'b', v: v === '1' || v === 'true' };
      case 'e':
        return { t: 'e', v };
      case 'd':
        return { t: 'd', v };
      default: {
        const num = Number(v);
        if (Number.isNaN(num)) return { t: 's', v };
        return { t: 'n', v: num, z: this.book.formats[c.s] };
      }
    }
  }
}

/** "AB12" → 27. */
function colIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const k = ref.charCodeAt(i);
    if (k < 65 || k > 90) break;
    n = n * 26 + (k - 64);
  }
  return n - 1;
}

/** A cell as the text a CSV saved by Excel would hold: General numbers as Excel shows them (1.23457E+47). */
function cellText(c: Cell | undefined, date1904: boolean): string {
  if (!c) return '';
  switch (c.t) {
    case 's':
    case 'e':
    case 'd':
      return String(c.v);
    case 'b':
      return c.v ? 'TRUE' : 'FALSE';
    case 'n': {
      const v = c.v as number;
      if (isDateFormat(c.z)) return serialToText(v, date1904);
      if (Number.isInteger(v) && Math.abs(v) < 1e11) return String(v);
      return XLSX.SSF.format('General', v) as string;
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

/** Rows held before the header is chosen: the rows scanned for it and the few under it that show it has data. */
const LOOK = XLSX_LIMITS.headerScan + 4;

/**
 * The header row: a row the format detector knows wins; otherwise the first row with at least two text cells, no
 * numbers, and data under it (a title row has one cell, a blank row none).
 */
function findHeader(rows: (Row | undefined)[], date1904: boolean): number | null {
  const n = Math.min(rows.length, XLSX_LIMITS.headerScan);
  let fallback: number | null = null;
  for (let r = 0; r < n; r++) {
    const cells = rows[r];
    if (!cells) continue;
    const texts = Array.from(cells, (c) => cellText(c, date1904).trim());
    const filled = texts.filter((t) => t !== '');
    if (filled.length < 2) continue;
    if (detectFormat(texts.filter(Boolean))) return r;
    const allText = Array.from(cells).every((c) => !c || c.t === 's' || c.t === 'z');
    const below = rows
      .slice(r + 1, r + 4)
      .some((x) => x && Array.from(x).some((c) => c && cellText(c, date1904).trim() !== ''));
    if (fallback === null && allText && below) fallback = r;
  }
  return fallback;
}

/** The first rows of a sheet, read until the header scan has what it needs; the rest of the sheet is not inflated. */
async function firstRows(zip: ZipArchive, part: SheetPart, book: Book, opts: JobOptions): Promise<(Row | undefined)[]> {
  const rows: (Row | undefined)[] = [];
  if (!part.entry) return rows;
  const sr = new SheetRows(book);
  await streamXml(zip, part.entry, `sheet "${part.name}"`, sr, opts, async () => {
    let more = true;
    for (const x of sr.pending)
      if (x.index < LOOK) rows[x.index] = x.cells;
      else more = false;
    sr.pending = [];
    return more;
  });
  return rows;
}

/** The sheets that look like data (a header with rows under it), from the first rows of each. */
async function dataSheets(zip: ZipArchive, parts: SheetPart[], book: Book, opts: JobOptions): Promise<SheetInfo[]> {
  const out: SheetInfo[] = [];
  for (const p of parts) {
    const rows = await firstRows(zip, p, book, opts);
    const h = findHeader(rows, book.date1904);
    out.push({
      name: p.name,
      hidden: p.hidden,
      headerRow: h === null ? null : h + 1,
      header: h === null ? [] : Array.from(rows[h] ?? [], (c) => cellText(c, book.date1904).trim()),
    });
  }
  return out;
}

const list = (xs: (string | number)[], n = 10) =>
  xs.slice(0, n).join(', ') + (xs.length > n ? `, and ${xs.length - n} more` : '');

/**
 * Reads one sheet of an XLSX workbook into the sink, like a CSV: the header row found, then the rows in batches with
 * their sheet row numbers as line numbers. `sheet` names the sheet; without it the only sheet that looks like data is
 * read, and several raise SheetChoiceError. Returns the sheet read. The sheet's XML is streamed from the bounded ZIP
 * reader through saxes and its rows handed on chunk by chunk, so the sheet is never held whole.
 */
export async function readXlsx(
  bytes: Uint8Array,
  fileName: string,
  sink: CsvSink,
  notes: string[],
  opts: JobOptions & { sheet?: string } = {},
): Promise<string> {
  // The directory is checked against the ZIP limits (count, sizes, ratio, overlap) before anything is inflated.
  const zip = new ZipArchive(bytes, fileName);
  const { parts, date1904 } = await sheetParts(zip);
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
  else for (const p of parts) checkSize(fileName, p);
  if (part) checkSize(fileName, part);
  const book: Book = { sst: await sharedStrings(zip, opts), formats: await cellFormats(zip, opts), date1904 };
  if (!part) {
    const infos = await dataSheets(zip, parts, book, opts);
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
  const name = part.name;
  const where = `sheet "${name}"`;
  if (part.hidden) notes.push(`sheet "${name}" is hidden in the workbook`);
  if (!part.entry) throw new FileError(`${where}: the sheet cannot be read; the workbook is damaged`, '(sheet)', 0);

  const sr = new SheetRows(book);
  const head: (Row | undefined)[] = [];
  let h: number | null = null;
  let names: string[] = [];
  let idCols: boolean[] = [];
  let at = 0;
  let batch: RowBatch = [];
  let lines: number[] = [];
  let empty = 0;
  let prev = 0;
  let lastData = 0;
  let stopped = false;

  const start = (): boolean => {
    h = findHeader(head, date1904);
    if (h === null)
      throw new FileError(
        `${where}: no header row found in its first ${XLSX_LIMITS.headerScan} rows (a row of at least two column names with rows under it)`,
        '(sheet)',
        0,
      );
    const headNotes: string[] = [];
    const rawHeader = Array.from(head[h] ?? [], (c) => cellText(c, date1904));
    // Trailing unnamed columns of the header row are formatting, not columns.
    while (rawHeader.length && rawHeader[rawHeader.length - 1]!.trim() === '') rawHeader.pop();
    names = fixHeader(rawHeader, headNotes);
    idCols = names.map((n) => ID_COLUMN.test(n));
    notes.push(`read sheet "${name}" of ${fileName}; line numbers are the sheet's row numbers`);
    if (h > 0)
      notes.push(
        `header found on row ${h + 1}; the ${h} row${h === 1 ? '' : 's'} above it (titles, blank rows) skipped`,
      );
    if (date1904) notes.push('the workbook uses the 1904 date system (Excel for Mac); its dates are read in it');
    // Merges and hidden rows are only known once the sheet is read: their notes go here when it is.
    at = notes.length;
    prev = lastData = h;
    const rest: { index: number; cells: Row }[] = [];
    for (let r = h + 1; r < head.length; r++) if (head[r]) rest.push({ index: r, cells: head[r]! });
    head.length = 0;
    sr.pending = rest.concat(sr.pending);
    return sink.header({ names, line: h + 1, delimiter: '', notes: headNotes });
  };

  const take = async (final: boolean): Promise<boolean> => {
    if (h === null) {
      let i = 0;
      for (; i < sr.pending.length && sr.pending[i]!.index < LOOK; i++)
        head[sr.pending[i]!.index] = sr.pending[i]!.cells;
      sr.pending = sr.pending.slice(i);
      if (!sr.pending.length && !final) return true;
      if (!start()) {
        stopped = true;
        return false;
      }
    }
    const width = names.length;
    const rows = sr.pending;
    sr.pending = [];
    for (const { index: r, cells } of rows) {
      if (r <= prev) continue;
      empty += r - prev - 1;
      prev = r;
      const row = new Array<string>(width);
      let note: RowNote | undefined;
      for (let c = 0; c < width; c++) {
        const cell = cells[c];
        const v = cellText(cell, date1904);
        row[c] = v;
        if (!note && cell?.t === 'n' && idCols[c] && !excelMangled(v) && !isDateFormat(cell.z))
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
    return true;
  };

  await streamXml(zip, part.entry, where, sr, opts, take);
  if (stopped) return name;
  if (batch.length) await sink.rows(batch, lines, batch.length);
  const later: string[] = [];
  if (sr.merges.length)
    later.push(
      `${sr.merges.length} merged cell range${sr.merges.length === 1 ? '' : 's'} (${list(sr.merges, 5)}): only the first cell of each holds a value`,
    );
  if (sr.hiddenRows.length) later.push(`hidden rows were read: ${list(sr.hiddenRows)}`);
  if (sr.hiddenCols.length)
    later.push(
      `hidden columns were read: ${list(
        sr.hiddenCols.map((c) => {
          const i = XLSX.utils.decode_col(c);
          return names[i] ? `${c} (${names[i]})` : c;
        }),
      )}`,
    );
  notes.splice(at, 0, ...later);
  const trailing = Math.max(0, sr.rowTags - (lastData + 1));
  if (trailing > 1000)
    notes.push(
      `${where}: ${trailing.toLocaleString('en-US')} formatted but empty rows after the last data row (${lastData + 1}) were skipped`,
    );
  else if (empty) notes.push(`${empty} blank row${empty === 1 ? '' : 's'} skipped`);
  if (sr.formulas)
    notes.push(
      `${sr.formulas} formula cell${sr.formulas === 1 ? '' : 's'} read as the value Excel last saved (never recalculated here)${sr.uncached ? `; ${sr.uncached} had no saved value (the file was not recalculated by Excel) and are read as empty` : ''}`,
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
