// One chunk of the device text index built from its text alone: plain JS, run on the sql.js thread or another one.
import { add, begin, each, fold } from './device-text-postings.js';

/**
 * Device ids per index row: id >> CHUNK_BITS is the chunk (fixed by migration 30's triggers). At a million devices
 * chunks of 16,384 ids gave four times the rows (312k against 81k) for the same bytes, and four times the runs a
 * search's first page merges. Defined here, so a thread building chunks reads it without the rest of the store.
 */
export const CHUNK_BITS = 16;

/** A chunk's searched text as read on the sql.js thread: its devices in id order. */
export interface ChunkText {
  chunk: number;
  /** Each device's id minus the chunk's first id. */
  offs: Int32Array;
  hosts: string[];
  /** The other searched columns of each device, NUL-separated (as device-text.ts reads them). */
  others: string[];
  /** The rows in hostname order, when only SQLite can give it (see needsSql); else sorted from the hostnames. */
  order?: Uint32Array;
}

/** A chunk's index rows: the order map, and per trigram (in the order they are stored) its count and list. */
export interface ChunkIndex {
  chunk: number;
  /** Two bytes per list position, little-endian: the id offset of the device there. */
  map: Uint8Array;
  tris: string[];
  counts: Int32Array;
  /** The encoded lists one after another: list i is lists[ends[i - 1] ?? 0 .. ends[i]]. */
  lists: Uint8Array;
  ends: Int32Array;
}

/**
 * Whether SQLite must give the hostname order (hostname COLLATE NOCASE, then id). NOCASE folds A-Z and compares the
 * UTF-8 bytes; for names without NUL (where NOCASE stops), surrogates (UTF-16 order is then not UTF-8's) or U+FFFD
 * (text that was not UTF-8), that is the order of the names with only A-Z folded, which a plain string sort gives
 * (the row index, in id order, breaks ties). Any other name asks SQLite (a bench fleet's chunk has a Zürich-K… name:
 * sorted here, its 100k build takes 13 % less CPU).
 */
export function needsSql(hosts: string[]): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000\ud800-\udfff\ufffd]/.test(hosts.join(''));
}

/** The chunk's rows in hostname order, by plain string sort (only where needsSql is false). */
function sortByName(hosts: string[]): Uint32Array {
  const n = hosts.length;
  const low = hosts.map(fold);
  const byName = Array.from({ length: n }, (_, i) => i);
  byName.sort((x, y) => (low[x]! < low[y]! ? -1 : low[x]! > low[y]! ? 1 : x - y));
  return Uint32Array.from(byName);
}

/**
 * A chunk's index rows from its text: the postings of each device's text, in id order, then the lists in hostname
 * order. One chunk at a time per thread (the postings' tables are the module's); the caller ends the build (`end`).
 */
export function buildChunk(text: ChunkText): ChunkIndex {
  const { offs, hosts, others } = text;
  const n = hosts.length;
  // At most a pair per character, and one more per value for a value's end gram: the room the chunk's pairs take.
  let room = 0;
  for (let row = 0; row < n; row++) room += hosts[row]!.length + others[row]!.length + 2;
  begin(1 << CHUNK_BITS, room);
  for (let row = 0; row < n; row++) {
    add(hosts[row]!, row);
    add(others[row]!, row);
  }
  const byPos = text.order ?? sortByName(hosts);
  const map = new Uint8Array(n * 2);
  byPos.forEach((i, pos) => {
    map[pos * 2] = offs[i]! & 255;
    map[pos * 2 + 1] = offs[i]! >> 8;
  });
  // The lists are views of the postings' buffer, written over by the next chunk: copied out, end to end.
  const tris: string[] = [];
  const counts: number[] = [];
  const views: Uint8Array[] = [];
  let size = 0;
  each(byPos, (tri, count, list) => {
    tris.push(tri);
    counts.push(count);
    views.push(list);
    size += list.length;
  });
  const lists = new Uint8Array(size);
  const ends = new Int32Array(views.length);
  let at = 0;
  views.forEach((v, i) => {
    lists.set(v, at);
    ends[i] = at += v.length;
  });
  return { chunk: text.chunk, map, tris, counts: Int32Array.from(counts), lists, ends };
}

/**
 * Builds chunks in another thread (the import's reading thread, which is idle at the batch end) while the sql.js
 * thread runs the analysis. `start` gives null when no such thread is running: the chunks are then built inline.
 */
export interface ChunkBuilder {
  start(signal?: AbortSignal): ChunkJob | null;
}

/** One batch end's chunks: handed over as read; `done` gives their rows in the order added, or the build's failure. */
export interface ChunkJob {
  add(text: ChunkText): void;
  /** Called once the last chunk is added (the thread then lets its buffers go as soon as it has built it). */
  done(): Promise<ChunkIndex[]>;
  /** Drops the job (its thread is ended): a batch that fails before `done` leaves nothing in flight. */
  cancel(): void;
}
