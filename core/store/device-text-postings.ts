// One chunk's trigram posting lists built from its devices' text, encoded as the device text index stores them.

/** LIKE folds only A-Z: so does the index, or a non-ASCII letter would be indexed under a form LIKE never matches. */
export function fold(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u007f]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s.toLowerCase();
}

// Offsets ascending, each stored as the gap to the one before (LEB128): one byte for almost every device.
let scratch = new Uint8Array(0);
export function encode(offsets: ArrayLike<number>): Uint8Array {
  // Three bytes a gap at most: offsets are under 65,536.
  if (scratch.length < offsets.length * 3) scratch = new Uint8Array(offsets.length * 3);
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

/** Folded ASCII: A-Z to a-z, every other code as it is. */
const LOWER = Uint8Array.from({ length: 128 }, (_, c) => (c >= 65 && c <= 90 ? c + 32 : c));

// A chunk has about six million (trigram, device) pairs over some thousands of trigrams. An ASCII trigram is the
// number c0·128² + c1·128 + c2 (numeric order is the text order the primary key keeps); the first time a chunk meets
// one it gets the next small id, so the per-trigram state is a few dense KiB that stay in cache instead of entries
// strewn over a 2²¹-entry table. Pairs are kept as ids, a row's together, rows in id order (the order they are read
// and their strings made in); each trigram's list is then written, rows taken in list order, as its encoded gaps
// straight into one buffer, its room bounded from its count and the chunk's size (see roomFor).
// The tables are module constants, not fields: V8 then reads them about twice as fast in the loop below (measured:
// 6 against 13 ns a character). They are zero until touched, so a process that never builds commits none of them
// (ids are dense: a build touches a few pages of each).
const ASCII_KEYS = 1 << 21;
/** Per ASCII trigram: its id in the current chunk (from 1), or 0. */
const idOf = new Int32Array(ASCII_KEYS);
/** Per id: its trigram, its last row (then position) added, its count, and its write position in `out`. */
const keyOf = new Int32Array(ASCII_KEYS + 1);
const lastOf = new Int32Array(ASCII_KEYS + 1);
const countOf = new Int32Array(ASCII_KEYS + 1);
const writeOf = new Int32Array(ASCII_KEYS + 1);
/** Per row (a chunk's devices in id order): the end of its pairs. */
const ends = new Int32Array(1 << 16);
let ids = 0;
/** The pairs' trigram ids, and the encoded lists: grown as needed, let go by `end`. */
let pairs = new Int32Array(0);
let count = 0;
let out = new Uint8Array(0);
/** Trigrams with a character beyond ASCII (rare): rows by trigram text. */
const wide = new Map<string, number[]>();

/**
 * Starts a chunk of at most `rows` devices (clearing what an earlier chunk, even one that failed, left), with room for
 * `room` pairs at least (tests make it small, to grow it).
 */
export function begin(rows: number, room = 1 << 23): void {
  if (rows > ends.length)
    throw new Error(`a chunk of ${rows} devices is over the ${ends.length} the index build takes`);
  clear();
  // Room for the whole chunk at once (buildChunk gives its text's length): pages are only committed as they are
  // written, while growing in steps wrote each page again (a fault per page: a tenth of a 100k build) and held both.
  if (pairs.length < room) pairs = new Int32Array(room);
}

function clear(): void {
  for (let id = 1; id <= ids; id++) idOf[keyOf[id]!] = 0;
  ids = 0;
  count = 0;
  wide.clear();
}

/** Lets the buffers go after a rebuild (most processes never build). */
export function end(): void {
  clear();
  pairs = new Int32Array(0);
  out = new Uint8Array(0);
}

/**
 * Adds a value's trigrams to a row, folded as LIKE folds, and its end gram (its last two characters and a NUL: every
 * place a two-character term can match is then the start of some gram); NUL separates values (LIKE never reads past
 * one, so nothing spans it). Rows come in order, from 0: the chunk's devices as read, in id order (strings in the
 * order they were made: read in list order, they would be strewn over the heap).
 */
export function add(v: string, row: number): void {
  // At most one pair per character: room for all of them first, then the loop runs on locals.
  if (count + v.length > pairs.length) growPairs(count + v.length);
  let at = pairs;
  let n = count;
  let key = 0;
  let run = 0;
  let from = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 128) {
      // A value with a character beyond ASCII (a third of real fleets have a name like zoë) goes the slow way from
      // its start (its grams so far are kept once); the values after it come back here.
      const stop = v.indexOf('\0', i);
      count = n;
      addWide(v.slice(from, stop < 0 ? v.length : stop), row);
      n = count;
      at = pairs;
      if (stop < 0) return;
      i = stop;
      from = stop + 1;
      run = 0;
      continue;
    }
    if (c === 0) {
      // The value's last two characters as a gram ending in NUL: a two-character term finds every value it ends.
      if (run >= 2) n = pair((key & 16383) << 7, row, n);
      from = i + 1;
      run = 0;
      continue;
    }
    key = ((key & 16383) << 7) | LOWER[c]!;
    if (++run < 3) continue;
    let id = idOf[key]!;
    if (id === 0) id = newId(key);
    else if (lastOf[id] === row) continue;
    lastOf[id] = row;
    countOf[id]!++;
    at[n++] = id;
  }
  if (run >= 2) n = pair((key & 16383) << 7, row, n);
  count = n;
  ends[row] = n;
}

/** Adds the pair (key, row) unless it is there (room was made); returns the pairs. */
function pair(key: number, row: number, n: number): number {
  let id = idOf[key]!;
  if (id === 0) id = newId(key);
  else if (lastOf[id] === row) return n;
  lastOf[id] = row;
  countOf[id]!++;
  pairs[n] = id;
  return n + 1;
}

function newId(key: number): number {
  const id = ++ids;
  idOf[key] = id;
  keyOf[id] = key;
  lastOf[id] = -1;
  countOf[id] = 0;
  return id;
}

function growPairs(need: number): void {
  let size = pairs.length * 2;
  while (size < need) size *= 2;
  const p = new Int32Array(size);
  p.set(pairs);
  pairs = p;
}

/** A value's grams by character (code point); NUL separates values. */
function addWide(value: string, row: number): void {
  for (const part of fold(value).split('\0')) {
    const cps = Array.from(part);
    // The end gram, as in add: the last two characters and a NUL.
    if (cps.length >= 2) cps.push('\0');
    if (count + cps.length > pairs.length) growPairs(count + cps.length);
    for (let i = 0; i + 3 <= cps.length; i++) {
      const a = cps[i]!.codePointAt(0)!;
      const b = cps[i + 1]!.codePointAt(0)!;
      const c = cps[i + 2]!.codePointAt(0)!;
      if (a < 128 && b < 128 && c < 128) count = pair((a << 14) | (b << 7) | c, row, count);
      else {
        const g = cps[i]! + cps[i + 1]! + cps[i + 2]!;
        const list = wide.get(g);
        if (!list) wide.set(g, [row]);
        else if (list[list.length - 1] !== row) list.push(row);
      }
    }
  }
  ends[row] = count;
}

/**
 * The most bytes a list of n positions among `rows` can take: a byte a gap, a second for each gap of 128 or more and
 * a third for each of 16,384 or more. A list's gaps plus one sum to at most `rows` (its last position plus one), so
 * at most rows / 129 of them take two bytes and rows / 16,385 three. Three bytes a gap for every list spread a full
 * chunk's list heads over 23 MiB instead of 11 (the lists themselves: 8.4), and the writing loop below, one scattered
 * write per pair, took 10-20 % more CPU for it (bench fleet, 100k).
 */
export function roomFor(n: number, rows: number): number {
  return n + Math.min(n, Math.floor(rows / 129)) + Math.min(n, Math.floor(rows / 16385));
}

/**
 * Each trigram of the chunk with its count and its list of list positions, encoded: ASCII trigrams in key order, then
 * the others in text order. `rowAt[pos]` is the row at each list position.
 */
export function each(rowAt: Uint32Array, fn: (tri: string, n: number, list: Uint8Array) => void): void {
  const keys = new Int32Array(ids);
  for (let id = 1; id <= ids; id++) keys[id - 1] = keyOf[id]!;
  keys.sort();
  // Room per list (roomFor). writeOf[id] becomes the list's write position, lastOf[id] its last position written
  // (-1 before the first).
  const rows = rowAt.length;
  let room = 0;
  for (const key of keys) {
    const id = idOf[key]!;
    writeOf[id] = room;
    lastOf[id] = -1;
    room += roomFor(countOf[id]!, rows);
  }
  if (out.length < room) out = new Uint8Array(room);
  const bytes = out;
  const at = pairs;
  for (let pos = 0; pos < rowAt.length; pos++) {
    const row = rowAt[pos]!;
    const stop = ends[row]!;
    for (let i = row ? ends[row - 1]! : 0; i < stop; i++) {
      const id = at[i]!;
      let w = writeOf[id]!;
      let gap = pos - lastOf[id]! - 1;
      lastOf[id] = pos;
      while (gap >= 0x80) {
        bytes[w++] = (gap & 0x7f) | 0x80;
        gap >>>= 7;
      }
      bytes[w++] = gap;
      writeOf[id] = w;
    }
  }
  room = 0;
  for (const key of keys) {
    const id = idOf[key]!;
    const n = countOf[id]!;
    fn(String.fromCharCode(key >> 14, (key >> 7) & 127, key & 127), n, bytes.subarray(room, writeOf[id]));
    room += roomFor(n, rows);
  }
  // Their rows made list positions, ascending.
  const posOf = new Uint32Array(rowAt.length);
  rowAt.forEach((row, pos) => (posOf[row] = pos));
  for (const [g, l] of [...wide].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const list = Uint32Array.from(l, (row) => posOf[row]!).sort();
    fn(g, list.length, encode(list));
  }
}
