// The reading thread's share of the per-row work (see ReadPlan): redaction, the raw rows' encoding, unread cells left out.
import { redactSecrets, hasRecoveryPassword } from '../secrets/redact.js';
import { encodeRows } from '../store/raw-rows.js';
import type { EncodedRows } from '../store/raw-rows.js';
import { FleetNormaliser, type FleetNorm } from './fleet-norm.js';
import { KeyNormaliser, type KeyNorm } from './key-norm.js';
import type { ReadPlan } from './rows.js';

/**
 * The first `count` rows as the plan asks them handed over: redacted as the host's sink redacts them (a row with a
 * secret is copied first: the reader's arrays stay as they were), encoded for raw_chunks before any cell is left
 * out, then cut down to the columns the writer reads: compact rows of `plan.cols` in that order, or (a plan not
 * compact) whole-width copies with the other cells empty. A wide export's other columns then cost the handover
 * and the writing thread nothing.
 */
export function prepareBatch(
  rows: string[][],
  lines: ArrayLike<number>,
  count: number,
  plan: ReadPlan,
): { rows: string[][]; raw?: EncodedRows } {
  const src = redacted(rows, count, plan.keep);
  const raw = plan.raw ? encodeRows(src, lines, count) : undefined;
  const cols = plan.cols;
  // Compact rows of every column, in order, are the rows as they are (an event log's writer reads all its columns):
  // they are packed at once and not kept, so no copy of each row is made only to be collected.
  if (plan.compact && everyColumn(src, count, cols)) {
    const same = src.length === count ? src : src.slice(0, count);
    return raw ? { rows: same, raw } : { rows: same };
  }
  const out = new Array<string[]>(count);
  if (plan.compact) {
    const k = cols.length;
    for (let r = 0; r < count; r++) {
      const row = src[r]!;
      const o = new Array<string>(k);
      for (let j = 0; j < k; j++) o[j] = row[cols[j]!]!;
      out[r] = o;
    }
  } else {
    const read: boolean[] = [];
    for (const c of cols) read[c] = true;
    for (let r = 0; r < count; r++) {
      const row = src[r]!.slice();
      for (let i = 0; i < row.length; i++) if (read[i] !== true) row[i] = '';
      out[r] = row;
    }
  }
  return raw ? { rows: out, raw } : { rows: out };
}

/**
 * Whether `cols` is 0, 1, 2, … up to every row's width: a compact row of them is the row itself. `cols` are distinct
 * and ascending (readColumns), so a last column of k - 1 means all of 0 … k - 1.
 */
function everyColumn(rows: string[][], count: number, cols: number[]): boolean {
  const k = cols.length;
  if (cols[k - 1] !== k - 1) return false;
  for (let r = 0; r < count; r++) if (rows[r]!.length !== k) return false;
  return true;
}

/** The rows with every cell but column `keep` redacted (redactRows' rule), copying only the rows that change. */
function redacted(rows: string[][], count: number, keep: number): string[][] {
  let out: string[][] | null = null;
  for (let r = 0; r < count; r++) {
    let row = rows[r]!;
    for (let i = 0; i < row.length; i++) {
      const v = row[i]!;
      if (i === keep || !hasRecoveryPassword(v)) continue;
      if (row === rows[r]) {
        out ??= rows.slice(0, count);
        out[r] = row = row.slice();
      }
      row[i] = redactSecrets(v);
    }
  }
  return out ?? rows;
}

/** The columns a writer reads: every field's column it was given, and the time columns. */
export function readColumns(cols: Record<string, number>, tsCols: number[]): number[] {
  return [...new Set([...Object.values(cols).filter((c) => c >= 0), ...tsCols])].sort((a, b) => a - b);
}

/**
 * A writer's columns as compact rows hold them (see ReadPlan.compact): its fields' and time columns' places among
 * `read`, and the names of the cells a compact row has.
 */
export function compactColumns<F extends string>(
  names: string[],
  cols: Record<F, number>,
  tsCols: number[],
  read: number[],
): { header: string[]; cols: Record<F, number>; tsCols: number[] } {
  const at = (c: number) => (c >= 0 ? read.indexOf(c) : -1);
  const mapped = {} as Record<F, number>;
  for (const f of Object.keys(cols) as F[]) mapped[f] = at(cols[f]);
  return { header: read.map((c) => names[c]!), cols: mapped, tsCols: tsCols.map(at) };
}

/**
 * A batch as it crosses between threads: each distinct cell once in `strings`, each row's cells as indexes into it.
 * A structured clone copies every string it meets, even one it copied a cell before: an event log's states, rings,
 * sources and packages would cross (and be made again, then collected, in the writing thread) once a row. Here they
 * cross once a batch, and the writing thread's rows share them.
 */
export interface PackedRows {
  strings: string[];
  /** The cells, row after row: an index into `strings`, or MISSING for a cell the row does not have. */
  cells: Uint32Array;
  /** Where each row's cells end in `cells`. */
  ends: Uint32Array;
}

const MISSING = 0xffffffff;
/** A column is looked up after this many rows only while at most half its cells so far were new (a time column is not). */
const TRIAL_ROWS = 64;

/** The first `count` rows packed (see PackedRows); unpackRows gives back rows equal cell for cell. */
export function packRows(rows: string[][], count: number): PackedRows {
  let total = 0;
  for (let r = 0; r < count; r++) total += rows[r]!.length;
  const cells = new Uint32Array(total);
  const ends = new Uint32Array(count);
  const strings: string[] = [];
  // Per column: the cells seen and their index, and how many were new; null once the column is seldom repeated.
  const seen: (Map<string, number> | null)[] = [];
  const fresh: number[] = [];
  let p = 0;
  let prev: string[] = [];
  let prevAt = 0;
  for (let r = 0; r < count; r++) {
    const row = rows[r]!;
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      if (v === undefined) {
        cells[p++] = MISSING;
        continue;
      }
      // A log lists a device's rows together: its ID, name and ring are the row above's, found without hashing
      // the (newly parsed) string for the map. The row above's cell is in `cells` where this row's starts plus j.
      if (seen[j] !== null && j < prev.length && v === prev[j]) {
        cells[p++] = cells[prevAt + j]!;
        continue;
      }
      let m = seen[j];
      if (m === undefined) {
        seen[j] = m = new Map();
        fresh[j] = 0;
      }
      let at = m === null ? undefined : m.get(v);
      if (at === undefined) {
        at = strings.length;
        strings.push(v);
        if (m !== null) {
          m.set(v, at);
          if (++fresh[j]! * 2 > r + 1 && r >= TRIAL_ROWS) seen[j] = null;
        }
      }
      cells[p++] = at;
    }
    prevAt = r > 0 ? ends[r - 1]! : 0;
    prev = row;
    ends[r] = p;
  }
  return { strings, cells, ends };
}

/** The rows a PackedRows holds. */
export function unpackRows({ strings, cells, ends }: PackedRows): string[][] {
  const out = new Array<string[]>(ends.length);
  let p = 0;
  for (let r = 0; r < ends.length; r++) {
    const end = ends[r]!;
    const row = new Array<string>(end - p);
    for (let j = 0; p < end; j++, p++) {
      const c = cells[p]!;
      // A cell the row lacks stays an undefined cell, as the clone of the reader's row would have it.
      row[j] = c === MISSING ? (undefined as unknown as string) : strings[c]!;
    }
    out[r] = row;
  }
  return out;
}

/** A batch as a writer's normalisation gave it (ReadPlan.fleet, ReadPlan.keys). */
export type RowsNorm = FleetNorm | KeyNorm;

/** The per-row normalisation a plan asks of the reading thread, one for the whole file; null for none. */
export function planNormaliser(plan: ReadPlan | null): FleetNormaliser | KeyNormaliser | null {
  if (plan?.fleet) return new FleetNormaliser(plan.fleet, true);
  return plan?.keys ? new KeyNormaliser(plan.keys, true) : null;
}

/** A normalised batch's buffers, handed over (transferred) with it. */
export function normBuffers(n: RowsNorm): ArrayBuffer[] {
  return [n.cells.buffer, n.ok.buffer, (n.kind === 'fleet' ? n.dates : n.created).buffer] as ArrayBuffer[];
}
