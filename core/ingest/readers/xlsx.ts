// XLSX import: one sheet of a workbook handed to the same sink as a CSV (header found below titles, Excel's damage noted).
import * as XLSX from '@e965/xlsx';
import { throwIfCancelled, type JobOptions } from '../../contract/jobs.js';
import { FileError } from '../errors.js';
import { detectFormat } from '../formats.js';
import { excelMangled } from '../normalize.js';
import type { CsvSink, RowBatch, RowNote } from '../rows.js';
import { contentHash } from './bytes.js';
import { fixHeader } from './csv-text.js';
import type { DecodeState } from './decode.js';
import {
  cellFormats,
  cellText,
  isDateFormat,
  sharedStrings,
  sheetParts,
  streamXml,
  XLSX_LIMITS,
  type Book,
  type Row,
  type SheetPart,
} from './xlsx-book.js';
import { SheetRows } from './xlsx-sheet.js';
import { ZipArchive } from './zip-archive.js';

export { serialToText, XLSX_LIMITS } from './xlsx-book.js';

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

/** Columns whose numbers are identifiers: Excel stores them as numbers and drops leading zeros or digits. */
const ID_COLUMN = /serial|imei|key|password|\bid\b|guid|aid|asset|tag number|phone/i;

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

  const start = (): boolean | Promise<boolean> => {
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
      if (!(await start())) {
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

/** Reads a workbook's sheet into the sink and returns the sheet read; the sheet is part of the content's identity. */
export async function readWorkbook(
  bytes: Uint8Array,
  fileName: string,
  state: DecodeState,
  opts: JobOptions & { sheet?: string },
  sink: CsvSink,
  notes: string[],
): Promise<string> {
  const sheet = await readXlsx(bytes, fileName, sink, notes, opts);
  // One workbook read as different sheets is different content: the sheet is part of its identity.
  const hash = await contentHash(bytes);
  state.sha256 = opts.sheet ? await contentHash(new TextEncoder().encode(`${hash}\n${sheet}`)) : hash;
  return sheet;
}
