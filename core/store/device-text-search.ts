// The device text search's reads of its trigram index: each chunk's candidates in hostname order, and a first page.
import type { Db } from './db.js';
import {
  CHUNK,
  CHUNK_BITS,
  chunksBuilding,
  decode,
  foldTerm,
  intersect,
  ORDER_PART_BITS,
  ORDER_ROW_BITS,
  termGrams,
  textMatch,
} from './device-text.js';

/** Posting lists intersected per chunk at most. */
const MAX_LISTS = 12;
/**
 * The intersection stops when the survivors times this is under the next list's length: checking a candidate with
 * the exact match (a row read and six LIKEs, about 2 µs) costs what decoding some hundreds of positions does.
 */
const FEW = 256;

/**
 * One chunk's devices that may match, in the device list's hostname order (hostname COLLATE NOCASE, then id): `id(k)`
 * is the k-th, once `load` has been called for a range holding k. A chunk written since the last rebuild is answered
 * by the exact match on its own devices, in the same order.
 */
export interface TextRun {
  chunk: number;
  length: number;
  load(from: number, to: number): void;
  id(k: number): number;
}

/** A clean chunk's candidates: list positions, made ids through the parts of the chunk's order map they fall in. */
class IndexRun implements TextRun {
  private readonly parts = new Map<number, Uint8Array>();
  constructor(
    private readonly db: Db,
    readonly chunk: number,
    private readonly positions: Int32Array,
  ) {}

  get length(): number {
    return this.positions.length;
  }

  /** Reads, in one query, the parts of the order map that the candidates from..to-1 fall in. */
  load(from: number, to: number): void {
    const want = new Set<number>();
    for (let k = from; k < to; k++) {
      const part = this.positions[k]! >> ORDER_PART_BITS;
      if (!this.parts.has(part)) want.add(part);
    }
    if (!want.size) return;
    const row = this.chunk << ORDER_ROW_BITS;
    for (const r of this.db.all<{ id: number; ids: Uint8Array }>(
      `SELECT id, ids FROM device_text_order WHERE id IN (${[...want].map((p) => row | p).join(',')})`,
    ))
      this.parts.set(r.id - row, r.ids);
  }

  id(k: number): number {
    const p = this.positions[k]!;
    const map = this.parts.get(p >> ORDER_PART_BITS)!;
    const o = (p & ((1 << ORDER_PART_BITS) - 1)) * 2;
    return this.chunk * CHUNK + (map[o]! | (map[o + 1]! << 8));
  }
}

/**
 * The runs of every chunk holding a candidate, by chunk; null for a term of fewer than three characters, which has
 * no trigram to look up. Every device that matches is in its chunk's run.
 */
export function textRuns(db: Db, term: string): TextRun[] | null {
  const grams = termGrams(term);
  if (!grams.length) return null;
  const all = chunksOf(db);
  if (!all) return [];
  const { clean: chunks, dirty } = all;
  // Per chunk: the term's trigrams present there and their list lengths (a chunk missing one holds no match). The
  // lists themselves are read one by one, as the intersection asks: a long list it skips is never copied out.
  const byChunk = new Map<number, { tri: string; n: number }[]>();
  if (chunks.length) {
    const st = db.prepare(
      `SELECT chunk, tri, n FROM device_text_grams WHERE chunk IN (${chunks.join(',')}) AND tri IN (${grams.map(() => '?').join(',')})`,
    );
    try {
      st.bind(grams);
      while (st.step()) {
        const [chunk, tri, n] = st.get() as [number, string, number];
        let list = byChunk.get(chunk);
        if (!list) byChunk.set(chunk, (list = []));
        list.push({ tri, n });
      }
    } finally {
      st.free();
    }
  }
  const kept = new Int32Array(CHUNK);
  const hits: { chunk: number; m: number; kept: Int32Array }[] = [];
  const blob = db.prepare('SELECT ids FROM device_text_grams WHERE chunk = ? AND tri = ?');
  const read = (chunk: number, tri: string): Uint8Array => {
    blob.bind([chunk, tri]);
    try {
      blob.step();
      return blob.get()[0] as Uint8Array;
    } finally {
      blob.reset();
    }
  };
  try {
    for (const c of chunks) {
      const lists = byChunk.get(c);
      if (!lists || lists.length < grams.length) continue;
      // Rarest first: its positions are the most any other list can leave; each further list keeps those it also
      // holds. The exact match on the candidates does the rest, so the intersection stops when it no longer pays:
      // after MAX_LISTS lists, or once the survivors are so few that checking them costs less than decoding the next.
      lists.sort((a, b) => a.n - b.n);
      let m = 0;
      decode(read(c, lists[0]!.tri), (o) => {
        kept[m++] = o;
      });
      for (let k = 1; k < Math.min(lists.length, MAX_LISTS) && m > 0 && m * FEW >= lists[k]!.n; k++)
        m = intersect(kept, m, read(c, lists[k]!.tri));
      if (m) hits.push({ chunk: c, m, kept: kept.slice(0, m) });
    }
  } finally {
    blob.free();
  }
  return withDirty(
    db,
    term,
    dirty,
    hits.map((h) => new IndexRun(db, h.chunk, h.kept)),
  );
}

/** The runs of the chunks written since the last rebuild (the exact match on their own devices) added to `runs`. */
function withDirty(db: Db, term: string, dirty: ReadonlySet<number>, runs: TextRun[]): TextRun[] {
  if (!dirty.size) return runs;
  const m = textMatch(term.trim());
  for (const c of dirty) {
    const ids = db
      .all<{ id: number }>(
        `SELECT id FROM devices d WHERE id >= ? AND id < ? AND ${m.sql} ORDER BY hostname COLLATE NOCASE, id`,
        [c * CHUNK, (c + 1) * CHUNK, ...m.params],
      )
      .map((r) => r.id);
    if (ids.length) runs.push({ chunk: c, length: ids.length, load: () => undefined, id: (k) => ids[k]! });
  }
  return runs.sort((a, b) => a.chunk - b.chunk);
}

/** The chunks up to the highest device id, the clean ones apart from those a rebuild has still to write. */
function chunksOf(db: Db): { clean: number[]; dirty: Set<number> } | null {
  const top = db.value<number>('SELECT MAX(id) FROM devices');
  if (top === null || top === undefined) return null;
  const dirty = new Set(db.all<{ chunk: number }>('SELECT chunk FROM device_text_dirty').map((r) => r.chunk));
  for (const c of chunksBuilding(db)) dirty.add(c);
  const clean: number[] = [];
  for (let c = 0; c <= top >> CHUNK_BITS; c++) if (!dirty.has(c)) clean.push(c);
  return { clean, dirty };
}

/**
 * The runs of a two-character term (null for any other length): every gram that starts with it, a trigram or a
 * value's end gram (its last two characters and a NUL), so every value holding the term is in one of their lists.
 * Their union per chunk, in hostname order. The grams are a range of the index: from the term to the term with its
 * last character's successor (text compares as UTF-8 bytes, which is code point order).
 */
export function bigramRuns(db: Db, term: string): TextRun[] | null {
  const cps = Array.from(foldTerm(term));
  if (cps.length !== 2) return null;
  const lastCp = cps[1]!.codePointAt(0)!;
  // No successor character to end the range at (the last code point, or the one before the surrogates): scan.
  if (lastCp >= 0x10ffff || lastCp === 0xd7ff) return null;
  const chunks = chunksOf(db);
  if (!chunks) return [];
  const lo = cps[0]! + cps[1]!;
  const hi = cps[0]! + String.fromCodePoint(lastCp + 1);
  const seen = new Uint8Array(CHUNK);
  const runs: TextRun[] = [];
  const st = db.prepare('SELECT ids FROM device_text_grams WHERE chunk = ? AND tri >= ? AND tri < ?');
  try {
    for (const c of chunks.clean) {
      st.bind([c, lo, hi]);
      let any = false;
      while (st.step()) {
        any = true;
        decode(st.get()[0] as Uint8Array, (o) => {
          seen[o] = 1;
        });
      }
      st.reset();
      if (!any) continue;
      const positions: number[] = [];
      for (let o = 0; o < CHUNK; o++)
        if (seen[o]) {
          positions.push(o);
          seen[o] = 0;
        }
      runs.push(new IndexRun(db, c, Int32Array.from(positions)));
    }
  } finally {
    st.free();
  }
  return withDirty(db, term, chunks.dirty, runs);
}

/** Every candidate of the runs, ascending. */
export function runIds(runs: readonly TextRun[]): number[] {
  const all = new Int32Array(runs.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of runs) {
    r.load(0, r.length);
    for (let k = 0; k < r.length; k++) all[at++] = r.id(k);
  }
  return Array.from(all.sort());
}

/**
 * The device ids that may match a term of three or more characters (every device that does match is among them,
 * ascending), or null for a shorter term. The answer never depends on the rebuild having run.
 */
export function textCandidates(db: Db, term: string): number[] | null {
  const runs = textRuns(db, term);
  return runs && runIds(runs);
}

/**
 * The devices that can be on a hostname-sorted page of `want` rows: each run's first `want` devices that pass
 * `keep` (the page's whole condition: the exact match, the filters, the cursor), taken in the run's order from the
 * front (ascending) or the back. The page's rows are among them, as each of its rows is among the first `want` of
 * its own chunk; the caller sorts them. A broad term reads about a page per chunk instead of every candidate.
 */
export function firstOfRuns(
  runs: readonly TextRun[],
  want: number,
  desc: boolean,
  keep: (ids: number[]) => number[],
): number[] {
  const taken = runs.map(() => 0);
  const passed = runs.map(() => 0);
  const runOf = new Map(runs.map((r, i) => [r.chunk, i]));
  const out: number[] = [];
  for (;;) {
    const batch: number[] = [];
    runs.forEach((r, i) => {
      const left = r.length - taken[i]!;
      if (passed[i]! >= want || left <= 0) return;
      // At least what the page still needs from this run; doubled each round when candidates keep failing.
      const take = Math.min(left, Math.max(want - passed[i]!, taken[i]!));
      r.load(desc ? r.length - taken[i]! - take : taken[i]!, desc ? r.length - taken[i]! : taken[i]! + take);
      for (let k = taken[i]!; k < taken[i]! + take; k++) batch.push(r.id(desc ? r.length - 1 - k : k));
      taken[i]! += take;
    });
    if (!batch.length) return out;
    for (const id of keep(batch)) {
      passed[runOf.get(id >> CHUNK_BITS)!]!++;
      out.push(id);
    }
  }
}

/** Candidates checked per query by countRuns. */
const COUNT_BATCH = 4096;

/**
 * How many of the runs' candidates pass `count` (which counts the ids given that pass the whole condition), counted a
 * batch at a time and stopping once more than `cap` passed: a broad term's capped count checks about cap
 * candidates, not every one.
 */
export function countRuns(runs: readonly TextRun[], cap: number, count: (ids: number[]) => number): number {
  let n = 0;
  let batch: number[] = [];
  for (const r of runs)
    for (let from = 0; from < r.length && n <= cap; from += COUNT_BATCH) {
      const to = Math.min(r.length, from + COUNT_BATCH);
      r.load(from, to);
      for (let k = from; k < to; k++) batch.push(r.id(k));
      // Small runs share a query: a selective term's few candidates are counted at once.
      if (batch.length >= COUNT_BATCH) {
        n += count(batch);
        batch = [];
      }
    }
  return batch.length && n <= cap ? n + count(batch) : n;
}
