// CSV text helpers: the exact quote-aware splitter, delimiter sniffing, preamble skipping and header fix-ups.

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

/**
 * Where the record that starts at `from` ends, by splitRecords' rules (a quote opens a cell only at its start, `""`
 * inside is one quote): the index of its line end, or -1 while a quote is still open at the end of the text. With
 * `last`, the line end of the last record that ends in the text instead (-1 for none). Line ends and quotes are found
 * with indexOf, so a record without quotes costs one search.
 */
export function recordEnd(raw: string, from: number, delim: string, last = false): number {
  const d = delim.charCodeAt(0);
  let found = -1;
  let i = from;
  let recordStart = from;
  for (;;) {
    const nl = raw.indexOf('\n', i);
    let q = raw.indexOf('"', i);
    // Quotes inside a cell (not at its start) are text: skip them, up to the line end.
    while (q >= 0 && (nl < 0 || q < nl) && q !== recordStart && raw.charCodeAt(q - 1) !== d)
      q = raw.indexOf('"', q + 1);
    if (q < 0 || (nl >= 0 && nl < q)) {
      if (nl < 0 || !last) return nl < 0 ? found : nl;
      found = nl;
      i = recordStart = nl + 1;
      continue;
    }
    // A quoted cell: its end is the next quote not doubled.
    let k = q + 1;
    for (;;) {
      const c = raw.indexOf('"', k);
      if (c < 0) return found;
      if (raw.charCodeAt(c + 1) === 34) k = c + 2;
      else {
        i = c + 1;
        break;
      }
    }
  }
}

export function isBlank(row: string[]): boolean {
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

/**
 * Finds where the header row starts: skips blank lines, `#TYPE …`/`#` comments, `sep=` hints and banners. Null when
 * the lines that decide are not all in `text` yet and more may come (`final` false): a banner is told from a header by
 * the next line and, when that is far wider, the one after it, so the answer must not depend on where a chunk ends.
 */
export function findHeader(
  text: string,
  final = true,
): { start: number; line: number; notes: string[]; sep: string | null } | null {
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
      // A banner ("Exported from … on …") above a real header with many more delimiters. Not when the line after
      // next has this line's count again: then this is the header and the next line a row too wide (or one whose
      // cells hold unquoted delimiters), which the reader reports.
      const nl2 = text.indexOf('\n', nl + 1);
      if (nl2 < 0 && !final) return null;
      const mine = countDelims(l);
      const theirs = countDelims(text.slice(nl + 1, nl2 < 0 ? text.length : nl2));
      if ((mine === 0 && theirs >= 1) || (theirs >= 3 && mine * 3 <= theirs)) {
        const nl3 = nl2 < 0 ? -1 : text.indexOf('\n', nl2 + 1);
        if (nl2 >= 0 && nl3 < 0 && !final) return null;
        const third = nl2 < 0 ? '' : text.slice(nl2 + 1, nl3 < 0 ? text.length : nl3);
        if (third.trim() === '' || countDelims(third) !== mine) {
          notes.push(`skipped banner line ${line}: ${t.slice(0, 60)}`);
          skip = true;
        }
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
