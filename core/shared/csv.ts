// CSV cells for every file Ringside writes: RFC 4180 quoting, and formula-injection protection for its own exports.

/** Cells a spreadsheet would run as a formula: a leading = + - @, tab, CR or NUL (line breaks later in the cell do not matter). */
const FORMULA_START = /^[=+\-@\t\r\0]/;

/** Text a spreadsheet would run as a formula gets a leading ' (shown as text, never run); other text is unchanged. */
export function neutralise(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/**
 * RFC 4180 quoting only, for files that must read exactly as another tool writes them (the sample's vendor exports,
 * where a leading ' would be data the vendor never wrote). Ringside's own exports use csvCell.
 */
export function csvQuote(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One cell: numbers stay numeric (a negative number is data, not a formula); text that could run gets a leading '. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return csvQuote(neutralise(typeof value === 'string' ? value : String(value)));
}

export function csvRow(values: readonly unknown[]): string {
  return values.map(csvCell).join(',');
}

/** A whole table, CRLF line ends as RFC 4180 asks (Excel opens it either way). */
export function toCsv(header: readonly string[], rows: Iterable<readonly unknown[]>): string {
  const out = [csvRow(header)];
  for (const r of rows) out.push(csvRow(r));
  return `${out.join('\r\n')}\r\n`;
}
