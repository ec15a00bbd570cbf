// The device text search's trigram index (migrations 24 and 30): built per chunk of device ids in hostname order.
import type { Statement } from 'sql.js';
import type { Db } from './db.js';
import { DirectStatement } from './fast-insert.js';
import { RowInserts } from './row-inserts.js';
import {
  CHUNK_BITS,
  buildChunk,
  needsSql,
  type ChunkBuilder,
  type ChunkIndex,
  type ChunkText,
} from './device-text-chunk.js';
import { end, fold } from './device-text-postings.js';
import type { Where } from './where.js';

/** The device columns the free-text search matches (DeviceQuery.text). */
export const SEARCHED = ['hostname', 'serial', 'falcon_aid', 'entra_id', 'intune_id', 'user'] as const;

export { CHUNK_BITS };
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

const OTHERS = SEARCHED.filter((c) => c !== 'hostname')
  .map((c) => `COALESCE(${c}, '')`)
  .join(' || char(0) || ');

/** Reads dirty chunks' text: the statements, made once for a rebuild. */
class ChunkReader {
  private readonly read: DirectStatement;
  private readonly order: Statement;
  constructor(db: Db) {
    const where = 'FROM devices WHERE id >= ? AND id < ?';
    this.read = new DirectStatement(db, `SELECT id, hostname, ${OTHERS} ${where} ORDER BY id`, 2);
    this.order = db.prepare(`SELECT id ${where} ORDER BY hostname COLLATE NOCASE, id`);
  }

  /**
   * A chunk's devices in id order, through the C API (DirectStatement.each: no array and no wrapper per value, as
   * Statement.get has); with their hostname order when only SQLite gives it exactly (needsSql).
   */
  text(chunk: number): ChunkText {
    const base = chunk * CHUNK;
    const offs: number[] = [];
    const hosts: string[] = [];
    const others: string[] = [];
    this.read.each([base, base + CHUNK], (col) => {
      offs.push((col(0) as number) - base);
      hosts.push(String(col(1)));
      others.push(String(col(2)));
    });
    const text: ChunkText = { chunk, offs: Int32Array.from(offs), hosts, others };
    if (hosts.length && needsSql(hosts)) text.order = this.sqlOrder(text, base);
    return text;
  }

  /** The rows (indexes in id order) by list position, as SQLite's NOCASE orders the hostnames. */
  private sqlOrder(text: ChunkText, base: number): Uint32Array {
    const out = new Uint32Array(text.hosts.length);
    const index = new Map<number, number>();
    text.offs.forEach((o, i) => index.set(o, i));
    this.order.bind([base, base + CHUNK]);
    try {
      for (let r = 0; this.order.step(); r++) out[r] = index.get((this.order.get()[0] as number) - base)!;
    } finally {
      this.order.reset();
    }
    return out;
  }

  free(): void {
    this.read.free();
    this.order.free();
  }
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
 * Writes rebuilt chunks (in a transaction: outside one, every insert would commit on its own): each chunk's old rows
 * go, then `rows(chunk)` are written (null: the chunk has no devices now).
 */
function writeChunks(db: Db, chunks: number[], rows: (chunk: number) => ChunkIndex | null): void {
  // Many gram rows to a statement: one row per run opened the cursors again for each (100k build: 320-360 against
  // 230-250 ms of the insert's CPU).
  const insert = new RowInserts(db, 'INSERT INTO device_text_grams(chunk, tri, n, ids)', '(?, ?, ?, ?)', 4);
  const gram: (number | string | Uint8Array)[] = [0, '', 0, new Uint8Array(0)];
  const map = db.prepare('INSERT INTO device_text_order(id, ids) VALUES (?, ?)');
  try {
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
      const built = rows(chunk);
      if (!built) continue;
      const size = 2 << ORDER_PART_BITS;
      for (let part = 0; part * size < built.map.length; part++)
        map.run([(chunk << ORDER_ROW_BITS) | part, built.map.subarray(part * size, (part + 1) * size)]);
      // In key order: each insert lands at the end of the chunk's range of the primary key.
      gram[0] = chunk;
      for (let i = 0, from = 0; i < built.tris.length; from = built.ends[i++]!) {
        gram[1] = built.tris[i]!;
        gram[2] = built.counts[i]!;
        gram[3] = built.lists.subarray(from, built.ends[i]);
        insert.add(gram);
      }
      // The rows waiting are views of this chunk's lists: written before the next chunk's.
      insert.flush();
    }
  } finally {
    insert.free();
    map.free();
  }
}

const dirtyChunks = (db: Db) =>
  db.all<{ chunk: number }>('SELECT chunk FROM device_text_dirty ORDER BY chunk').map((r) => r.chunk);

/**
 * Builds the index rows of every chunk the device triggers marked dirty (an import's devices, a migrated workspace),
 * from the devices as they now are, one chunk at a time in this thread. Returns how many chunks it rebuilt.
 */
export function rebuildDirtyChunks(db: Db): number {
  const chunks = dirtyChunks(db);
  if (!chunks.length) return 0;
  const reader = new ChunkReader(db);
  try {
    db.tx(() => {
      writeChunks(db, chunks, (chunk) => {
        const text = reader.text(chunk);
        return text.hosts.length ? buildChunk(text) : null;
      });
      db.run('DELETE FROM device_text_dirty');
    });
  } finally {
    reader.free();
    end();
  }
  return chunks.length;
}

/**
 * Per database, the chunks a rebuild handed to another thread and has not yet written back (their marks are gone,
 * their rows not yet written): a search meanwhile (the renderer's queries run while an import awaits) scans them as
 * it scans dirty ones.
 */
const building = new WeakMap<Db, ReadonlySet<number>>();
export const chunksBuilding = (db: Db): ReadonlySet<number> => building.get(db) ?? new Set();

/** A rebuild begun by startRebuild: `finish` writes its rows (awaited before the batch's transaction ends). */
export interface Rebuild {
  finish(): Promise<number>;
  /** Drops the other thread's work when the batch fails before finish (nothing was written). */
  cancel(): void;
}

/**
 * Begins rebuilding the dirty chunks with `builder`'s thread: their text is read here and handed over as read, and
 * the chunks are built there while this thread goes on (the batch end's analysis and index rebuilds, which write no
 * searched column). Without a thread the chunks are built here and now, as rebuildDirtyChunks builds them.
 */
export function startRebuild(db: Db, builder?: ChunkBuilder, signal?: AbortSignal): Rebuild {
  const chunks = dirtyChunks(db);
  const job = chunks.length ? (builder?.start(signal) ?? null) : null;
  if (!job) {
    const n = rebuildDirtyChunks(db);
    return { finish: async () => n, cancel: () => undefined };
  }
  const reader = new ChunkReader(db);
  building.set(db, new Set(chunks));
  const over = () => building.delete(db);
  try {
    for (const chunk of chunks) {
      const text = reader.text(chunk);
      if (text.hosts.length) job.add(text);
    }
    // Marked clean now (the batch's savepoint brings the marks back if it fails): a chunk marked dirty again before
    // finish is built again there, after these rows.
    db.run('DELETE FROM device_text_dirty');
  } catch (err) {
    job.cancel();
    over();
    throw err;
  } finally {
    reader.free();
  }
  // Asked for now, so the thread ends its build as soon as it can; a failure is seen by finish (or dropped by cancel).
  const rows = job.done();
  rows.catch(() => undefined);
  return {
    async finish() {
      try {
        const built = await rows;
        let next = 0;
        db.tx(() => {
          writeChunks(db, chunks, (chunk) => (built[next]?.chunk === chunk ? built[next++]! : null));
          if (next !== built.length) throw new Error('the search index build gave chunks that were not asked for');
        });
      } finally {
        over();
      }
      rebuildDirtyChunks(db);
      return chunks.length;
    },
    cancel: () => {
      job.cancel();
      over();
    },
  };
}
