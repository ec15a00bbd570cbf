// The device text search's reads of its trigram index: each chunk's candidates in hostname order, and a first page.
import type { Db } from './db.js';
import { CHUNK, CHUNK_BITS, decode, intersect, termGrams, textMatch } from './device-text.js';

/** Posting lists intersected per chunk at most. */
const MAX_LISTS = 12;
/**
 * The intersection stops when the survivors times this is under the next list's length: checking a candidate with
 * the exact match (a row read and six LIKEs, about 2 µs) costs what decoding some hundreds of positions does.
 */
const FEW = 256;

/**
 * One chunk's devices that may match, in the device list's hostname order (hostname COLLATE NOCASE, then id). A chunk
 * written since the last rebuild is answered by the exact match on its own devices, in the same order.
 */
export interface TextRun {
  chunk: number;
  ids: Int32Array;
}

/**
 * The runs of every chunk holding a candidate, by chunk; null for a term of fewer than three characters, which has
 * no trigram to look up. Every device that matches is in its chunk's run.
 */
export function textRuns(db: Db, term: string): TextRun[] | null {
  const grams = termGrams(term);
  if (!grams.length) return null;
  const top = db.value<number>('SELECT MAX(id) FROM devices');
  if (top === null || top === undefined) return [];
  const dirty = new Set(db.all<{ chunk: number }>('SELECT chunk FROM device_text_dirty').map((r) => r.chunk));
  const chunks: number[] = [];
  for (let c = 0; c <= top >> CHUNK_BITS; c++) if (!dirty.has(c)) chunks.push(c);
  // Per chunk: the term's trigrams present there (a chunk missing one of them holds no match).
  const byChunk = new Map<number, { n: number; ids: Uint8Array }[]>();
  if (chunks.length) {
    const st = db.prepare(
      `SELECT chunk, n, ids FROM device_text_grams WHERE chunk IN (${chunks.join(',')}) AND tri IN (${grams.map(() => '?').join(',')})`,
    );
    try {
      st.bind(grams);
      while (st.step()) {
        const [chunk, n, ids] = st.get() as [number, number, Uint8Array];
        let list = byChunk.get(chunk);
        if (!list) byChunk.set(chunk, (list = []));
        list.push({ n, ids });
      }
    } finally {
      st.free();
    }
  }
  const runs: TextRun[] = [];
  const kept = new Int32Array(CHUNK);
  const hits: { chunk: number; m: number; kept: Int32Array }[] = [];
  for (const c of chunks) {
    const lists = byChunk.get(c);
    if (!lists || lists.length < grams.length) continue;
    // Rarest first: its positions are the most any other list can leave; each further list keeps those it also
    // holds. The exact match on the candidates does the rest, so the intersection stops when it no longer pays:
    // after MAX_LISTS lists, or once the survivors are so few that checking them costs less than decoding the next.
    lists.sort((a, b) => a.n - b.n);
    let m = 0;
    decode(lists[0]!.ids, (o) => (kept[m++] = o));
    for (let k = 1; k < Math.min(lists.length, MAX_LISTS) && m > 0 && m * FEW >= lists[k]!.n; k++)
      m = intersect(kept, m, lists[k]!.ids);
    if (m) hits.push({ chunk: c, m, kept: kept.slice(0, m) });
  }
  // Positions become ids through the chunk's order map (two bytes per position).
  if (hits.length) {
    const maps = new Map(
      db
        .all<{ chunk: number; ids: Uint8Array }>(
          `SELECT chunk, ids FROM device_text_order WHERE chunk IN (${hits.map((h) => h.chunk).join(',')})`,
        )
        .map((r) => [r.chunk, r.ids]),
    );
    for (const h of hits) {
      const map = maps.get(h.chunk)!;
      const base = h.chunk * CHUNK;
      const ids = new Int32Array(h.m);
      for (let i = 0; i < h.m; i++) {
        const p = h.kept[i]! * 2;
        ids[i] = base + (map[p]! | (map[p + 1]! << 8));
      }
      runs.push({ chunk: h.chunk, ids });
    }
  }
  if (dirty.size) {
    const m = textMatch(term.trim());
    for (const c of dirty) {
      const ids = db
        .all<{ id: number }>(
          `SELECT id FROM devices d WHERE id >= ? AND id < ? AND ${m.sql} ORDER BY hostname COLLATE NOCASE, id`,
          [c * CHUNK, (c + 1) * CHUNK, ...m.params],
        )
        .map((r) => r.id);
      if (ids.length) runs.push({ chunk: c, ids: Int32Array.from(ids) });
    }
    runs.sort((a, b) => a.chunk - b.chunk);
  }
  return runs;
}

/** Every candidate of the runs, ascending. */
export function runIds(runs: readonly TextRun[]): number[] {
  const all = new Int32Array(runs.reduce((n, r) => n + r.ids.length, 0));
  let at = 0;
  for (const r of runs) {
    all.set(r.ids, at);
    at += r.ids.length;
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
      const left = r.ids.length - taken[i]!;
      if (passed[i]! >= want || left <= 0) return;
      // At least what the page still needs from this run; doubled each round when candidates keep failing.
      const take = Math.min(left, Math.max(want - passed[i]!, taken[i]!));
      for (let k = taken[i]!; k < taken[i]! + take; k++) batch.push(r.ids[desc ? r.ids.length - 1 - k : k]!);
      taken[i]! += take;
    });
    if (!batch.length) return out;
    for (const id of keep(batch)) {
      passed[runOf.get(id >> CHUNK_BITS)!]!++;
      out.push(id);
    }
  }
}
