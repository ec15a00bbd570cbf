// What the fleet and key normalisations share: a batch's values as indexes into its strings, the row's own cell as a mark, a memo.
import type { Field } from './formats.js';
import type { RowNote } from './rows.js';

/** A null value in a normalised batch's cells. */
export const NONE = 0xffffffff;
/** A value that is its row's cell of the value's column, as handed over: the string need not cross again. */
export const CELL = 0xfffffffe;

/** Where each value's source cell is in the rows (-1: none), from the field each value most often is unchanged. */
export function sourceCells(fields: readonly (Field | null)[], cols: Record<Field, number>): number[] {
  return fields.map((f) => (f ? cols[f] : -1));
}

/** Value k of row r of a batch `width` values a row (`row`: its cells as the writer got them), or null. */
export function cellValue(
  n: { strings: string[]; cells: Uint32Array },
  width: number,
  r: number,
  k: number,
  row: string[],
  src: number[],
): string | null {
  const i = n.cells[r * width + k]!;
  return i === NONE ? null : i === CELL ? row[src[k]!]! : n.strings[i]!;
}

/** Whether row r is rejected by its reader's note (`notes` sorted by index; rows asked for in order). */
export function noteRejects(notes: readonly RowNote[] | undefined): (r: number) => boolean {
  let n = 0;
  return (r) => {
    if (!notes) return false;
    while (n < notes.length && notes[n]!.index < r) n++;
    return n < notes.length && notes[n]!.index === r && notes[n]!.reject === true;
  };
}

/**
 * Reports a normalised batch's problems (each with its row's index, in the order raised) at their rows' lines, as the
 * writer reaches each row in order: `at(index, line)` reports that row's own, before anything else of the row.
 */
export function problemReplay(
  found: readonly RowNote[],
  problems: {
    reject(line: number, field: string, message: string): void;
    flag(line: number, field: string, message: string): void;
  },
): (index: number, line: number) => void {
  let p = 0;
  return (index, line) => {
    for (; p < found.length && found[p]!.index <= index; p++) {
      const q = found[p]!;
      if (q.index < index) continue;
      if (q.reject) problems.reject(line, q.field, q.message);
      else problems.flag(line, q.field, q.message);
    }
  };
}

/**
 * `fn` with its answers kept for the first `max` distinct inputs: a column's few distinct labels (rings, groups, tags,
 * platforms) are worked out once a file, not once a row. `fn` must be pure and never give undefined.
 */
export function memo<T>(fn: (s: string) => T, max = 4096): (s: string) => T {
  const seen = new Map<string, T>();
  return (s) => {
    let v = seen.get(s);
    if (v === undefined) {
      v = fn(s);
      if (seen.size < max) seen.set(s, v);
    }
    return v;
  };
}
