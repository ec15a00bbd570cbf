// A full recompute's per-device evidence (temp._ev) folded in JavaScript from one read of each table under the facts
// view: SQLite groups only by sorting, and the GROUP BY's sort and its seventeen FILTERed aggregates were two thirds
// of the evidence scan; here each fact is added to its device's slot in typed arrays, and the slots written in id order.
import type { Db } from './db.js';
import { DirectStatement, type InsertValue } from './fast-insert.js';
import { RowInserts } from './row-inserts.js';

/**
 * A read of the fold: device_id, ts and k; `latest`: its times count towards the latest time. `alsoLatest`: a fourth
 * column, one more time that counts only towards the latest time (a source row's check-in and the time of its version
 * and ring facts come in one row: the fleet facts read from the row's columns, not from the view's 0–4 rows).
 */
export interface FoldSource {
  sql: string;
  latest: boolean;
  alsoLatest?: boolean;
  /** The read takes no parameter: `values` are not bound to it. */
  unbound?: boolean;
  /**
   * A row whose k is NULL is passed over before anything else is read or tested, as a `WHERE k IS NOT NULL` around
   * the read would drop it: the read is then one plain statement, not a subquery run as a co-routine (each row yielded
   * and copied to the outer query).
   */
  skipNull?: boolean;
}

/** The columns of temp._ev the fold writes, in the order of its arrays (MIN_AT, MAX_AT, then the counts). */
export const FOLD_COLUMNS = [
  'bad_at',
  'first_crash',
  'rec_ev',
  'fix_ev',
  'reimage_at',
  'uncl_first',
  'seen_first',
  'oth_first',
  'bad_last',
  'last_loop',
  'seen_at',
  'uncl_last',
  'oth_last',
  'crashes',
  'roll_ev',
  'unclean',
] as const;

/**
 * Which time each kind of evidence (k, see evidence.scan) lowers, raises and counts, as column indexes of
 * FOLD_COLUMNS (-1: none). k 3, 4 and 9 raise last_loop, k 9 uncl_last as well (a second raise, RAISE2).
 */
const LOWER = [-1, 0, 7, 1, -1, 2, 3, 4, 6, 5];
const RAISE = [-1, 8, 12, 9, 9, -1, -1, -1, 10, 9];
const RAISE2 = [-1, -1, -1, -1, -1, -1, -1, -1, -1, 11];
const COUNT = [-1, 14, 14, 13, -1, -1, -1, -1, -1, 15];
const TIMES = 13;
const COUNTS = 3;

/** Past this device id, arrays indexed by id would cost more memory than the fold saves: SQL groups instead. */
const MAX_ID = 1 << 23;

/**
 * Folds the rows of `sources` (SELECTs of device_id, ts and k, the kind of evidence 0-9 or NULL for a fact that only
 * counts towards the latest time; `values` bound to each) into temp._ev, which must exist and be empty, and returns
 * the latest time of the sources marked so (null for none, as MAX gives); or undefined, with nothing written, when the fold cannot stand for SQLite's
 * GROUP BY: no C API, a device id or time that is not an integer JavaScript holds exactly (SQLite orders a text or a
 * float apart), or a device id out of the arrays' range (`maxId`, the largest the devices table holds).
 */
export function foldEvidence(
  db: Db,
  sources: FoldSource[],
  values: InsertValue[],
  maxId: number,
): { latest: number | null } | undefined {
  if (!(maxId >= 0 && maxId <= MAX_ID)) return undefined;
  const size = maxId + 1;
  // NaN: no time of that kind (MIN and MAX skip NULL times; a device with none has NULL there).
  const times = Array.from({ length: TIMES }, () => new Float64Array(size).fill(NaN));
  const counts = Array.from({ length: COUNTS }, () => new Int32Array(size));
  // A device with any row gets a row of _ev, as the GROUP BY gives one to a device of k 0 alone.
  const seen = new Uint8Array(size);
  let latest = -Infinity;
  let ok = true;
  for (const { sql, latest: timed, alsoLatest, unbound, skipNull } of sources) {
    const params = unbound ? [] : values;
    const st = new DirectStatement(db, sql, params.length);
    try {
      if (!st.direct) return undefined;
      st.each(params, () => {
        const k = st.safeInteger(2);
        if (k === null && skipNull) return;
        const id = st.safeInteger(0);
        const ts = st.safeInteger(1);
        if (id === null || !(id >= 0 && id <= maxId) || Number.isNaN(ts) || Number.isNaN(k)) return (ok = false);
        if (timed && ts !== null && ts > latest) latest = ts;
        if (alsoLatest) {
          const t2 = st.safeInteger(3);
          if (Number.isNaN(t2)) return (ok = false);
          if (t2 !== null && t2 > latest) latest = t2;
        }
        if (k === null) return;
        seen[id] = 1;
        const lo = LOWER[k];
        if (lo === undefined) return (ok = false);
        const c = COUNT[k]!;
        if (c >= 0) counts[c - TIMES]![id]!++;
        if (ts === null) return;
        if (lo >= 0) {
          const a = times[lo]!;
          // NaN fails every comparison: the first time always goes in.
          if (!(a[id]! <= ts)) a[id] = ts;
        }
        const hi = RAISE[k]!;
        if (hi >= 0) {
          const a = times[hi]!;
          if (!(a[id]! >= ts)) a[id] = ts;
        }
        const hi2 = RAISE2[k]!;
        if (hi2 >= 0) {
          const a = times[hi2]!;
          if (!(a[id]! >= ts)) a[id] = ts;
        }
      });
    } finally {
      st.free();
    }
    if (!ok) return undefined;
  }
  write(db, times, counts, seen);
  return { latest: latest === -Infinity ? null : latest };
}

/** Writes each device's slots, in id order (the table's key order: each row appends to its B-tree). */
function write(db: Db, times: Float64Array[], counts: Int32Array[], seen: Uint8Array): void {
  const width = 1 + TIMES + COUNTS;
  const ins = new RowInserts(
    db,
    `INSERT INTO temp._ev(device_id, ${FOLD_COLUMNS.join(', ')})`,
    `(${new Array<string>(width).fill('?').join(',')})`,
    width,
  );
  const row = new Array<number | null>(width).fill(null);
  try {
    for (let id = 0; id < seen.length; id++) {
      if (!seen[id]) continue;
      row[0] = id;
      for (let j = 0; j < TIMES; j++) {
        const t = times[j]![id]!;
        row[1 + j] = Number.isNaN(t) ? null : t;
      }
      for (let j = 0; j < COUNTS; j++) row[1 + TIMES + j] = counts[j]![id]!;
      ins.add(row);
    }
    ins.flush();
  } finally {
    ins.free();
  }
}
