// Streaming CSV reader over decoded text chunks: preamble skipping, delimiter sniffing, uDSV parsing, line numbers.
import { inferSchema, initParser } from 'udsv';
import { FileError } from '../errors.js';
import type { CsvHeader, CsvSink, RowBatch, RowNote } from '../rows.js';
import { findHeader, fixHeader, isBlank, recordEnd, sniffDelimiter, splitRecords } from './csv-text.js';

export const MAX_COLUMNS = 10_000;
/** A single record longer than this is refused: a quote never closed, one line too long, or not a CSV file. */
export const MAX_RECORD_CHARS = 16 << 20;

/**
 * Reads CSV text chunks into batches of records. Line endings are normalised to LF; blank lines keep their
 * place so reported line numbers are the physical lines of the file.
 */
export async function readCsv(chunks: AsyncIterable<string>, sink: CsvSink): Promise<CsvHeader | null> {
  let head = '';
  const P: { parser: ReturnType<typeof initParser> | null } = { parser: null };
  /** The schema for a parser started after the header (uDSV skips the first row of a new parser's text). */
  let bodySchema: ReturnType<typeof inferSchema> | null = null;
  /** Set when uDSV's rows stop following the records (onRow); the text it was given is then read the exact way. */
  let lost = false;
  /** A new parser holds nothing: it is given the pending record with the next text. */
  let fresh = false;
  let header: CsvHeader | null = null;
  let line = 0;
  let batch: RowBatch = [];
  let lines: number[] = [];
  /** Whether the text uDSV parses, from the pending record's start, holds a quote: else cells are their text. */
  let quotes = false;
  let sinceRow = 0;
  let lastCR = false;
  let lastNL = false;
  /** Set once the input has ended: only then can an open quote be told from a record split across chunks. */
  let ending = false;

  /** The text uDSV is parsing (its unparsed tail plus the current chunk) and where the next record starts in it. */
  let src = '';
  let cur = 0;
  /** The first quote in `src` at or after the current record's start (src.length for none); -1 when not looked for. */
  let quoteAt = -1;
  let ncols = 0;
  let delim = ',';
  let colNames: string[] = [];

  const push = (row: string[], l: number) => {
    // The blank-line placeholder (a single space) keeps the count, and is not a record.
    if ((row[0] === ' ' || row[0] === '') && isBlank(row)) return;
    batch.push(row);
    lines.push(l);
  };

  /** The length of the line cleanLine last checked (its text up to the line end). */
  let lineLength = 0;
  /**
   * Whether a record in text with quotes is one plain line, to be taken as it is: no quote before its line end, and
   * its cells (as many as the header's, the last neither empty nor holding a delimiter) joined by delimiters are that
   * line exactly. Then no cell holds a line end (a cell's line end would make the cells longer than the line), and
   * the search of every cell for line ends below would find none: most records of a file with a few quoted cells.
   */
  const cleanLine = (row: string[], start: number, last: string): boolean => {
    if (row.length !== ncols || last === '' || last.indexOf(delim) >= 0) return false;
    const nl = src.indexOf('\n', start);
    if (nl < 0) return false;
    if (quoteAt < start) {
      // The next quote, found once for the records before it (a search from each would go over the same text).
      quoteAt = src.indexOf('"', start);
      if (quoteAt < 0) quoteAt = src.length;
    }
    if (quoteAt < nl) return false;
    let sum = row.length - 1;
    for (let i = 0; i < row.length; i++) sum += row[i]!.length;
    lineLength = nl - start;
    return sum === lineLength;
  };

  const onRow = (row: string[]): boolean | void => {
    if (lost) return false;
    const l = line;
    const start = cur;
    const last = row[ncols - 1]!;
    let end: number;
    let emb = 0;
    let suspect: boolean;
    if (quotes) {
      if (cleanLine(row, start, last)) {
        // Its one line, as uDSV gave it: what the search below would find.
        end = start + lineLength;
        suspect = false;
      } else {
        for (let i = 0; i < row.length; i++) {
          const v = row[i]!;
          if (v.length > 0 && v.indexOf('\n') >= 0) {
            for (let j = v.indexOf('\n'); j >= 0; j = v.indexOf('\n', j + 1)) emb++;
          }
        }
        let e = src.indexOf('\n', start);
        for (let k = 0; k < emb && e >= 0; k++) e = src.indexOf('\n', e + 1);
        // uDSV reads a cell that does not start with a quote up to the next delimiter, line ends and all: after a
        // short row it takes the next line for the row's cells and can run on, out of step, for the rest of the
        // text. Its row's line ends must then be the record's.
        if (e < 0 ? recordEnd(src, start, delim) >= 0 : !endsRecordAt(start, e)) return outOfStep();
        end = e < 0 ? src.length : e;
        if (!cellsFit(row, start, end)) return outOfStep();
        // A short row is padded (last cell '') or, ending in an unquoted cell, runs on into the next line (a newline
        // in a cell); a long one spills into the last cell or past it.
        suspect = emb > 0 || row.length !== ncols || last === '' || last.indexOf(delim) >= 0;
      }
    } else {
      // Without quotes the cells and delimiters are the record's text exactly: its length says where it must end.
      let sum = row.length - 1;
      for (let i = 0; i < row.length; i++) sum += row[i]!.length;
      end = start + sum;
      const nl = src.indexOf('\n', start);
      suspect = (nl < 0 ? src.length : nl) !== end || row.length !== ncols || last.indexOf(delim) >= 0;
      if (suspect && !endsRecordAt(start, end)) return outOfStep();
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

  /** uDSV's row is not the record at `cur`: stop it (parse reads what has ended the exact way and starts anew). */
  const outOfStep = (): false => {
    lost = true;
    return false;
  };

  /** Whether a record of src ends at `end` (a line end), reading on from the record at `start`. */
  const endsRecordAt = (start: number, end: number): boolean => {
    let r = recordEnd(src, start, delim);
    while (r >= 0 && r < end) r = recordEnd(src, r + 1, delim);
    return r === end;
  };

  /**
   * Whether cells of a record with quotes can be its text start..end: each quoted cell's two quotes add two to the
   * cells' length and each doubled quote one, so the text is longer than the cells and their delimiters by at most its
   * quotes and at least half of them. Out of step, uDSV gives cells that are another record's.
   */
  const cellsFit = (row: string[], start: number, end: number): boolean => {
    let extra = end - start - (row.length - 1);
    for (let i = 0; i < row.length; i++) extra -= row[i]!.length;
    let q = 0;
    for (let j = src.indexOf('"', start); j >= 0 && j < end; j = src.indexOf('"', j + 1)) q++;
    return extra >= 0 && extra <= q && 2 * extra >= q;
  };

  /** Reads a record's text the exact (slow) way, flagging it when its field count is not the header's. */
  const exact = (raw: string, l: number) => {
    let nls = 0;
    for (let j = raw.indexOf('\n'); j >= 0; j = raw.indexOf('\n', j + 1)) nls++;
    line = l + 1 + nls;
    // The records come in order: the line count walks on from the last one (from the start each, a long text took
    // time squared in its records).
    let rl = l;
    let nl = raw.indexOf('\n');
    for (const rec of splitRecords(raw, delim)) {
      for (; nl >= 0 && nl < rec.offset; nl = raw.indexOf('\n', nl + 1)) rl++;
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
        // Cells only past the header's: nothing of the row is kept, as of a blank row (push drops it, and its note
        // would have been the next row's).
        if (isBlank(f)) continue;
        (batch.notes ??= []).push(note);
      }
      push(f, rl);
    }
  };

  /**
   * Feeds a chunk in up to three pieces: to its first line end, to its last, and the rest. A piece after one that
   * ended a record starts with nothing pending, so neither `src` nor uDSV (which prepends its own unparsed tail)
   * joins it to anything: the chunk's body is parsed where it lies, as a slice of it. Joined, a chunk of text was
   * copied twice (once each), two large strings a chunk for the collector. Only the first piece, which ends the
   * record the chunk before left open, and the last are joined to what is pending: a line each, mostly.
   */
  const feed = (text: string) => {
    const first = text.indexOf('\n');
    const last = first < 0 ? -1 : text.lastIndexOf('\n');
    if (last <= first) return feedPiece(text);
    feedPiece(text.slice(0, first + 1));
    feedPiece(text.slice(first + 1, last + 1));
    if (last + 1 < text.length) feedPiece(text.slice(last + 1));
  };

  const feedPiece = (text: string) => {
    src = cur < src.length ? src.slice(cur) + text : text;
    cur = 0;
    // Over the pending record's text too, not this chunk alone: a record cut into several chunks may have its quote
    // in an earlier one.
    quotes = src.indexOf('"') >= 0;
    quoteAt = -1;
    parse(text);
  };

  /**
   * Hands text to uDSV. When its rows lost the records (onRow), or it holds back a record that has ended (a short row
   * at the end of the text: uDSV waits for its missing cells), the records that have ended are read the exact way and
   * a new parser starts at the one that has not.
   */
  const parse = (text: string) => {
    const input = fresh ? src.slice(cur) : text;
    fresh = false;
    P.parser!.chunk(input, P.parser!.stringArrs, onRow);
    if (!lost && recordEnd(src, cur, delim) < 0) return;
    lost = false;
    const last = recordEnd(src, cur, delim, true);
    if (last >= cur) {
      exact(src.slice(cur, last), line);
      cur = last + 1;
    }
    sinceRow = src.length - cur;
    P.parser = initParser(bodySchema!);
    fresh = true;
  };

  const norm = (s: string): string => {
    if (lastCR) {
      if (s.charCodeAt(0) === 10) s = s.slice(1);
      lastCR = false;
    }
    if (s.indexOf('\r') >= 0) {
      if (s.charCodeAt(s.length - 1) === 13) lastCR = true;
      // CRLF first (a plain search, several times faster than the pattern), then any CR left alone.
      s = s.replaceAll('\r\n', '\n');
      if (s.indexOf('\r') >= 0) s = s.replace(/\r/g, '\n');
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

  const start = async (text: string, final: boolean): Promise<boolean> => {
    const found = findHeader(text, final);
    if (!found) return false;
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
    if (!(await sink.header(header))) return true;
    P.parser = initParser(schema);
    bodySchema = { ...schema, skip: 0 } as typeof schema;
    ncols = names.length;
    colNames = names;
    delim = delimiter;
    quotes = body.indexOf('"') >= 0;
    src = body;
    quoteAt = -1;
    cur = nl < 0 ? body.length : nl + 1;
    parse(body);
    return true;
  };

  let stopped = false;
  for await (const raw of chunks) {
    const text = norm(raw);
    if (!header) {
      head += text;
      if (head.length > MAX_RECORD_CHARS)
        throw new FileError(`no header row ends within the first ${MAX_RECORD_CHARS} characters`, '(header)', 1);
      if (!(await start(head, false))) continue;
      head = '';
      if (!P.parser) {
        stopped = true;
        break;
      }
    } else if (P.parser) {
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
      await start(head, true);
    } else if (!header) throw new FileError('the file is empty');
    if (P.parser) {
      // uDSV drops a last record that has too few fields and no final newline: end it with one.
      ending = true;
      if (src.length > cur && !lastNL) feed('\n');
      // A new parser has been given nothing: what is left is still in src.
      if (!fresh) P.parser.end();
      // Whatever uDSV left unparsed at the end (a short last record): read it the exact way.
      const rest = src.slice(cur).replace(/\n+$/, '');
      if (rest.trim() !== '') exact(rest, line);
    }
    await flush();
  }
  return header;
}
