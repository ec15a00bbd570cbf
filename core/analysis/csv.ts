// CSV writing (RFC 4180) with formula-injection protection for every table Ringside exports.

/** Cells a spreadsheet would run as a formula: a leading = + - @, tab, CR or NUL (line breaks later in the cell do not matter). */
const FORMULA_START = /^[=+\-@\t\r\0]/;

/** Text a spreadsheet would run as a formula gets a leading ' (shown as text, never run); other text is unchanged. */
export function neutralise(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** One cell: numbers stay numeric (a negative number is data, not a formula); text that could run gets a leading '. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const s = neutralise(typeof value === 'string' ? value : String(value));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
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
