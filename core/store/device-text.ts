// The device text search's trigram index (migrations 24 and 30): built per chunk of device ids in hostname order.
import type { Statement } from 'sql.js';
import type { Db } from './db.js';
import type { Where } from './where.js';

/** The device columns the free-text search matches (DeviceQuery.text). */
export const SEARCHED = ['hostname', 'serial', 'falcon_aid', 'entra_id', 'intune_id', 'user'] as const;

/**
 * Device ids per index row: id >> CHUNK_BITS is the chunk (fixed by migration 30's triggers). At a million devices
 * chunks of 16,384 ids gave four times the rows (312k against 81k) for the same bytes, and four times the runs a
 * search's first page merges.
 */
export const CHUNK_BITS = 16;
export const CHUNK = 1 << CHUNK_BITS;
/**
 * Positions per row of a chunk's order map (2 KiB, stored in its page): a first page reads a row or so per chunk, not
 * the whole map. Row id: chunk << ORDER_ROW_BITS | part.
 */
export const ORDER_PART_BITS = 10;
export const ORDER_ROW_BITS = CHUNK_BITS - ORDER_PART_BITS;

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

/** A search term as the index holds text: folded as LIKE folds, up to its first NUL (LIKE reads no further). */
export function foldTerm(term: string): string {
  return fold(term.split('\0')[0]!);
}

/**
 * The distinct trigrams of a search term, by code point (LIKE compares characters, not UTF-16 units). LIKE reads
 * the pattern as C text, up to its first NUL: the characters after one narrow nothing.
 */
export function termGrams(term: string): string[] {
  const cps = Array.from(foldTerm(term));
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
  if (m === 0) return 0;
  decode(blob, (o) => {
    while (at < m && kept[at]! < o) at++;
    if (at < m && kept[at] === o) kept[out++] = kept[at++]!;
    return at < m;
  });
  return out;
}

/** Calls fn with each offset of an encoded list, ascending, until fn returns false. */
export function decode(blob: Uint8Array, fn: (offset: number) => boolean | void): void {
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
    if (fn(prev) === false) return;
  }
}

// A chunk's postings without a string or an array per trigram (a chunk has about two million of them): an ASCII
// trigram is the number c0·128² + c1·128 + c2 (numeric order is the text order the primary key keeps). The
// (trigram, position) pairs are collected in list order, then counted and scattered by trigram (a counting sort, so
// each trigram's positions come out ascending). The typed arrays are reused from chunk to chunk of one rebuild.
const ASCII_KEYS = 1 << 21;
/** Per trigram: the last position added (to keep a device once per trigram), then its count, then its write position. */
let last: Int32Array | null = null;
let count: Int32Array;
let pairKey: Int32Array;
let pairPos: Uint16Array;
let sorted: Uint16Array;

class ChunkPostings {
  private pairs = 0;
  /** The ASCII trigrams seen in this chunk, for the write and the reset. */
  private readonly keys: number[] = [];
  /** Trigrams with a character beyond ASCII (rare): positions by trigram text. */
  private readonly wide = new Map<string, number[]>();

  /**
   * A value's trigrams, folded as LIKE folds, and its end gram (its last two characters and a NUL: every place a
   * two-character term can match is then the start of some gram); NUL separates values (LIKE never reads past one,
   * so nothing spans it).
   */
  add(v: string, pos: number): void {
    // At most one pair per character: room for all of them first, then the loop runs on locals.
    if (this.pairs + v.length > pairKey.length) this.grow(this.pairs + v.length);
    const seen = last!;
    const counts = count;
    const keys = pairKey;
    const at = pairPos;
    let n = this.pairs;
    let key = 0;
    let run = 0;
    for (let i = 0; i < v.length; i++) {
      let c = v.charCodeAt(i);
      if (c >= 128) {
        this.pairs = n;
        return this.addWide(v, pos);
      }
      if (c === 0) {
        // The value's last two characters as a gram ending in NUL: a two-character term finds every value it ends.
        if (run >= 2) n = this.end(key, pos, n);
        run = 0;
        continue;
      }
      if (c >= 65 && c <= 90) c += 32;
      key = ((key & 16383) << 7) | c;
      if (++run < 3) continue;
      const was = seen[key]!;
      if (was === pos) continue;
      if (was === -1) this.keys.push(key);
      seen[key] = pos;
      counts[key]!++;
      keys[n] = key;
      at[n++] = pos;
    }
    this.pairs = n;
    if (run >= 2) this.pairs = this.end(key, pos, n);
  }

  /** Adds the end gram of the value whose last characters `key` holds (room was made by add); returns the pairs. */
  private end(key: number, pos: number, n: number): number {
    const k = (key & 16383) << 7;
    const was = last![k]!;
    if (was === pos) return n;
    if (was === -1) this.keys.push(k);
    last![k] = pos;
    count[k]!++;
    pairKey[n] = k;
    pairPos[n] = pos;
    return n + 1;
  }

  private grow(need: number): void {
    let size = pairKey.length * 2;
    while (size < need) size *= 2;
    const k = new Int32Array(size);
    k.set(pairKey);
    pairKey = k;
    const p = new Uint16Array(size);
    p.set(pairPos);
    pairPos = p;
    sorted = new Uint16Array(size);
  }

  private push(key: number, pos: number): void {
    const was = last![key]!;
    if (was === pos) return;
    if (was === -1) this.keys.push(key);
    last![key] = pos;
    count[key]!++;
    if (this.pairs === pairKey.length) this.grow(this.pairs + 1);
    pairKey[this.pairs] = key;
    pairPos[this.pairs++] = pos;
  }

  private addWide(value: string, pos: number): void {
    for (const part of fold(value).split('\0')) {
      const cps = Array.from(part);
      // The end gram, as in add: the last two characters and a NUL.
      if (cps.length >= 2) cps.push('\0');
      for (let i = 0; i + 3 <= cps.length; i++) {
        const a = cps[i]!.codePointAt(0)!;
        const b = cps[i + 1]!.codePointAt(0)!;
        const c = cps[i + 2]!.codePointAt(0)!;
        if (a < 128 && b < 128 && c < 128) this.push((a << 14) | (b << 7) | c, pos);
        else {
          const g = cps[i]! + cps[i + 1]! + cps[i + 2]!;
          const list = this.wide.get(g);
          if (!list) this.wide.set(g, [pos]);
          else if (list[list.length - 1] !== pos) list.push(pos);
        }
      }
    }
  }

  /** Each trigram with its positions ascending, in key order; clears the shared arrays for the next chunk. */
  each(fn: (tri: string, positions: ArrayLike<number>) => void): void {
    const keys = this.keys.sort((a, b) => a - b);
    // count[key] becomes the key's write position: the pairs scatter into one run per key, in list order.
    let at = 0;
    for (const key of keys) {
      const n = count[key]!;
      count[key] = at;
      at += n;
    }
    for (let i = 0; i < this.pairs; i++) sorted[count[pairKey[i]!]!++] = pairPos[i]!;
    let begin = 0;
    for (const key of keys) {
      const end = count[key]!;
      fn(String.fromCharCode(key >> 14, (key >> 7) & 127, key & 127), sorted.subarray(begin, end));
      begin = end;
      count[key] = 0;
      last![key] = -1;
    }
    for (const [g, l] of [...this.wide].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) fn(g, l);
  }
}

/** A chunk's devices in id order: offsets, hostnames, and the other searched columns joined by NUL. */
interface ChunkRows {
  offs: Int32Array;
  hosts: string[];
  rest: string[];
}

const OTHERS = SEARCHED.filter((c) => c !== 'hostname')
  .map((c) => `COALESCE(${c}, '')`)
  .join(' || char(0) || ');

function readChunk(read: Statement, base: number): ChunkRows {
  const offs: number[] = [];
  const hosts: string[] = [];
  const rest: string[] = [];
  read.bind([base, base + CHUNK]);
  try {
    while (read.step()) {
      const row = read.get();
      offs.push((row[0] as number) - base);
      hosts.push(String(row[1]));
      rest.push(String(row[2]));
    }
  } finally {
    read.reset();
  }
  return { offs: Int32Array.from(offs), hosts, rest };
}

/**
 * The chunk's rows in the device list's hostname order (hostname COLLATE NOCASE, then id): row indexes by list
 * position. For ASCII names without NUL, NOCASE is the order of the lower-cased names, which a plain string sort
 * gives (the row index, in id order, breaks ties); any other name asks SQLite.
 */
function hostnameOrder(order: Statement, rows: ChunkRows, base: number): Uint32Array {
  const n = rows.hosts.length;
  const out = new Uint32Array(n);
  // eslint-disable-next-line no-control-regex
  if (!/[^\u0001-\u007f]/.test(rows.hosts.join('\u0001'))) {
    const low = rows.hosts.map((h) => h.toLowerCase());
    const byName = Array.from({ length: n }, (_, i) => i);
    byName.sort((x, y) => (low[x]! < low[y]! ? -1 : low[x]! > low[y]! ? 1 : x - y));
    out.set(byName);
    return out;
  }
  const index = new Map<number, number>();
  rows.offs.forEach((o, i) => index.set(o, i));
  order.bind([base, base + CHUNK]);
  try {
    for (let r = 0; order.step(); r++) out[r] = index.get((order.get()[0] as number) - base)!;
  } finally {
    order.reset();
  }
  return out;
}

/**
 * Builds the index rows of every chunk the device triggers marked dirty (an import's devices, a migrated workspace),
 * from the devices as they now are. Returns how many chunks it rebuilt.
 */
export function rebuildDirtyChunks(db: Db): number {
  const chunks = db.all<{ chunk: number }>('SELECT chunk FROM device_text_dirty ORDER BY chunk').map((r) => r.chunk);
  if (!chunks.length) return 0;
  const where = 'FROM devices WHERE id >= ? AND id < ?';
  const read = db.prepare(`SELECT id, hostname, ${OTHERS} ${where} ORDER BY id`);
  const order = db.prepare(`SELECT id ${where} ORDER BY hostname COLLATE NOCASE, id`);
  const insert = db.prepare('INSERT INTO device_text_grams(chunk, tri, n, ids) VALUES (?, ?, ?, ?)');
  const map = db.prepare('INSERT INTO device_text_order(id, ids) VALUES (?, ?)');
  // Made per rebuild and let go after (most processes never build): 16 MiB of trigram state, and pair arrays that
  // grow to a chunk's pairs (about 8 million, 64 MiB, for 65,536 devices with IDs in every column).
  last = new Int32Array(ASCII_KEYS).fill(-1);
  count = new Int32Array(ASCII_KEYS);
  pairKey = new Int32Array(1 << 20);
  pairPos = new Uint16Array(1 << 20);
  sorted = new Uint16Array(1 << 20);
  try {
    // One transaction (a savepoint inside an import's): outside one, every insert would commit on its own.
    db.tx(() => {
      for (const chunk of chunks) {
        db.run('DELETE FROM device_text_grams WHERE chunk = ?', [chunk]);
        db.run('DELETE FROM device_text_order WHERE id >= ? AND id < ?', [
          chunk << ORDER_ROW_BITS,
          (chunk + 1) << ORDER_ROW_BITS,
        ]);
        const base = chunk * CHUNK;
        const rows = readChunk(read, base);
        if (!rows.hosts.length) continue;
        const byPos = hostnameOrder(order, rows, base);
        const p = new ChunkPostings();
        const offsets = new Uint8Array(byPos.length * 2);
        byPos.forEach((i, pos) => {
          p.add(rows.hosts[i]!, pos);
          p.add(rows.rest[i]!, pos);
          offsets[pos * 2] = rows.offs[i]! & 255;
          offsets[pos * 2 + 1] = rows.offs[i]! >> 8;
        });
        const size = 2 << ORDER_PART_BITS;
        for (let part = 0; part * size < offsets.length; part++)
          map.run([(chunk << ORDER_ROW_BITS) | part, offsets.subarray(part * size, (part + 1) * size)]);
        // In key order: each insert lands at the end of the chunk's range of the primary key.
        p.each((tri, positions) => insert.run([chunk, tri, positions.length, encode(positions)]));
      }
      db.run('DELETE FROM device_text_dirty');
    });
  } finally {
    read.free();
    order.free();
    insert.free();
    map.free();
    last = null;
    count = pairKey = new Int32Array(0);
    pairPos = sorted = new Uint16Array(0);
  }
  return chunks.length;
}
