// XLSX workbook parts: the sheet list, shared strings and number formats, the SAX streaming of a part, cell text.
import * as XLSX from '@e965/xlsx';
import { SaxesParser } from 'saxes';
import { throwIfCancelled, type JobOptions } from '../../contract/jobs.js';
import { FileError } from '../errors.js';
import type { ZipArchive, ZipEntry } from './zip-archive.js';

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

export interface SheetPart {
  name: string;
  hidden: boolean;
  entry: ZipEntry | null;
}

export const attr = (tag: string, name: string): string | null => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? xmlText(m[1]!) : null;
};
export const xmlText = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

export async function smallPart(zip: ZipArchive, path: string): Promise<string | null> {
  const e = zip.entries.find((x) => x.name === path);
  if (!e) return null;
  return new TextDecoder().decode(await zip.read(e, 16 << 20));
}

/** The workbook's sheets in tab order with their parts, read from workbook.xml and its relationships. */
export async function sheetParts(zip: ZipArchive): Promise<{ parts: SheetPart[]; date1904: boolean }> {
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

/** A cell as the sheet's XML holds it: its kind, its value (text already looked up), its number format. */
export interface Cell {
  /** s text, n number, b boolean, e error, d ISO date, z a formula with no saved value. */
  t: 's' | 'n' | 'b' | 'e' | 'd' | 'z';
  v: string | number | boolean;
  z?: string;
}
export type Row = (Cell | undefined)[];

/** What the whole workbook tells every sheet: its shared strings, each style's number format, its date system. */
export interface Book {
  sst: string[];
  formats: (string | undefined)[];
  date1904: boolean;
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

export interface XmlHandler {
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
export async function streamXml(
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
export async function sharedStrings(zip: ZipArchive, opts: JobOptions): Promise<string[]> {
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
export async function cellFormats(zip: ZipArchive, opts: JobOptions): Promise<(string | undefined)[]> {
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

/** "AB12" → 27. */
export function colIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const k = ref.charCodeAt(i);
    if (k < 65 || k > 90) break;
    n = n * 26 + (k - 64);
  }
  return n - 1;
}

/** A cell as the text a CSV saved by Excel would hold: General numbers as Excel shows them (1.23457E+47). */
export function cellText(c: Cell | undefined, date1904: boolean): string {
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
export function isDateFormat(z: string | undefined): boolean {
  if (z === undefined || z === 'General') return false;
  const known = DATE_FORMATS.get(z);
  if (known !== undefined) return known;
  const d = XLSX.SSF.is_date(z) === true;
  if (DATE_FORMATS.size < 1000) DATE_FORMATS.set(z, d);
  return d;
}
