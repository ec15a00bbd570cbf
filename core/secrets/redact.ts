// Recovery-password redaction: text with the shape of a BitLocker recovery password never leaves the secret column.

/** What a redacted recovery password reads as, in messages, flags and stored rows. */
export const REDACTED = '[recovery password redacted]';

/**
 * 48 digits in 8 groups of 6, joined by hyphens, spaces (also no-break or typographic dashes, as spreadsheets and
 * mail clients write them) or nothing. A longer run of digits is redacted whole: a password pasted next to other
 * digits is still a password. Excel's scientific form (1.23457E+47) has lost the digits and is not matched.
 */
const SHAPE = /\d*\d{6}(?:[-\u2010-\u2015 \u00a0\t]?\d{6}){7}\d*/g;
const SHAPE_ONE = /\d{6}(?:[-\u2010-\u2015 \u00a0\t]?\d{6}){7}/;

/** Whether the text holds something with the recovery-password shape. */
export function hasRecoveryPassword(text: string): boolean {
  // 48 characters at least: most cells are shorter, and this check runs on every cell of every import.
  return text.length >= 48 && SHAPE_ONE.test(text);
}

/** The text with every recovery-password-shaped run replaced by REDACTED. */
export function redactSecrets(text: string): string {
  return hasRecoveryPassword(text) ? text.replace(SHAPE, REDACTED) : text;
}

/**
 * Redacts the cells of parsed rows in place, except the column at `keep` (a key file's password column, which the
 * keys writer seals). Returns how many cells were redacted.
 */
export function redactRows(rows: string[][], count: number, keep = -1): number {
  let n = 0;
  for (let r = 0; r < count; r++) {
    const row = rows[r]!;
    for (let i = 0; i < row.length; i++) {
      const v = row[i]!;
      if (i !== keep && v.length >= 48 && SHAPE_ONE.test(v)) {
        row[i] = v.replace(SHAPE, REDACTED);
        n++;
      }
    }
  }
  return n;
}
