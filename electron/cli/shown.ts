// Terminal-safe text for the CLI's human output: control characters and bidi overrides in data are shown as escapes.

/**
 * C0 controls (ESC starts terminal sequences that retitle or clear the screen, CR overwrites a line), DEL, C1
 * controls (0x9B is a one-byte CSI), line/paragraph separators and the bidi embeddings, overrides and isolates
 * (which reorder what is printed after them).
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is being escaped
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_KEEP_NL =
  // eslint-disable-next-line no-control-regex -- as above, line feeds kept
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** One data value (hostname, cell, note, file name) for a human printer: every unsafe character escaped, newlines too. */
export function shown(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return s.replace(UNSAFE, escape);
}

/**
 * Text of several lines the printer built itself: line feeds kept, every other unsafe character escaped. The
 * `\uXXXX` form is also JSON's own escape, so a JSON line passed through here parses to the same value.
 */
export function shownLines(text: string): string {
  return text.replace(UNSAFE_KEEP_NL, escape);
}
