// Streaming CSV reader over decoded text chunks: preamble skipping, delimiter sniffing, uDSV parsing, line numbers.
import { inferSchema, initParser } from 'udsv';
import { FileError } from './decode.js';

export const MAX_COLUMNS = 10_000;
/** A single record longer than this is refused: a quote never closed, one line too long, or not a CSV file. */
export const MAX_RECORD_CHARS = 16 << 20;

export interface CsvHeader {
  names: string[];
  /** 1-based line of the header row. */
  line: number;
  delimiter: string;
  /** Lines skipped before the header (`#TYPE`, blank lines, a banner), and header fix-ups. */
  notes: string[];
}

export interface CsvSink {
  /** Called once with the header; return false to stop (unknown format). */
  header(h: CsvHeader): boolean;
  /**
   * A batch of records and the 1-based line each starts on. The arrays are reused: copy what you keep. The batch
   * may carry `notes` (see RowBatch) for rows a writer must flag or reject.
   */
  rows(rows: string[][], lines: number[], count: number): void | Promise<void>;
}

/** What a reader found about one row of a batch (a ragged CSV row, an event cut off): flag the row, or reject it. */
export interface RowNote {
  /** Index of the row in its batch. */
  index: number;
  field: string;
  message: string;
  /** The row cannot be used (its cells are placeholders): the writer rejects it with this message. */
  reject?: boolean;
}

/** A batch as readers hand it over: `notes`, sorted by index, only when some rows need one (so clean batches cost nothing). */
export type RowBatch = string[][] & { notes?: RowNote[] };

/** Walks a batch's notes alongside its rows: `at(r)` is the note for row r, or null. Rows must be visited in order. */
export function rowNotes(rows: string[][]): { at(r: number): RowNote | null } {
  const notes = (rows as RowBatch).notes;
  if (!notes || notes.length === 0) return NO_NOTES;
  let i = 0;
  return {
    at(r) {
      while (i < notes.length && notes[i]!.index < r) i++;
      return i < notes.length && notes[i]!.index === r ? notes[i++]! : null;
    },
  };
}
const NO_NOTES = { at: () => null };

/**
 * Splits raw CSV text (one or more physical lines) into records and fields, quote-aware; used only for the rows the
 * fast parser may have read wrong (too few or too many fields), so speed matters less than exactness here.
 */
export function splitRecords(raw: string, delim: string): { fields: string[]; offset: number; open?: boolean }[] {
  const d = delim.charCodeAt(0);
  const out: { fields: string[]; offset: number; open?: boolean }[] = [];
  let fields: string[] = [];
  let v = '';
  let inQ = false;
  let start = 0;
  let segStart = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inQ) {
      if (c === 34) {
        if (raw.charCodeAt(i + 1) === 34) {
          v += raw.slice(segStart, i + 1);
          i++;
          segStart = i + 1;
        } else {
          v += raw.slice(segStart, i);
          inQ = false;
          segStart = i + 1;
        }
      }
    } else if (c === 34 && segStart === i && v === '') {
      inQ = true;
      segStart = i + 1;
    } else if (c === d) {
      fields.push(v + raw.slice(segStart, i));
      v = '';
      segStart = i + 1;
    } else if (c === 10) {
      fields.push(v + raw.slice(segStart, i));
      out.push({ fields, offset: start });
      fields = [];
      v = '';
      segStart = start = i + 1;
    }
  }
  if (segStart < raw.length || v !== '' || fields.length > 0 || inQ) {
    fields.push(v + raw.slice(segStart));
    // A quote still open at the end of the text: the record was cut off (or the quote was never closed).
    out.push(inQ ? { fields, offset: start, open: true } : { fields, offset: start });
  }
  return out;
}

function isBlank(row: string[]): boolean {
  for (let i = 0; i < row.length; i++) if (row[i] !== '' && !(i === 0 && row[i] === ' ')) return false;
  return true;
}

/** Counts `,` `;` and tab outside quotes in one line; the most frequent wins (comma on a tie). */
export function sniffDelimiter(line: string): string {
  let comma = 0,
    semi = 0,
    tab = 0,
    inQ = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34) inQ = !inQ;
    else if (!inQ) {
      if (c === 44) comma++;
      else if (c === 59) semi++;
      else if (c === 9) tab++;
    }
  }
  if (tab > comma && tab >= semi) return '\t';
  if (semi > comma) return ';';
  return ',';
}

/** Delimiter candidates outside quotes (a quoted DN's commas do not count). */
const countDelims = (line: string) => {
  let n = 0;
  let inQ = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34) inQ = !inQ;
    else if (!inQ && (c === 44 || c === 59 || c === 9)) n++;
  }
  return n;
};

/** Finds where the header row starts: skips blank lines, `#TYPE …`/`#` comments, `sep=` hints and one-cell banners. */
function findHeader(text: string): { start: number; line: number; notes: string[]; sep: string | null } {
  const notes: string[] = [];
  let pos = 0;
  let line = 1;
  let sep: string | null = null;
  for (let guard = 0; guard < 20; guard++) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const l = text.slice(pos, end);
    const t = l.trim();
    let skip = false;
    if (t === '') skip = true;
    else if (/^sep=.$/i.test(t)) {
      sep = t.slice(4);
      skip = true;
    } else if (t.startsWith('#')) {
      notes.push(`skipped preamble line ${line}: ${t.slice(0, 60)}`);
      skip = true;
    } else if (nl >= 0 && !/^"/.test(t)) {
      // A banner ("Exported from … on …") above a real header with many more delimiters.
      const nl2 = text.indexOf('\n', nl + 1);
      const next = text.slice(nl + 1, nl2 < 0 ? text.length : nl2);
      const mine = countDelims(l);
      const theirs = countDelims(next);
      if ((mine === 0 && theirs >= 1) || (theirs >= 3 && mine * 3 <= theirs)) {
        notes.push(`skipped banner line ${line}: ${t.slice(0, 60)}`);
        skip = true;
      }
    }
    if (!skip || nl < 0) return { start: pos, line, notes, sep };
    pos = nl + 1;
    line++;
  }
  return { start: pos, line, notes, sep };
}

/** Makes header names unique and non-empty; a duplicated name gets ` (2)`, ` (3)`… */
export function fixHeader(raw: string[], notes: string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((h0, i) => {
    let h = h0.replace(/^\uFEFF/, '').trim();
    if (h === '') h = `column ${i + 1}`;
    const k = h.toLowerCase();
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    if (n > 1) {
      notes.push(`duplicate column name "${h}" (column ${i + 1}) renamed to "${h} (${n})"`);
      h = `${h} (${n})`;
    }
    return h;
  });
}

/**
 * Reads CSV text chunks into batches of records. Line endings are normalised to LF; blank lines keep their
 * place so reported line numbers are the physical lines of the file.
 */
export async function readCsv(chunks: AsyncIterable<string>, sink: CsvSink): Promise<CsvHeader | null> {
  let head = '';
  const P: { parser: ReturnType<typeof initParser> | null } = { parser: null };
  let header: CsvHeader | null = null;
  let line = 0;
  let batch: RowBatch = [];
  let lines: number[] = [];
  let quotes = false;
  let prevQuotes = false;
  let sinceRow = 0;
  let lastCR = false;
  let lastNL = false;
  /** Set once the input has ended: only then can an open quote be told from a record split across chunks. */
  let ending = false;

  /** The text uDSV is parsing (its unparsed tail plus the current chunk) and where the next record starts in it. */
  let src = '';
  let cur = 0;
  let ncols = 0;
  let delim = ',';
  let colNames: string[] = [];

  const push = (row: string[], l: number) => {
    // The blank-line placeholder (a single space) keeps the count, and is not a record.
    if ((row[0] === ' ' || row[0] === '') && isBlank(row)) return;
    batch.push(row);
    lines.push(l);
  };

  const onRow = (row: string[]) => {
    const l = line;
    const start = cur;
    const last = row[ncols - 1]!;
    let end: number;
    let emb = 0;
    let suspect: boolean;
    if (quotes || prevQuotes) {
      for (let i = 0; i < row.length; i++) {
        const v = row[i]!;
        if (v.length > 0 && v.indexOf('\n') >= 0) {
          for (let j = v.indexOf('\n'); j >= 0; j = v.indexOf('\n', j + 1)) emb++;
        }
      }
      let e = src.indexOf('\n', start);
      for (let k = 0; k < emb && e >= 0; k++) e = src.indexOf('\n', e + 1);
      end = e < 0 ? src.length : e;
      // A short row is padded (last cell '') or, ending in an unquoted cell, runs on into the next line (a newline
      // in a cell); a long one spills into the last cell or past it.
      suspect = emb > 0 || row.length !== ncols || last === '' || last.indexOf(delim) >= 0;
    } else {
      // Without quotes the cells and delimiters are the record's text exactly: its length says where it must end.
      let sum = row.length - 1;
      for (let i = 0; i < row.length; i++) sum += row[i]!.length;
      end = start + sum;
      const nl = src.indexOf('\n', start);
      suspect = (nl < 0 ? src.length : nl) !== end || last.indexOf(delim) >= 0;
    }
    cur = end + 1;
    if (!suspect) {
      line += 1 + emb;
      sinceRow = 0;
      push(row, l);
      return;
    }
    sinceRow = 0;
    exact(src.slice(start, end), l);
  };

  /** Reads a record's text the exact (slow) way, flagging it when its field count is not the header's. */
  const exact = (raw: string, l: number) => {
    let nls = 0;
    for (let j = raw.indexOf('\n'); j >= 0; j = raw.indexOf('\n', j + 1)) nls++;
    line = l + 1 + nls;
    for (const rec of splitRecords(raw, delim)) {
      let rl = l;
      for (let j = raw.indexOf('\n'); j >= 0 && j < rec.offset; j = raw.indexOf('\n', j + 1)) rl++;
      const f = rec.fields;
      // At the end of the file a quote still open swallowed every line after it: one clear error, nothing half-read.
      if (rec.open && ending)
        throw new FileError(
          `a quoted field that starts on line ${rl} never ends (unterminated quote, or not a CSV file)`,
          colNames[f.length - 1] ?? '(file)',
          rl,
        );
      if (isBlank(f)) continue;
      if (f.length !== ncols) {
        const note: RowNote = {
          index: batch.length,
          field: f.length < ncols ? colNames[f.length]! : '(row)',
          message:
            f.length < ncols
              ? `row has ${f.length} field${f.length === 1 ? '' : 's'}; the header has ${ncols} — missing cells left empty`
              : `row has ${f.length} fields; the header has ${ncols} — the ${f.length - ncols} extra cell${f.length - ncols === 1 ? '' : 's'} ignored`,
        };
        if (f.length < ncols) while (f.length < ncols) f.push('');
        else f.length = ncols;
        (batch.notes ??= []).push(note);
      }
      push(f, rl);
    }
  };

  const feed = (text: string) => {
    src = cur < src.length ? src.slice(cur) + text : text;
    cur = 0;
    P.parser!.chunk(text, P.parser!.stringArrs, onRow);
  };

  const norm = (s: string): string => {
    if (lastCR) {
      if (s.charCodeAt(0) === 10) s = s.slice(1);
      lastCR = false;
    }
    if (s.indexOf('\r') >= 0) {
      if (s.charCodeAt(s.length - 1) === 13) lastCR = true;
      s = s.replace(/\r\n?/g, '\n');
    }
    if (lastNL && s.charCodeAt(0) === 10) s = '"",' + s;
    if (s.indexOf('\n\n') >= 0) s = s.replace(/\n(?=\n)/g, '\n"",');
    lastNL = s.charCodeAt(s.length - 1) === 10;
    return s;
  };

  const flush = async () => {
    if (batch.length === 0) return;
    const b = batch;
    const l = lines;
    batch = [];
    lines = [];
    await sink.rows(b, l, b.length);
  };

  const start = (text: string, final: boolean): boolean => {
    const found = findHeader(text);
    const rest = text.slice(found.start);
    // The header row must be complete before uDSV infers the schema from it.
    let nl = -1;
    let inQ = false;
    for (let i = 0; i < rest.length; i++) {
      const c = rest.charCodeAt(i);
      if (c === 34) inQ = !inQ;
      else if (c === 10 && !inQ) {
        nl = i;
        break;
      }
    }
    if (nl < 0 && !final) return false;
    const headerLine = nl < 0 ? rest : rest.slice(0, nl);
    if (headerLine.trim() === '') throw new FileError('the file is empty (no header row)');
    const delimiter = found.sep ?? sniffDelimiter(headerLine);
    const rawCols = headerLine.split(delimiter).length;
    if (rawCols > MAX_COLUMNS)
      throw new FileError(
        `the header has ${rawCols} columns; at most ${MAX_COLUMNS} are supported`,
        '(header)',
        found.line,
      );
    const body = nl < 0 ? rest + '\n' : rest;
    const schema = inferSchema(body, { col: delimiter, row: '\n', encl: '"', esc: '"' }, 2);
    const notes = found.notes;
    const names = fixHeader(
      schema.cols.map((c) => String(c.name)),
      notes,
    );
    schema.cols.forEach((c, i) => (c.name = names[i]!));
    header = { names, line: found.line, delimiter, notes };
    // uDSV skips the header row itself; records begin on the following line.
    line = found.line + 1;
    if (!sink.header(header)) return true;
    P.parser = initParser(schema);
    ncols = names.length;
    colNames = names;
    delim = delimiter;
    quotes = body.indexOf('"') >= 0;
    src = body;
    cur = nl < 0 ? body.length : nl + 1;
    P.parser.chunk(body, P.parser.stringArrs, onRow);
    return true;
  };

  let stopped = false;
  for await (const raw of chunks) {
    const text = norm(raw);
    if (!header) {
      head += text;
      if (head.length > MAX_RECORD_CHARS)
        throw new FileError(`no header row ends within the first ${MAX_RECORD_CHARS} characters`, '(header)', 1);
      if (!start(head, false)) continue;
      head = '';
      if (!P.parser) {
        stopped = true;
        break;
      }
    } else if (P.parser) {
      prevQuotes = quotes;
      quotes = text.indexOf('"') >= 0;
      sinceRow += text.length;
      feed(text);
      if (sinceRow > MAX_RECORD_CHARS) {
        // No line end in what is pending: one line too long, not a quote left open (whose text would span lines).
        const pending = src.slice(cur);
        throw new FileError(
          pending.indexOf('\n') < 0 || pending.indexOf('"') < 0
            ? `line ${line} is longer than ${MAX_RECORD_CHARS} characters (record too long)`
            : `a quoted field that starts on line ${line} never ends (unterminated quote, or not a CSV file)`,
          '(file)',
          line,
        );
      }
    }
    await flush();
  }
  if (!stopped) {
    if (!header && head !== '') {
      start(head, true);
    } else if (!header) throw new FileError('the file is empty');
    if (P.parser) {
      // uDSV drops a last record that has too few fields and no final newline: end it with one.
      ending = true;
      if (src.length > cur && !lastNL) feed('\n');
      P.parser.end();
      // Whatever uDSV left unparsed at the end (a short last record): read it the exact way.
      const rest = src.slice(cur).replace(/\n+$/, '');
      if (rest.trim() !== '') exact(rest, line);
    }
    await flush();
  }
  return header;
}
