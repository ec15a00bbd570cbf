// The device text search's trigram index (migration 24): built per chunk of device ids, read to narrow a search.
import type { Statement } from 'sql.js';
import type { Db } from './db.js';
import type { Where } from './where.js';

/** The device columns the free-text search matches (DeviceQuery.text). */
export const SEARCHED = ['hostname', 'serial', 'falcon_aid', 'entra_id', 'intune_id', 'user'] as const;

/**
 * Device ids per index row: id >> CHUNK_BITS is the chunk (fixed by migration 24's triggers). Chunks of 4,096 gave
 * twice the rows, 7 % more bytes and 15 % more build time at 100k devices.
 */
export const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
/** Posting lists intersected per chunk at most. */
const MAX_LISTS = 12;
/**
 * The intersection stops when the survivors times this is under the next list's length: checking a candidate with
 * the exact match (a row read and six LIKEs, about 2 µs) costs what decoding some hundreds of offsets does.
 */
const FEW = 256;

/**
 * The search itself, exactly as it has always been: the term anywhere in any searched column, ASCII letters in either
 * case (SQLite's LIKE without ICU), % _ and \ in the term taken literally. The index only narrows the rows it runs on.
 */
export function textMatch(term: string): Where {
  const like = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return {
    sql: `(${SEARCHED.map((c) => `d.${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`,
    params: SEARCHED.map(() => like),
  };
}

/** LIKE folds only A-Z: so does the index, or a non-ASCII letter would be indexed under a form LIKE never matches. */
function fold(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u007f]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s.toLowerCase();
}

/** The distinct trigrams of a search term, by code point (LIKE compares characters, not UTF-16 units). */
export function termGrams(term: string): string[] {
  const cps = Array.from(fold(term));
  const out = new Set<string>();
  for (let i = 0; i + 3 <= cps.length; i++) out.add(cps[i]! + cps[i + 1]! + cps[i + 2]!);
  return [...out];
}

// Offsets ascending, each stored as the gap to the one before (LEB128): one byte for almost every device.
const scratch = new Uint8Array(CHUNK * 2);
function encode(offsets: ArrayLike<number>): Uint8Array {
  let at = 0;
  let prev = -1;
  for (let i = 0; i < offsets.length; i++) {
    const o = offsets[i]!;
    let gap = o - prev - 1;
    prev = o;
    while (gap >= 0x80) {
      scratch[at++] = (gap & 0x7f) | 0x80;
      gap >>>= 7;
    }
    scratch[at++] = gap;
  }
  return scratch.slice(0, at);
}

/**
 * Keeps, in place, the first m offsets of `kept` (ascending) that the encoded list also holds; returns how many.
 * Decoding stops at the list's first offset past the last one kept.
 */
export function intersect(kept: Int32Array, m: number, blob: Uint8Array): number {
  let out = 0;
  let at = 0;
  let prev = -1;
  for (let i = 0; i < blob.length && at < m;) {
    let gap = 0;
    let shift = 0;
    let b: number;
    do {
      b = blob[i++]!;
      gap |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    prev += gap + 1;
    while (at < m && kept[at]! < prev) at++;
    if (at < m && kept[at] === prev) kept[out++] = kept[at++]!;
  }
  return out;
}

/** Calls fn with each offset of an encoded list, ascending. */
export function decode(blob: Uint8Array, fn: (offset: number) => void): void {
  let prev = -1;
  for (let i = 0; i < blob.length;) {
    let gap = 0;
    let shift = 0;
    let b: number;
    do {
      b = blob[i++]!;
      gap |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    prev += gap + 1;
    fn(prev);
  }
}

// A chunk's postings without a string or an array per trigram (a chunk has half a million of them): an ASCII
// trigram is the number c0·128² + c1·128 + c2 (numeric order is the text order the primary key keeps). The
// (trigram, offset) pairs are collected in device order, then counted and scattered by trigram (a counting sort, so
// each trigram's offsets come out ascending). The typed arrays are reused from chunk to chunk.
// The arrays (about 28 MiB) are made on the first rebuild, not when the store loads: most processes never build.
const ASCII_KEYS = 1 << 21;
/** Per trigram: the last offset added (to keep a device once per trigram), then its count, then its write position. */
let last: Int32Array;
let count: Int32Array;
let pairKey: Int32Array;
let pairOff: Int32Array;
let sorted: Int32Array;

class ChunkPostings {
  constructor() {
    if (last) return;
    last = new Int32Array(ASCII_KEYS).fill(-1);
    count = new Int32Array(ASCII_KEYS);
    pairKey = new Int32Array(1 << 20);
    pairOff = new Int32Array(1 << 20);
    sorted = new Int32Array(1 << 20);
  }

  private pairs = 0;
  /** The ASCII trigrams seen in this chunk, for the write and the reset. */
  private readonly keys: number[] = [];
  /** Trigrams with a character beyond ASCII (rare): offsets by trigram text. */
  private readonly wide = new Map<string, number[]>();

  add(value: string, off: number): void {
    const v = fold(value);
    // eslint-disable-next-line no-control-regex
    if (/[^\u0000-\u007f]/.test(v)) return this.addWide(v, off);
    if (v.length < 3) return;
    let key = v.charCodeAt(0) * 128 + v.charCodeAt(1);
    for (let i = 2; i < v.length; i++) {
      key = ((key & 16383) << 7) | v.charCodeAt(i);
      this.push(key, off);
    }
  }

  private push(key: number, off: number): void {
    const was = last[key]!;
    if (was === off) return;
    if (was === -1) this.keys.push(key);
    last[key] = off;
    count[key]!++;
    if (this.pairs === pairKey.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      pairKey = grow(pairKey);
      pairOff = grow(pairOff);
      sorted = new Int32Array(pairKey.length);
    }
    pairKey[this.pairs] = key;
    pairOff[this.pairs++] = off;
  }

  private addWide(v: string, off: number): void {
    const cps = Array.from(v);
    for (let i = 0; i + 3 <= cps.length; i++) {
      const a = cps[i]!.codePointAt(0)!;
      const b = cps[i + 1]!.codePointAt(0)!;
      const c = cps[i + 2]!.codePointAt(0)!;
      if (a < 128 && b < 128 && c < 128) this.push((a << 14) | (b << 7) | c, off);
      else {
        const g = cps[i]! + cps[i + 1]! + cps[i + 2]!;
        const list = this.wide.get(g);
        if (!list) this.wide.set(g, [off]);
        else if (list[list.length - 1] !== off) list.push(off);
      }
    }
  }

  /** Each trigram with its offsets ascending, in key order; clears the shared arrays for the next chunk. */
  each(fn: (tri: string, offsets: ArrayLike<number>) => void): void {
    const keys = this.keys.sort((a, b) => a - b);
    // count[key] becomes the key's write position: the pairs scatter into one run per key, in device order.
    let at = 0;
    for (const key of keys) {
      const n = count[key]!;
      count[key] = at;
      at += n;
    }
    for (let i = 0; i < this.pairs; i++) sorted[count[pairKey[i]!]!++] = pairOff[i]!;
    let begin = 0;
    for (const key of keys) {
      const end = count[key]!;
      fn(String.fromCharCode(key >> 14, (key >> 7) & 127, key & 127), sorted.subarray(begin, end));
      begin = end;
      count[key] = 0;
      last[key] = -1;
    }
    for (const [g, l] of [...this.wide].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) fn(g, l);
  }
}

/**
 * Builds the index rows of every chunk the device triggers marked dirty (an import's devices, a migrated workspace),
 * from the devices as they now are. Returns how many chunks it rebuilt.
 */
export function rebuildDirtyChunks(db: Db): number {
  const chunks = db.all<{ chunk: number }>('SELECT chunk FROM device_text_dirty ORDER BY chunk').map((r) => r.chunk);
  if (!chunks.length) return 0;
  const read = db.prepare(`SELECT id, ${SEARCHED.join(', ')} FROM devices WHERE id >= ? AND id < ? ORDER BY id`);
  const insert = db.prepare('INSERT INTO device_text_grams(chunk, tri, n, ids) VALUES (?, ?, ?, ?)');
  try {
    // One transaction (a savepoint inside an import's): outside one, every insert would commit on its own.
    db.tx(() => {
      for (const chunk of chunks) {
        db.run('DELETE FROM device_text_grams WHERE chunk = ?', [chunk]);
        // In key order: each insert lands at the end of the chunk's range of the primary key.
        readChunk(read, chunk).each((tri, offsets) => insert.run([chunk, tri, offsets.length, encode(offsets)]));
      }
      db.run('DELETE FROM device_text_dirty');
    });
  } finally {
    read.free();
    insert.free();
  }
  return chunks.length;
}

function readChunk(read: Statement, chunk: number): ChunkPostings {
  const p = new ChunkPostings();
  const base = chunk * CHUNK;
  read.bind([base, base + CHUNK]);
  try {
    while (read.step()) {
      const row = read.get();
      const off = (row[0] as number) - base;
      for (let c = 1; c < row.length; c++) {
        const v = row[c];
        if (v !== null && v !== undefined) p.add(String(v), off);
      }
    }
  } finally {
    read.reset();
  }
  return p;
}

/**
 * The device ids that may match a term of three or more characters (every device that does match is among them,
 * ascending), or null for a shorter term, which has no trigram to look up. Chunks written since the last rebuild are
 * answered by the exact match on their own devices, so the answer never depends on the rebuild having run.
 */
export function textCandidates(db: Db, term: string): number[] | null {
  const grams = termGrams(term);
  if (!grams.length) return null;
  const last = db.value<number>('SELECT MAX(id) FROM devices');
  if (last === null || last === undefined) return [];
  const dirty = new Set(db.all<{ chunk: number }>('SELECT chunk FROM device_text_dirty').map((r) => r.chunk));
  const chunks: number[] = [];
  for (let c = 0; c <= last >> CHUNK_BITS; c++) if (!dirty.has(c)) chunks.push(c);
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
  const out: number[] = [];
  const kept = new Int32Array(CHUNK);
  for (const c of chunks) {
    const lists = byChunk.get(c);
    if (!lists || lists.length < grams.length) continue;
    // Rarest first: its offsets are the most any other list can leave; each further list keeps those it also holds.
    // The exact match on the candidates does the rest, so the intersection stops when it no longer pays: after
    // MAX_LISTS lists, or once the survivors are so few that checking them costs less than decoding the next list.
    lists.sort((a, b) => a.n - b.n);
    let m = 0;
    decode(lists[0]!.ids, (o) => (kept[m++] = o));
    for (let k = 1; k < Math.min(lists.length, MAX_LISTS) && m > 0 && m * FEW >= lists[k]!.n; k++)
      m = intersect(kept, m, lists[k]!.ids);
    const base = c * CHUNK;
    for (let i = 0; i < m; i++) out.push(base + kept[i]!);
  }
  if (dirty.size) {
    const m = textMatch(term.trim());
    for (const c of dirty) {
      for (const r of db.all<{ id: number }>(`SELECT id FROM devices d WHERE id >= ? AND id < ? AND ${m.sql}`, [
        c * CHUNK,
        (c + 1) * CHUNK,
        ...m.params,
      ]))
        out.push(r.id);
    }
    out.sort((a, b) => a - b);
  }
  return out;
}
