// The summary tables (an_counts, an_suspected, an_crash, an_burn, an_ttr) from one scan of a CUBE_SOURCE-shaped
// table: SQLite groups only by sorting, so five GROUP BYs over a million devices were five sorts on four text columns;
// here each device is folded into its cell in a hash map, and each table is written back in one statement.
import type { Db } from './db.js';
import { DirectStatement } from './fast-insert.js';
import { TextIds } from './text-ids.js';

/** A running sum (boxed, so adding to it is one map lookup). */
interface Sum {
  n: number;
  ms: number;
}

/** The sums of one (ring, site, platform, tags) cell, keyed as the tables' last key column. */
interface Cell {
  /** The rowid of a device of the cell in the source table: the written rows take their dimensions from it. */
  rep: number;
  /** Devices, and suspected devices, per state (indexed as the fold's state list). */
  counts: number[];
  suspected: number[];
  /** Made at the cell's first crash: many cells of a large fleet never have one. */
  times: { crash: Map<number, Sum>; burn: Map<number, Sum>; ttr: Map<number, Sum> } | null;
}

/**
 * Past this many cells (tag lists that name each device, say) the maps' memory grows with the fleet and the writes,
 * a row per cell, cost as much as the sorts: the fold gives way to SQL.
 */
const MAX_CELLS = 250_000;

function sum(m: Map<number, Sum>, k: number): Sum {
  let e = m.get(k);
  if (!e) m.set(k, (e = { n: 0, ms: 0 }));
  return e;
}

/**
 * SQLite's `t / size` on integers: division truncates toward zero, as `%` keeps the dividend's sign. The maps are
 * keyed by this quotient, a small integer V8 hashes without allocating, and the bucket is written as quotient * size.
 */
const quotient = (t: number, size: number) => (t - (t % size)) / size;

const sorted = (m: Map<number, Sum>) => [...m].sort((a, b) => a[0] - b[0]);

interface Folded {
  /** Each cell with its key's text (two cells may share a text whose bytes differ: SQLite keeps them apart too). */
  cells: [string, Cell][];
  states: string[];
}

/**
 * Folds the devices of `src` into per-cell sums. Null when a time or rowid is not a safe integer (a REAL, a text, or
 * an integer past 2^53; SQLite's arithmetic on those is not JavaScript's) or the cells are too many: the caller then
 * groups in SQL instead.
 */
function fold(db: Db, src: string, crashMs: number, burnMs: number, maxCells: number): Folded | null {
  // A cell and a state are numbered by their text's bytes where SQLite left them (TextIds): a row makes no string.
  const keys = new TextIds();
  const stateIds = new TextIds();
  const byKey: Cell[] = [];
  // json_array is an unambiguous key for the four texts (a separator could occur inside a tag list). A REAL time
  // (SQLite divides it as a float) comes out as '', which is not a safe integer: the fold then gives way to SQL.
  // Read through sqlite's C API when sql.js exports it: Statement.get builds an array and goes through a wrapper per
  // value, a quarter of the scan's time at a million rows.
  const st = new DirectStatement(
    db,
    `SELECT rowid, json_array(ring, site, platform, tags), state, certainty = 'suspected',
       iif(typeof(crashed_at) = 'real', '', crashed_at), iif(typeof(resolved_at) = 'real', '', resolved_at)
     FROM ${src}`,
    0,
  );
  let ok = true;
  // Gives up (ok false, the walk stopped) when the fold cannot stand for SQLite's arithmetic or has too many cells.
  const fail = () => (ok = false);
  try {
    st.each([], (read) => {
      // state is NOT NULL in every CUBE_SOURCE-shaped table, json_array never NULL: -1 would be a bug, not a row.
      const k = st.direct ? st.textId(1, keys) : keys.idOf(read(1) as string);
      const s = st.direct ? st.textId(2, stateIds) : stateIds.idOf(read(2) as string);
      if (k < 0 || s < 0) return fail();
      let c = byKey[k];
      if (!c) {
        const rowid = read(0) as number;
        // The written rows find their dimensions by this rowid: it must come through a double exactly.
        if (!Number.isSafeInteger(rowid) || keys.size > maxCells) return fail();
        c = byKey[k] = { rep: rowid, counts: [], suspected: [], times: null };
      }
      c.counts[s] = (c.counts[s] ?? 0) + 1;
      if (read(3)) c.suspected[s] = (c.suspected[s] ?? 0) + 1;
      const crashed = read(4);
      if (crashed === null) return;
      if (!Number.isSafeInteger(crashed)) return fail();
      const t = crashed as number;
      const m = (c.times ??= { crash: new Map(), burn: new Map(), ttr: new Map() });
      sum(m.crash, quotient(t, crashMs)).n++;
      sum(m.burn, quotient(t, burnMs)).n++;
      const resolved = read(5);
      if (resolved === null) return;
      if (!Number.isSafeInteger(resolved)) return fail();
      const r = resolved as number;
      sum(m.burn, quotient(r, burnMs)).n--;
      const ms = Math.max(r - t, 0);
      if (!Number.isSafeInteger(ms)) return fail();
      const e = sum(m.ttr, quotient(ms, 3600_000));
      e.n++;
      e.ms += ms;
    });
  } finally {
    st.free();
  }
  if (!ok) return null;
  const cells = byKey.map((c, k): [string, Cell] => [keys.text(k), c]);
  return { cells, states: Array.from({ length: stateIds.size }, (_, i) => stateIds.text(i)) };
}

/**
 * Adds (sign 1) or removes (sign -1) the contribution of the devices in `src` (a CUBE_SOURCE-shaped table) to the
 * five summary tables. False, with nothing written, when its times need SQLite's own arithmetic or its cells are
 * more than maxCells.
 */
export function foldCubes(
  db: Db,
  src: string,
  sign: 1 | -1,
  crashMs: number,
  burnMs: number,
  maxCells = MAX_CELLS,
): boolean {
  const folded = fold(db, src, crashMs, burnMs, maxCells);
  if (!folded) return false;
  const { cells, states } = folded;
  const stateOrder = states.map((_, i) => i).sort((a, b) => (states[a]! < states[b]! ? -1 : 1));
  const counts: unknown[][] = [];
  const suspected: unknown[][] = [];
  const crash: unknown[][] = [];
  const burn: unknown[][] = [];
  const ttr: unknown[][] = [];
  // In key order, so the writes append to the tables' B-trees instead of splitting pages all over them.
  const order = [...cells].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
  for (const c of order) {
    for (const s of stateOrder) {
      if (c.counts[s]) counts.push([c.rep, states[s], sign * c.counts[s]!]);
      if (c.suspected[s]) suspected.push([c.rep, states[s], sign * c.suspected[s]!]);
    }
    if (!c.times) continue;
    for (const [q, e] of sorted(c.times.crash)) crash.push([c.rep, q * crashMs, sign * e.n]);
    for (const [q, e] of sorted(c.times.burn)) burn.push([c.rep, q * burnMs, sign * e.n]);
    for (const [h, e] of sorted(c.times.ttr)) {
      // SQLite's SUM of integers is exact to 2^63 (and fails past it): a sum JavaScript cannot hold goes to SQL.
      if (!Number.isSafeInteger(e.ms)) return false;
      ttr.push([c.rep, h, sign * e.n, sign * e.ms]);
    }
  }
  // The dimensions come from the source row itself (byte for byte), the rest from the JSON.
  const from = `FROM json_each(?) j CROSS JOIN ${src} d ON d.rowid = j.value ->> 0 WHERE true`;
  const write = (table: string, cols: string, sets: string, rows: unknown[][]) => {
    const vals = cols.split(', ').map((_, i) => `j.value ->> ${i + 1}`);
    if (rows.length)
      db.run(
        `INSERT INTO ${table}(ring, site, platform, tags, ${cols})
         SELECT d.ring, d.site, d.platform, d.tags, ${vals.join(', ')} ${from} ON CONFLICT DO UPDATE SET ${sets}`,
        [JSON.stringify(rows)],
      );
  };
  write('an_counts', 'state, n', 'n = n + excluded.n', counts);
  write('an_suspected', 'state, n', 'n = n + excluded.n', suspected);
  write('an_crash', 'bucket, n', 'n = n + excluded.n', crash);
  write('an_burn', 'bucket, delta', 'delta = delta + excluded.delta', burn);
  write('an_ttr', 'hours, n, sum_ms', 'n = n + excluded.n, sum_ms = sum_ms + excluded.sum_ms', ttr);
  return true;
}
