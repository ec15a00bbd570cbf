// Prepared statements run row after row through sqlite's C API (as sql.js exports it): no per-value JS glue.
import type { SqlJsStatic, Statement } from 'sql.js';
import type { Db } from './db.js';
import type { TextIds } from './text-ids.js';

export type InsertValue = string | number | Uint8Array | null;
/** What a row read gives back: what sql.js's Statement.get gives. */
export type ReadValue = string | number | Uint8Array | null;

/** The parts of sql.js's module this uses: exported C functions, not part of its typed API. */
interface SqliteApi {
  _malloc(n: number): number;
  _free(p: number): void;
  _sqlite3_bind_text(stmt: number, i: number, p: number, n: number, destructor: number): number;
  _sqlite3_bind_blob(stmt: number, i: number, p: number, n: number, destructor: number): number;
  _sqlite3_bind_int(stmt: number, i: number, v: number): number;
  _sqlite3_bind_double(stmt: number, i: number, v: number): number;
  _sqlite3_step(stmt: number): number;
  _sqlite3_reset(stmt: number): number;
  _sqlite3_errmsg(db: number): number;
  _sqlite3_changes(db: number): number;
  _sqlite3_column_count(stmt: number): number;
  _sqlite3_column_type(stmt: number, i: number): number;
  _sqlite3_column_double(stmt: number, i: number): number;
  _sqlite3_column_text(stmt: number, i: number): number;
  _sqlite3_column_bytes(stmt: number, i: number): number;
  UTF8ToString(p: number, maxBytes?: number, ignoreNul?: boolean): string;
  writeArrayToMemory(a: Uint8Array, p: number): void;
  /** The module's memory as bytes (our sql.js patch; a new view after the memory grows); absent elsewhere. */
  ringsideHeapU8?(): Uint8Array;
}

/**
 * Column text up to this many bytes, all ASCII, is read in JS: UTF8ToString is one TextDecoder call per value, and
 * Chromium's costs about 0.5 µs more than V8's own strings (a merge import reads millions of short cells: 1.5 s of the
 * database worker's 17 s at 100k in Chromium). Longer text, or any byte past ASCII, goes to UTF8ToString as before.
 */
const SHORT_TEXT = 48;

/** A text column's value: what UTF8ToString(p, n, true) gives, read in JS for short ASCII text (see SHORT_TEXT). */
function columnText(c: SqliteApi, s: number, i: number): string {
  // sqlite3_column_text before sqlite3_column_bytes, as SQLite asks (the bytes are then the text's).
  const p = c._sqlite3_column_text(s, i);
  const n = c._sqlite3_column_bytes(s, i);
  const heap = n <= SHORT_TEXT ? c.ringsideHeapU8?.() : undefined;
  if (!heap) return c.UTF8ToString(p, n, true);
  let out = '';
  for (let k = 0; k < n; k++) {
    const b = heap[p + k]!;
    if (b >= 0x80) return c.UTF8ToString(p, n, true);
    out += String.fromCharCode(b);
  }
  return out;
}

const SQLITE_ROW = 100;
const SQLITE_DONE = 101;
/** ES2024's String.prototype.isWellFormed (Node 20, Chromium 111), newer than the project's TypeScript lib. */
type WellFormed = string & { isWellFormed(): boolean };
const encoder = new TextEncoder();

const NEEDED = [
  '_malloc',
  '_free',
  '_sqlite3_bind_text',
  '_sqlite3_bind_blob',
  '_sqlite3_bind_int',
  '_sqlite3_bind_double',
  '_sqlite3_step',
  '_sqlite3_reset',
  '_sqlite3_errmsg',
  '_sqlite3_changes',
  '_sqlite3_column_count',
  '_sqlite3_column_type',
  '_sqlite3_column_double',
  '_sqlite3_column_text',
  '_sqlite3_column_bytes',
  'UTF8ToString',
  'writeArrayToMemory',
] as const;

function api(sql: SqlJsStatic | null): SqliteApi | null {
  const m = sql as unknown as Record<string, unknown> | null;
  return m && NEEDED.every((k) => typeof m[k] === 'function') ? (m as unknown as SqliteApi) : null;
}

/**
 * The bytes a row's values are encoded into before binding, one buffer per sql.js module for all its statements:
 * a statement's values are bound and stepped at once, so no statement needs them after another one binds.
 */
interface Scratch {
  buf: number;
  cap: number;
  bytes: Uint8Array;
}
const scratches = new WeakMap<SqliteApi, Scratch>();

function scratchOf(c: SqliteApi): Scratch {
  let s = scratches.get(c);
  if (!s) scratches.set(c, (s = { buf: 0, cap: 0, bytes: new Uint8Array(0) }));
  return s;
}

/**
 * A prepared statement for millions of rows. sql.js's Statement.run allocates, encodes and frees each string on its
 * own (about half an events import's main-thread time); this encodes a row's values into one reused buffer and binds
 * them with sqlite3_bind_text. The values stored are the same: numbers bind as sql.js binds them (int when they
 * fit 32 bits, else double), null as a NULL blob. Without the C API (another sql.js build), it falls
 * back to sql.js's own Statement.
 */
export class DirectStatement {
  private readonly st: Statement;
  private readonly c: SqliteApi | null;
  private readonly stmt: number = 0;
  private readonly dbPtr: number = 0;
  private readonly scratch: Scratch | null = null;
  private readonly offs: Int32Array;
  private readonly lens: Int32Array;

  constructor(
    private readonly db: Db,
    sqlText: string,
    private readonly width: number,
  ) {
    this.st = db.prepare(sqlText);
    this.offs = new Int32Array(width);
    this.lens = new Int32Array(width);
    const c = api(db.sql);
    const raw = db.raw as unknown as Record<string, unknown>;
    const dbPtr = typeof raw.db === 'number' ? raw.db : 0;
    // The statement's sqlite3_stmt pointer, exposed by our sql.js patch (patches/sql.js+1.16.0.patch).
    const handle = (this.st as Statement & { ringsideHandle?: () => number }).ringsideHandle?.() ?? 0;
    const stmt = c && dbPtr ? handle : 0;
    this.c = stmt ? c : null;
    this.stmt = stmt;
    this.dbPtr = dbPtr;
    if (this.c) this.scratch = scratchOf(this.c);
  }

  /** Whether rows go through the C API (false: sql.js's Statement). */
  get direct(): boolean {
    return this.c !== null;
  }

  /** Runs the statement with these values (one per parameter, in order). */
  run(v: InsertValue[]): void {
    if (!this.bind(v)) {
      this.st.run(v);
      return;
    }
    if (this.c!._sqlite3_step(this.stmt) !== SQLITE_DONE) this.fail();
    this.c!._sqlite3_reset(this.stmt);
  }

  /** The rows the last run changed (sqlite3_changes). */
  changes(): number {
    return this.c ? this.c._sqlite3_changes(this.dbPtr) : this.db.raw.getRowsModified();
  }

  /** The first row the statement gives for these values, as sql.js's Statement.get reads it; null for none. */
  row(v: InsertValue[]): ReadValue[] | null {
    if (!this.bind(v)) {
      this.st.bind(v);
      try {
        return this.st.step() ? (this.st.get() as ReadValue[]) : null;
      } finally {
        this.st.reset();
      }
    }
    // Read here rather than through each(): a point read (a merge's device) runs once per row of a file, and each()
    // makes a callback per call.
    const c = this.c!;
    const s = this.stmt;
    try {
      const rc = c._sqlite3_step(s);
      if (rc === SQLITE_DONE) return null;
      if (rc !== SQLITE_ROW) this.fail();
      const n = c._sqlite3_column_count(s);
      const out = new Array<ReadValue>(n);
      for (let i = 0; i < n; i++) out[i] = this.column(i);
      return out;
    } finally {
      c._sqlite3_reset(s);
    }
  }

  /**
   * Steps through the rows these values give. `fn` reads the current row's columns one at a time (as
   * Statement.get reads them) without an array per row, and stops the walk by returning false.
   */
  each(v: InsertValue[], fn: (col: (i: number) => ReadValue, width: number) => boolean | void): void {
    const c = this.c;
    if (!this.bind(v)) {
      this.st.bind(v);
      try {
        while (this.st.step()) {
          const r = this.st.get() as ReadValue[];
          if (fn((i) => r[i] ?? null, r.length) === false) break;
        }
      } finally {
        this.st.reset();
      }
      return;
    }
    const s = this.stmt;
    try {
      const n = c!._sqlite3_column_count(s);
      for (;;) {
        const rc = c!._sqlite3_step(s);
        if (rc === SQLITE_DONE) break;
        if (rc !== SQLITE_ROW) this.fail();
        if (fn(this.col, n) === false) break;
      }
    } finally {
      c!._sqlite3_reset(s);
    }
  }

  /** The current row's column `i` as Statement.get reads it (C API statements only). */
  private column(i: number): ReadValue {
    const c = this.c!;
    const s = this.stmt;
    const t = c._sqlite3_column_type(s, i);
    return t === 1 || t === 2
      ? c._sqlite3_column_double(s, i)
      : t === 3
        ? columnText(c, s, i)
        : t === 4
          ? (this.st as Statement & { getBlob(i: number): Uint8Array }).getBlob(i)
          : null;
  }

  /**
   * The current row's column `i` if it is an integer JavaScript holds exactly, else NaN (a float, a text, a blob, an
   * integer past 2^53); null for NULL. For a read inside each() of a statement that runs through the C API (direct).
   */
  safeInteger(i: number): number | null {
    const c = this.c!;
    const s = this.stmt;
    const t = c._sqlite3_column_type(s, i);
    if (t === 5) return null;
    if (t !== 1) return NaN;
    const v = c._sqlite3_column_double(s, i);
    return Number.isSafeInteger(v) ? v : NaN;
  }

  /**
   * A small integer for the current row's column `i` as text, the same for the same bytes (`ids` numbers them in
   * order of first sight; `ids.text(id)` gives the text back); -1 for NULL. For a read inside each() of a statement
   * that runs through the C API (direct) of a column with few distinct values: the bytes are hashed and compared where
   * SQLite left them, so a row makes no string (a text of many characters was a string built a character at a time,
   * then hashed again by a Map).
   */
  textId(i: number, ids: TextIds): number {
    const c = this.c!;
    const s = this.stmt;
    if (c._sqlite3_column_type(s, i) === 5) return -1;
    // As columnText: the text first, then its length in bytes (a number or blob is converted to text as SQLite does).
    const p = c._sqlite3_column_text(s, i);
    const n = c._sqlite3_column_bytes(s, i);
    const heap = c.ringsideHeapU8?.();
    if (!heap) return ids.idOf(c.UTF8ToString(p, n, true));
    return ids.idOfBytes(heap, p, n, () => c.UTF8ToString(p, n, true));
  }

  /** column() as each() hands it to its callback: made once per statement, not once per call. */
  private readonly col = (i: number): ReadValue => this.column(i);

  free(): void {
    this.st.free();
  }

  /** Binds a row's values through the C API; false when sql.js must bind them (no C API, or a lone surrogate). */
  private bind(v: InsertValue[]): boolean {
    const c = this.c;
    if (!c) return false;
    const w = this.width;
    const sc = this.scratch!;
    let bytes = sc.bytes;
    let n = 0;
    for (let i = 0; i < w; i++) {
      const x = v[i];
      if (typeof x !== 'string') {
        if (x instanceof Uint8Array) {
          // A blob's bytes go into the same buffer as the text.
          if (n + x.byteLength > sc.cap) bytes = grow(c, sc, n + x.byteLength, n);
          bytes.set(x, n);
          this.offs[i] = n;
          this.lens[i] = x.byteLength;
          n += x.byteLength;
        }
        continue;
      }
      const m = x.length;
      if (n + m * 3 > sc.cap) bytes = grow(c, sc, n + m * 3, n);
      // Cells are short and mostly ASCII: copy their code units, and leave anything wider to the TextEncoder
      // (a subarray and an encodeInto result per cell would be millions of small objects to collect).
      let k = 0;
      for (; k < m; k++) {
        const u = x.charCodeAt(k);
        if (u >= 0x80) break;
        bytes[n + k] = u;
      }
      let len = m;
      if (k !== m) {
        // A lone surrogate (a cut emoji) is encoded one way by TextEncoder and another by sql.js: let sql.js bind
        // the values (nothing is bound yet). Only a cell with a code unit past ASCII can hold one.
        if (!(x as WellFormed).isWellFormed()) return false;
        len = encoder.encodeInto(x, bytes.subarray(n)).written;
      }
      this.offs[i] = n;
      this.lens[i] = len;
      n += len;
    }
    if (n > 0) c.writeArrayToMemory(bytes.subarray(0, n), sc.buf);
    const s = this.stmt;
    const buf = sc.buf;
    for (let i = 0; i < w; i++) {
      const x = v[i];
      // The buffer stays as it is until the step that follows: sqlite may keep a pointer to it (SQLITE_STATIC).
      const rc =
        typeof x === 'string'
          ? c._sqlite3_bind_text(s, i + 1, buf + this.offs[i]!, this.lens[i]!, 0)
          : x instanceof Uint8Array
            ? c._sqlite3_bind_blob(s, i + 1, buf + this.offs[i]!, this.lens[i]!, 0)
            : x === null || x === undefined
              ? c._sqlite3_bind_blob(s, i + 1, 0, 0, 0)
              : x === (x | 0)
                ? c._sqlite3_bind_int(s, i + 1, x)
                : c._sqlite3_bind_double(s, i + 1, x);
      if (rc !== 0) this.fail();
    }
    return true;
  }

  private fail(): never {
    const c = this.c!;
    const msg = c.UTF8ToString(c._sqlite3_errmsg(this.dbPtr));
    c._sqlite3_reset(this.stmt);
    throw new Error(msg);
  }
}

/** Makes the buffer hold `need` bytes, keeping the first `keep` bytes already encoded; returns the new bytes. */
function grow(c: SqliteApi, sc: Scratch, need: number, keep: number): Uint8Array {
  const cap = Math.max(need, sc.cap * 2, 4096);
  const buf = c._malloc(cap);
  if (!buf) throw new Error(`out of memory for a ${cap}-byte insert buffer`);
  if (sc.buf) c._free(sc.buf);
  const bytes = new Uint8Array(cap);
  if (keep > 0) bytes.set(sc.bytes.subarray(0, keep));
  sc.buf = buf;
  sc.cap = cap;
  sc.bytes = bytes;
  return bytes;
}
