// The row batches readers hand to writers: the header read, batches of string rows, and notes on single rows.
import type { EncodedRows } from '../store/raw-rows.js';
import type { FleetNorm, FleetNormSpec } from './fleet-norm.js';
import type { KeyNorm, KeyNormSpec } from './key-norm.js';

export interface CsvHeader {
  names: string[];
  /** 1-based line of the header row. */
  line: number;
  delimiter: string;
  /** Lines skipped before the header (`#TYPE`, blank lines, a banner), and header fix-ups. */
  notes: string[];
}

export interface CsvSink {
  /**
   * Called once with the header; return false to stop (unknown format). A promise when the answer comes from another
   * thread. `compact`: a reading thread offers to hand rows over as compact rows (see ReadPlan.compact); the sink's
   * plan says whether it takes them.
   */
  header(h: CsvHeader, compact?: boolean): boolean | Promise<boolean>;
  /**
   * A batch of records and the 1-based line each starts on. The arrays are reused: copy what you keep. The batch
   * may carry `notes` (see RowBatch) for rows a writer must flag or reject.
   */
  rows(rows: string[][], lines: number[], count: number): void | Promise<void>;
  /**
   * Asked once the header is accepted, by a reader in another thread: the per-row work that thread may do for the
   * writer (see ReadPlan). A sink without it gets every batch whole, to do that work itself.
   */
  plan?(): ReadPlan;
}

/** What a reading thread does to each batch before handing it over, so the writing thread need not. */
export interface ReadPlan {
  /** Redact every cell but this column's (a key file's password column; -1 for none), as redactRows does. */
  keep: number;
  /** Encode each row as raw_chunks stores it (RowBatch.raw): the writer keeps the raw rows. */
  raw: boolean;
  /** The columns the writer reads, ascending: the others are left out (the raw rows keep them). */
  cols: number[];
  /**
   * Rows are handed over as only the cells of `cols`, in that order (the writer was opened for that layout); else
   * at full width with the other cells empty.
   */
  compact: boolean;
  /** Normalise each row as the fleet writer would (RowBatch.norm): the writing thread then only resolves and writes. */
  fleet?: FleetNormSpec;
  /** Likewise for a key file (RowBatch.norm). */
  keys?: KeyNormSpec;
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

/**
 * A batch as readers hand it over: `notes`, sorted by index, only when some rows need one (so clean batches cost
 * nothing); `raw`, the rows encoded for raw_chunks by a reading thread (redacted, every column), when its plan asked;
 * `norm`, the rows normalised by a reading thread for their writer (ReadPlan.fleet, .keys), when its plan asked.
 */
export type RowBatch = string[][] & { notes?: RowNote[]; raw?: EncodedRows; norm?: FleetNorm | KeyNorm };

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

export interface UsableRow {
  row: string[];
  line: number;
  /** The row's index in its batch. */
  index: number;
  /** The reader's note on this row (to flag once the row is imported), or null. */
  note: RowNote | null;
}

/**
 * The rows of a batch a writer can use, in order, with their line and note; a row its reader marked unusable is
 * rejected here. One result object is reused, so destructure it in the loop head.
 */
export function usableRows(
  rows: string[][],
  lines: number[],
  count: number,
  problems: { reject(line: number, field: string, message: string): void },
): Iterable<UsableRow> {
  const notes = rowNotes(rows);
  let r = 0;
  const value: UsableRow = { row: [], line: 0, index: 0, note: null };
  const result = { done: false, value };
  const iterator: Iterator<UsableRow> = {
    next() {
      while (r < count) {
        const i = r++;
        const note = notes.at(i);
        if (note?.reject) {
          problems.reject(lines[i]!, note.field, note.message);
          continue;
        }
        value.row = rows[i]!;
        value.line = lines[i]!;
        value.index = i;
        value.note = note;
        return result;
      }
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.iterator]: () => iterator };
}
