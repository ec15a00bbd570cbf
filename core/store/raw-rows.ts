// Raw source rows: kept compressed a few hundred per chunk (the header once per import) and read back as header -> text.
import { inflateSync } from 'fflate';
import type { Statement } from 'sql.js';
import type { Db } from './db.js';

/** What these need of a workspace: its database (a Workspace fits). */
type HasDb = { db: Db };

/** The meta key holding an import's header row (JSON array of column names). */
export const headerKey = (importId: number) => `ingest.header.${importId}`;

/** Records the header of an import so its rows can be stored as plain arrays. */
export function saveHeader(ws: HasDb, importId: number, header: string[]): void {
  ws.db.run('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)', [headerKey(importId), JSON.stringify(header)]);
}

/** Rows per chunk: small enough that showing one row inflates a few hundred KiB, large enough to compress well. */
const CHUNK_ROWS = 512;
/** Chunks being compressed at once: compression overlaps parsing without holding a whole file's rows. */
const IN_FLIGHT = 4;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * deflate-raw through the platform's CompressionStream (native zlib in Chromium and Node; off the JS thread in Node).
 * The bytes are written to it directly: a Blob's stream piped through it costs this thread about twice as much.
 */
export async function deflateRaw(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const cs = new CompressionStream('deflate-raw');
  const w = cs.writable.getWriter();
  // A failure shows in the readable too (the chunk's promise rejects): these two need no handler of their own.
  w.write(bytes).catch(() => undefined);
  w.close().catch(() => undefined);
  return new Uint8Array(await new Response(cs.readable).arrayBuffer());
}

/** Compresses one chunk's bytes (deflate-raw), as deflateRaw does. */
export type ChunkDeflate = (bytes: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>;

let deflate: ChunkDeflate = deflateRaw;

/**
 * Where chunks are compressed from now on; null: deflateRaw on this thread. Chromium's CompressionStream runs zlib
 * on the calling thread (Node's runs it off the JS thread): the browser's database worker hands its chunks to a
 * thread of their own (renderer/db/deflate-thread.ts), which gives the same bytes.
 */
export function setChunkDeflate(fn: ChunkDeflate | null): void {
  deflate = fn ?? deflateRaw;
}

interface Pending {
  first: number;
  last: number;
  data: Promise<Uint8Array>;
}

/**
 * A batch's rows as they are stored: row i is the UTF-8 of `JSON.stringify([line, cells])` and a comma, in
 * bytes[ends[i - 1] ?? 0, ends[i]). A chunk is `[`, its rows' bytes, and `]` in place of the last comma: exactly the
 * bytes of JSON.stringify of the chunk's [line, cells] pairs (the JSON of an array is its items' JSON joined by
 * commas), so rows encoded in the reading thread are stored as this thread would have stored them.
 */
export interface EncodedRows {
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** Encodes the first `count` rows of a batch (already redacted) for RawChunkWriter.add. */
export function encodeRows(rows: string[][], lines: ArrayLike<number>, count: number): EncodedRows {
  let bytes = new Uint8Array(1 << 16);
  const ends = new Uint32Array(count);
  let at = 0;
  for (let r = 0; r < count; r++) {
    const row = rows[r]!;
    // A line is an integer: its JSON is its decimal text, so this is JSON.stringify([line, cells]) without the pair.
    const head = '[' + lines[r] + ',[';
    // JSON writes a UTF-16 unit as at most 6 bytes (\uXXXX; UTF-8 needs at most 3), a cell adds 2 quotes and a comma.
    let need = at + head.length + 3;
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      need += typeof v === 'string' ? v.length * 6 + 3 : 0;
    }
    if (need > bytes.length) {
      const grown = new Uint8Array(Math.max(need, bytes.length * 2));
      grown.set(bytes.subarray(0, at));
      bytes = grown;
    }
    const start = at;
    at = encodeCells(row, head, bytes, at);
    if (at < 0) {
      // A cell that is not a string (JSON has its own rules for those): the row as JSON.stringify writes it.
      const s = head.slice(0, -1) + JSON.stringify(row) + '],';
      const room = start + s.length * 3;
      if (room > bytes.length) {
        const grown = new Uint8Array(Math.max(room, bytes.length * 2));
        grown.set(bytes.subarray(0, start));
        bytes = grown;
      }
      at = start + utf8.encodeInto(s, bytes.subarray(start)).written;
    }
    ends[r] = at;
  }
  // Sent across threads: no more than the bytes used.
  return { bytes: at < bytes.length ? bytes.slice(0, at) : bytes, ends };
}

/**
 * Writes `head`, the row's cells as JSON strings joined by commas, and `]],` at `at`; returns the end, or -1 for a
 * cell that is not a string. A cell of printable ASCII without a quote or backslash (most cells) is its own JSON
 * between quotes, copied a code unit a byte; any other cell is written as JSON.stringify writes it (escapes, lone
 * surrogates), in UTF-8. Faster than JSON.stringify of the row and one UTF-8 encoding of the whole text.
 */
function encodeCells(row: string[], head: string, bytes: Uint8Array, at: number): number {
  for (let k = 0; k < head.length; k++) bytes[at++] = head.charCodeAt(k);
  for (let i = 0; i < row.length; i++) {
    const v = row[i] as unknown;
    if (typeof v !== 'string') return -1;
    if (i > 0) bytes[at++] = 0x2c; // ,
    const open = at;
    bytes[at++] = 0x22; // "
    const m = v.length;
    let k = 0;
    for (; k < m; k++) {
      const u = v.charCodeAt(k);
      if (u < 0x20 || u >= 0x7f || u === 0x22 || u === 0x5c) break;
      bytes[at++] = u;
    }
    if (k < m) at = open + utf8.encodeInto(JSON.stringify(v), bytes.subarray(open)).written;
    else bytes[at++] = 0x22;
  }
  bytes[at++] = 0x5d; // ]
  bytes[at++] = 0x5d;
  bytes[at++] = 0x2c;
  return at;
}

/**
 * Collects one import's raw rows and stores them in raw_chunks. Chunks are inserted only from drain() and finish(),
 * which the writer awaits inside the import's savepoint, so nothing is written after a rollback.
 */
export class RawChunkWriter {
  private lines: number[] = [];
  /** The chunk's bytes so far, as runs of consecutive encoded rows (a batch's kept rows are mostly consecutive). */
  private runs: { bytes: Uint8Array; start: number; end: number }[] = [];
  private size = 0;
  private readonly pending: Pending[] = [];
  private st: Statement | null = null;

  constructor(
    private readonly ws: HasDb,
    private readonly importId: number,
  ) {}

  /** Adds row `i` of an encoded batch, whose line is `line`. */
  add(line: number, enc: EncodedRows, i: number): void {
    const start = i > 0 ? enc.ends[i - 1]! : 0;
    const end = enc.ends[i]!;
    const last = this.runs[this.runs.length - 1];
    if (last && last.bytes === enc.bytes && last.end === start) last.end = end;
    else this.runs.push({ bytes: enc.bytes, start, end });
    this.size += end - start;
    this.lines.push(line);
    if (this.lines.length >= CHUNK_ROWS) this.cut();
  }

  private cut(): void {
    if (!this.lines.length) return;
    const lines = this.lines;
    const out = new Uint8Array(this.size + 1);
    out[0] = 0x5b; // [
    let at = 1;
    for (const r of this.runs) {
      out.set(r.bytes.subarray(r.start, r.end), at);
      at += r.end - r.start;
    }
    out[at - 1] = 0x5d; // ] over the last row's comma
    this.lines = [];
    this.runs = [];
    this.size = 0;
    const data = deflate(out);
    // A chunk abandoned by a failed import must not surface as an unhandled rejection.
    data.catch(() => undefined);
    this.pending.push({ first: lines[0]!, last: lines[lines.length - 1]!, data });
  }

  /** Stores compressed chunks until at most `keep` are still in flight. */
  async drain(keep = IN_FLIGHT): Promise<void> {
    while (this.pending.length > keep) {
      const p = this.pending.shift()!;
      const data = await p.data;
      this.st ??= this.ws.db.prepare(
        'INSERT INTO raw_chunks(import_id, first_line, last_line, data) VALUES (?, ?, ?, ?)',
      );
      this.st.run([this.importId, p.first, p.last, data]);
    }
  }

  async finish(): Promise<void> {
    this.cut();
    await this.drain(0);
  }

  free(): void {
    this.st?.free();
    this.st = null;
    this.pending.length = 0;
    this.runs = [];
  }
}

/** Reads raw rows back, caching headers and the last chunk (a device's sources often sit in one chunk). */
export class RawReader {
  private readonly headers = new Map<number, string[]>();
  private chunk: { id: number; rows: Map<number, string[]> } | null = null;

  constructor(private readonly ws: HasDb) {}

  /** The row as header -> text; `raw` is the device_sources.raw value ('' when the row is in raw_chunks). */
  row(importId: number, line: number, raw: string): Record<string, string> {
    if (raw !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return { raw };
      }
      // Rows written before the compact format were JSON objects; they are returned as they are.
      return Array.isArray(parsed) ? this.named(importId, parsed as string[]) : (parsed as Record<string, string>);
    }
    const cells = this.cells(importId, line);
    return cells ? this.named(importId, cells) : {};
  }

  private cells(importId: number, line: number): string[] | null {
    const c = this.ws.db.get<{ id: number; data: Uint8Array }>(
      `SELECT id, data FROM raw_chunks WHERE import_id = ? AND first_line <= ? AND last_line >= ?
        ORDER BY first_line DESC LIMIT 1`,
      [importId, line, line],
    );
    if (!c) return null;
    if (this.chunk?.id !== c.id) {
      const rows = JSON.parse(fromUtf8.decode(inflateSync(c.data))) as [number, string[]][];
      this.chunk = { id: c.id, rows: new Map(rows) };
    }
    return this.chunk.rows.get(line) ?? null;
  }

  private named(importId: number, cells: string[]): Record<string, string> {
    let header = this.headers.get(importId);
    if (!header) {
      const text = this.ws.db.value<string>('SELECT value FROM meta WHERE key = ?', [headerKey(importId)]);
      header = text ? (JSON.parse(text) as string[]) : [];
      this.headers.set(importId, header);
    }
    const h = header;
    // fromEntries defines own properties, so a `__proto__` column stays a column.
    return Object.fromEntries(cells.map((v, i) => [i < h.length ? h[i]! : `(extra ${i + 1})`, v]));
  }
}

/** The raw row of one device_sources record as header -> text, or null when there is no such record. */
export function rawRow(ws: HasDb, sourceId: number): Record<string, string> | null {
  const r = ws.db.get<{ import_id: number; line: number; raw: string }>(
    'SELECT import_id, line, raw FROM device_sources WHERE id = ?',
    [sourceId],
  );
  return r ? new RawReader(ws).row(r.import_id, r.line, r.raw) : null;
}
