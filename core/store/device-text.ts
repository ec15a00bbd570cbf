// The device text search's trigram index (migrations 24 and 30): built per chunk of device ids in hostname order.
import type { Statement } from 'sql.js';
import type { Db } from './db.js';
import { DirectStatement, RowInserts } from './fast-insert.js';
import { add, begin, each, end, fold } from './device-text-postings.js';
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

/** A chunk's devices in id order: offsets and hostnames (their text is tokenised as it is read). */
interface ChunkRows {
  offs: Int32Array;
  hosts: string[];
}

const OTHERS = SEARCHED.filter((c) => c !== 'hostname')
  .map((c) => `COALESCE(${c}, '')`)
  .join(' || char(0) || ');

/**
 * Reads a chunk's devices in id order, each one's text added to the postings as it comes; through the C API
 * (DirectStatement.each: no array and no wrapper per value, as Statement.get has).
 */
function readChunk(read: DirectStatement, base: number): ChunkRows {
  const offs: number[] = [];
  const hosts: string[] = [];
  read.each([base, base + CHUNK], (col) => {
    const row = offs.length;
    offs.push((col(0) as number) - base);
    const host = String(col(1));
    hosts.push(host);
    add(host, row);
    add(String(col(2)), row);
  });
  return { offs: Int32Array.from(offs), hosts };
}

/**
 * The chunk's rows in the device list's hostname order (hostname COLLATE NOCASE, then id): row indexes by list
 * position. NOCASE folds A-Z and compares the UTF-8 bytes; for names without NUL (where NOCASE stops), surrogates
 * (UTF-16 order is then not UTF-8's) or U+FFFD (text that was not UTF-8), that is the order of the names with only A-Z
 * folded, which a plain string sort gives (the row index, in id order, breaks ties). Any other name asks SQLite (a
 * bench fleet's chunk has a Zürich-K… name: sorted here, its 100k build takes 13 % less CPU).
 */
function hostnameOrder(order: Statement, rows: ChunkRows, base: number): Uint32Array {
  const n = rows.hosts.length;
  const out = new Uint32Array(n);
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000\ud800-\udfff\ufffd]/.test(rows.hosts.join(''))) {
    const low = rows.hosts.map(fold);
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
 * Whether the index holds rows of no chunk but the dirty ones (`chunks`, ascending): every chunk from its lowest to
 * its highest is dirty. Then the old rows go in one unqualified DELETE, which SQLite does by freeing the tables' pages
 * without visiting a row (chunk by chunk it visits every row and its overflow pages: 0.46 of a 100k rebuild's 1.5 s
 * CPU). Two index seeks each, not a scan.
 */
function holdsOnly(db: Db, chunks: number[]): boolean {
  const covered = (lo: number | null, hi: number | null) => {
    if (lo === null || hi === null) return true;
    const from = chunks.findIndex((c) => c >= lo);
    // Chunks are distinct and ascending: lo..hi all present when the one hi - lo places on is hi.
    return from >= 0 && chunks[from] === lo && chunks[from + hi - lo] === hi;
  };
  // A subquery each: SQLite seeks MIN or MAX through an index only when it is the statement's one aggregate.
  const grams = db.get<{ lo: number | null; hi: number | null }>(
    `SELECT (SELECT MIN(chunk) FROM device_text_grams) AS lo, (SELECT MAX(chunk) FROM device_text_grams) AS hi`,
  );
  const order = db.get<{ lo: number | null; hi: number | null }>(
    `SELECT (SELECT MIN(id) FROM device_text_order) >> ${ORDER_ROW_BITS} AS lo,
            (SELECT MAX(id) FROM device_text_order) >> ${ORDER_ROW_BITS} AS hi`,
  );
  return covered(grams?.lo ?? null, grams?.hi ?? null) && covered(order?.lo ?? null, order?.hi ?? null);
}

/**
 * Builds the index rows of every chunk the device triggers marked dirty (an import's devices, a migrated workspace),
 * from the devices as they now are. Returns how many chunks it rebuilt.
 */
export function rebuildDirtyChunks(db: Db): number {
  const chunks = db.all<{ chunk: number }>('SELECT chunk FROM device_text_dirty ORDER BY chunk').map((r) => r.chunk);
  if (!chunks.length) return 0;
  const where = 'FROM devices WHERE id >= ? AND id < ?';
  const read = new DirectStatement(db, `SELECT id, hostname, ${OTHERS} ${where} ORDER BY id`, 2);
  const order = db.prepare(`SELECT id ${where} ORDER BY hostname COLLATE NOCASE, id`);
  // Many gram rows to a statement: one row per run opened the cursors again for each (100k build: 320-360 against
  // 230-250 ms of the insert's CPU). The lists waiting are views of the chunk's buffer: flushed before the next chunk.
  const insert = new RowInserts(db, 'INSERT INTO device_text_grams(chunk, tri, n, ids)', '(?, ?, ?, ?)', 4);
  const gram: (number | string | Uint8Array)[] = [0, '', 0, new Uint8Array(0)];
  const map = db.prepare('INSERT INTO device_text_order(id, ids) VALUES (?, ?)');
  try {
    // One transaction (a savepoint inside an import's): outside one, every insert would commit on its own.
    db.tx(() => {
      const whole = holdsOnly(db, chunks);
      if (whole) {
        db.run('DELETE FROM device_text_grams');
        db.run('DELETE FROM device_text_order');
      }
      for (const chunk of chunks) {
        if (!whole) {
          db.run('DELETE FROM device_text_grams WHERE chunk = ?', [chunk]);
          db.run('DELETE FROM device_text_order WHERE id >= ? AND id < ?', [
            chunk << ORDER_ROW_BITS,
            (chunk + 1) << ORDER_ROW_BITS,
          ]);
        }
        const base = chunk * CHUNK;
        begin(CHUNK);
        const rows = readChunk(read, base);
        if (!rows.hosts.length) continue;
        const byPos = hostnameOrder(order, rows, base);
        const offsets = new Uint8Array(byPos.length * 2);
        byPos.forEach((i, pos) => {
          offsets[pos * 2] = rows.offs[i]! & 255;
          offsets[pos * 2 + 1] = rows.offs[i]! >> 8;
        });
        const size = 2 << ORDER_PART_BITS;
        for (let part = 0; part * size < offsets.length; part++)
          map.run([(chunk << ORDER_ROW_BITS) | part, offsets.subarray(part * size, (part + 1) * size)]);
        // In key order: each insert lands at the end of the chunk's range of the primary key.
        each(byPos, (tri, n, list) => {
          gram[0] = chunk;
          gram[1] = tri;
          gram[2] = n;
          gram[3] = list;
          insert.add(gram);
        });
        // Before the next chunk's lists are written over this one's (the lists waiting are views of that buffer).
        insert.flush();
      }
      db.run('DELETE FROM device_text_dirty');
    });
  } finally {
    read.free();
    order.free();
    insert.free();
    map.free();
    end();
  }
  return chunks.length;
}
