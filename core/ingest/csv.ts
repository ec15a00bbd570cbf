// Streaming CSV reader over decoded text chunks: preamble skipping, delimiter sniffing, uDSV parsing, line numbers.
import { inferSchema, initParser } from 'udsv';
import { FileError } from './decode.js';

export const MAX_COLUMNS = 10_000;
/** A single record longer than this means a quote was never closed (or the file is not CSV). */
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
  /** A batch of records and the 1-based line each starts on. The arrays are reused: copy what you keep. */
  rows(rows: string[][], lines: number[], count: number): void | Promise<void>;
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
function fixHeader(raw: string[], notes: string[]): string[] {
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
  let batch: string[][] = [];
  let lines: number[] = [];
  let quotes = false;
  let prevQuotes = false;
  let sinceRow = 0;
  let lastCR = false;
  let lastNL = false;

  const onRow = (row: string[]) => {
    const l = line;
    line++;
    if (quotes || prevQuotes) {
      for (let i = 0; i < row.length; i++) {
        const v = row[i]!;
        if (v.length > 0 && v.indexOf('\n') >= 0) {
          for (let j = v.indexOf('\n'); j >= 0; j = v.indexOf('\n', j + 1)) line++;
        }
      }
    }
    sinceRow = 0;
    // The blank-line placeholder (a single space) keeps the count, and is not a record.
    if ((row[0] === ' ' || row[0] === '') && isBlank(row)) return;
    batch.push(row);
    lines.push(l);
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
    const ncols = headerLine.split(delimiter).length;
    if (ncols > MAX_COLUMNS)
      throw new FileError(
        `the header has ${ncols} columns; at most ${MAX_COLUMNS} are supported`,
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
    const parser = (P.parser = initParser(schema));
    quotes = body.indexOf('"') >= 0;
    parser.chunk(body, parser.stringArrs, onRow);
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
      P.parser.chunk(text, P.parser.stringArrs, onRow);
      if (sinceRow > MAX_RECORD_CHARS)
        throw new FileError(
          `a quoted field that starts on line ${line} never ends (unterminated quote, or not a CSV file)`,
          '(file)',
          line,
        );
    }
    await flush();
  }
  if (!stopped) {
    if (!header && head !== '') {
      start(head, true);
    } else if (!header) throw new FileError('the file is empty');
    P.parser?.end();
    await flush();
  }
  return header;
}
