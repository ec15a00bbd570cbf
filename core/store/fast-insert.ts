// One prepared INSERT run row after row through sqlite's C API (as sql.js exports it): no per-value JS glue.
import type { SqlJsStatic, Statement } from 'sql.js';
import type { Db } from './db.js';

export type InsertValue = string | number | null;

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
  UTF8ToString(p: number): string;
  writeArrayToMemory(a: Uint8Array, p: number): void;
}

const SQLITE_DONE = 101;
/** ES2024's String.prototype.isWellFormed (Node 20, Chromium 111), newer than the project's TypeScript lib. */
type WellFormed = string & { isWellFormed(): boolean };
const encoder = new TextEncoder();

function api(sql: SqlJsStatic | null): SqliteApi | null {
  const m = sql as unknown as Partial<SqliteApi> | null;
  return m &&
    typeof m._sqlite3_bind_text === 'function' &&
    typeof m._sqlite3_bind_blob === 'function' &&
    typeof m._sqlite3_bind_int === 'function' &&
    typeof m._sqlite3_bind_double === 'function' &&
    typeof m._sqlite3_step === 'function' &&
    typeof m._sqlite3_reset === 'function' &&
    typeof m._sqlite3_errmsg === 'function' &&
    typeof m._malloc === 'function' &&
    typeof m._free === 'function' &&
    typeof m.UTF8ToString === 'function' &&
    typeof m.writeArrayToMemory === 'function'
    ? (m as SqliteApi)
    : null;
}

/**
 * A row insert for millions of rows. sql.js's Statement.run allocates, encodes and frees each string on its own
 * (about half an events import's main-thread time); this encodes a row's strings into one reused buffer and binds
 * them with sqlite3_bind_text. The values stored are the same: numbers bind as sql.js binds them (int when they fit
 * 32 bits, else double), null as a NULL blob. Without the C API (another sql.js build), it falls back to run().
 */
export class RowInsert {
  private readonly st: Statement;
  private readonly c: SqliteApi | null;
  private readonly stmt: number = 0;
  private readonly dbPtr: number = 0;
  private buf = 0;
  private cap = 0;
  private scratch = new Uint8Array(0);
  private offs: Int32Array;
  private lens: Int32Array;

  constructor(
    db: Db,
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
  }

  /** Whether rows go through the C API (false: sql.js's run()). */
  get direct(): boolean {
    return this.c !== null;
  }

  run(v: InsertValue[]): void {
    const c = this.c;
    if (!c) {
      this.st.run(v);
      return;
    }
    const w = this.width;
    let need = 0;
    for (let i = 0; i < w; i++) {
      const x = v[i];
      if (typeof x !== 'string') continue;
      // A lone surrogate (a cut emoji) is encoded one way by TextEncoder and another by sql.js: let sql.js store it.
      if (!(x as WellFormed).isWellFormed()) {
        this.st.run(v);
        return;
      }
      need += x.length * 3;
    }
    if (need > this.cap) this.grow(need);
    const scratch = this.scratch;
    let n = 0;
    for (let i = 0; i < w; i++) {
      const x = v[i];
      if (typeof x !== 'string') continue;
      // Cells are short and mostly ASCII: copy their code units, and leave anything wider to the TextEncoder
      // (a subarray and an encodeInto result per cell would be millions of small objects to collect).
      let k = 0;
      const m = x.length;
      for (; k < m; k++) {
        const u = x.charCodeAt(k);
        if (u >= 0x80) break;
        scratch[n + k] = u;
      }
      const len = k === m ? m : encoder.encodeInto(x, scratch.subarray(n)).written;
      this.offs[i] = n;
      this.lens[i] = len;
      n += len;
    }
    if (n > 0) c.writeArrayToMemory(scratch.subarray(0, n), this.buf);
    const s = this.stmt;
    for (let i = 0; i < w; i++) {
      const x = v[i];
      const rc =
        typeof x === 'string'
          ? // The buffer stays as it is until the step below: sqlite may keep a pointer to it (SQLITE_STATIC).
            c._sqlite3_bind_text(s, i + 1, this.buf + this.offs[i]!, this.lens[i]!, 0)
          : x === null || x === undefined
            ? c._sqlite3_bind_blob(s, i + 1, 0, 0, 0)
            : x === (x | 0)
              ? c._sqlite3_bind_int(s, i + 1, x)
              : c._sqlite3_bind_double(s, i + 1, x);
      if (rc !== 0) this.fail();
    }
    if (c._sqlite3_step(s) !== SQLITE_DONE) this.fail();
    c._sqlite3_reset(s);
  }

  free(): void {
    if (this.c && this.buf) this.c._free(this.buf);
    this.buf = 0;
    this.st.free();
  }

  private grow(need: number): void {
    const c = this.c!;
    const cap = Math.max(need, this.cap * 2, 4096);
    if (this.buf) c._free(this.buf);
    this.buf = c._malloc(cap);
    if (!this.buf) throw new Error(`out of memory for a ${cap}-byte insert buffer`);
    this.cap = cap;
    this.scratch = new Uint8Array(cap);
  }

  private fail(): never {
    const c = this.c!;
    const msg = c.UTF8ToString(c._sqlite3_errmsg(this.dbPtr));
    c._sqlite3_reset(this.stmt);
    throw new Error(msg);
  }
}
