// Thin typed wrapper around a sql.js Database: named queries, transactions, batched prepared inserts.
import type { BindParams, Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import { usableSerial } from '../shared/serial.js';
import { migrate } from './migrate.js';

export type Row = Record<string, SqlValue>;

/** Where exportTo puts the image: writes at byte positions, and reads back what it wrote (short at the end). */
export interface ExportSink {
  write(bytes: Uint8Array, position: number): void;
  read(into: Uint8Array, position: number): number;
}

/**
 * A file outside sql.js's memory that holds the database file (a file on disk in Node, electron/node/host-file.ts):
 * SQLite's reads and writes of it go there (patches/sql.js+1.16.0.patch), so the image is not held in memory.
 * read returns how many bytes it read (short only at the end of the file); every method throws on failure.
 */
export interface HostFile {
  read(into: Uint8Array, position: number): number;
  write(bytes: Uint8Array, position: number): void;
  truncate(size: number): void;
  size(): number;
  /** Called at SQLite's fsync: anything the file still holds back is written, or its failure thrown. */
  sync?(): void;
  close(): void;
}

/** sql.js's Database with the patch's host-file methods (absent from a sql.js without the patch). */
type BackableDatabase = Database & { ringsideBackWith?: (file: HostFile) => void };

export class Db {
  private depth = 0;

  /** The sql.js module the database was opened with: its C API lets bulk inserts bind without per-value glue. */
  sql: SqlJsStatic | null = null;

  constructor(readonly raw: Database) {}

  /**
   * Opens `bytes` (or a new database), or with `backing` the image that host file holds (`bytes`, when given, are
   * written into it first): the database file then lives there, not in memory. Closing the database closes it.
   */
  static open(SQL: SqlJsStatic, bytes?: Uint8Array | null, backing?: HostFile | null): Db {
    const db = new Db(backing ? backedDatabase(SQL, bytes, backing) : openImage(SQL, bytes));
    db.sql = SQL;
    try {
      db.raw.run('PRAGMA foreign_keys = ON');
      // Identity's serial rule in SQL (migration 26 backfills devices.serial_key with it): one rule, not two copies.
      db.raw.create_function('usable_serial', (s: unknown) => usableSerial(typeof s === 'string' ? s : null));
      migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return db;
  }

  run(sql: string, params?: BindParams): void {
    this.raw.run(sql, params ?? undefined);
  }

  /** All rows as objects. */
  all<T = Row>(sql: string, params?: BindParams): T[] {
    const stmt = this.raw.prepare(sql);
    try {
      if (params) stmt.bind(params);
      const out: T[] = [];
      while (stmt.step()) out.push(stmt.getAsObject() as T);
      return out;
    } finally {
      stmt.free();
    }
  }

  get<T = Row>(sql: string, params?: BindParams): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  /** First column of the first row. */
  value<T extends SqlValue = SqlValue>(sql: string, params?: BindParams): T | undefined {
    const stmt = this.raw.prepare(sql);
    try {
      if (params) stmt.bind(params);
      return stmt.step() ? (stmt.get()[0] as T) : undefined;
    } finally {
      stmt.free();
    }
  }

  prepare(sql: string): Statement {
    return this.raw.prepare(sql);
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** Runs fn inside a transaction (savepoints when nested); rolls back on throw. */
  tx<T>(fn: () => T): T {
    const name = this.begin();
    try {
      const out = fn();
      this.commit(name);
      return out;
    } catch (err) {
      this.rollback(name, err);
      throw err;
    }
  }

  /**
   * Async variant for streamed work: the caller awaits between batches inside one transaction. Nested calls become
   * savepoints, so one file of a batch import can roll back alone; callers run them one after another, never at once.
   */
  async txAsync<T>(fn: () => Promise<T>): Promise<T> {
    const name = this.begin();
    try {
      const out = await fn();
      this.commit(name);
      return out;
    } catch (err) {
      this.rollback(name, err);
      throw err;
    }
  }

  /**
   * Why SQLite rolled the whole transaction back by itself (a full disk, an I/O error: it does for those) while
   * savepoints inside it were still open: until the outermost level ends, nothing may begin or commit, or the rest of
   * the work would run outside any transaction.
   */
  private lost: Error | null = null;

  /** Opens a transaction, or a savepoint inside one; returns the savepoint's name. */
  private begin(): string {
    if (this.lost) throw this.lostError();
    const name = `sp${this.depth}`;
    this.raw.run(this.depth === 0 ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${name}`);
    this.depth++;
    return name;
  }

  /** Ends the level only once COMMIT/RELEASE succeeded: a failed one is then rolled back by the caller's catch. */
  private commit(name: string): void {
    if (this.lost) throw this.lostError();
    this.raw.run(this.depth === 1 ? 'COMMIT' : `RELEASE ${name}`);
    this.depth--;
  }

  private rollback(name: string, cause: unknown): void {
    this.depth--;
    if (!this.lost) {
      try {
        if (this.depth === 0) this.raw.run('ROLLBACK');
        else this.raw.run(`ROLLBACK TO ${name}; RELEASE ${name}`);
      } catch (err) {
        // Already rolled back by SQLite: the caller rethrows the error that did it, not this one.
        if (!/no transaction is active|no such savepoint/.test((err as Error).message)) throw err;
        this.lost = cause instanceof Error ? cause : new Error(String(cause));
      }
    }
    if (this.depth === 0) this.lost = null;
  }

  private lostError(): Error {
    return new Error(`the transaction was rolled back after an error: ${this.lost?.message ?? ''}`);
  }

  /** Serialises the database. Refuses during an open write transaction so a snapshot is never half an import. */
  export(): Uint8Array {
    if (this.depth > 0) throw new Error('cannot export while a write transaction is open');
    return this.raw.export();
  }

  /**
   * What export() returns, handed to sink as positioned writes (sql.js's backup pages, read back through sink.read
   * when SQLite asks) instead of held as a second image in memory; returns the image's length. The bytes are
   * export()'s, by the same backup (patches/sql.js+1.16.0.patch), taken in one step. Refuses during a write
   * transaction, as export().
   */
  exportTo(sink: ExportSink): number {
    if (this.depth > 0) throw new Error('cannot export while a write transaction is open');
    const raw = this.raw as Database & {
      ringsideExportBegin?: (s: ExportSink) => { step(pages: number): false | number };
    };
    if (raw.ringsideExportBegin) return raw.ringsideExportBegin(sink).step(-1) as number;
    // A sql.js without the patch: the whole image, once.
    const bytes = raw.export();
    sink.write(bytes, 0);
    return bytes.byteLength;
  }

  /**
   * Runs fn with a page cache of `mib` MiB (SQLite's default is 2 MiB), then gives the memory back: a set-based pass
   * over the whole fleet sorts in memory instead of spilling sorter runs to temp files and merging them.
   */
  withCache<T>(mib: number, fn: () => T): T {
    const restore = this.cacheFor(mib);
    try {
      return fn();
    } finally {
      restore();
    }
  }

  /** withCache for async work: the size comes back once `fn`'s promise settles. */
  async withCacheAsync<T>(mib: number, fn: () => Promise<T>): Promise<T> {
    const restore = this.cacheFor(mib);
    try {
      return await fn();
    } finally {
      restore();
    }
  }

  /** Sets the page cache to `mib` MiB; returns what sets it back. */
  private cacheFor(mib: number): () => void {
    const before = this.value<number>('PRAGMA cache_size') ?? -2000;
    this.raw.run(`PRAGMA cache_size = ${-Math.round(mib * 1024)}`);
    return () => this.raw.run(`PRAGMA cache_size = ${Math.trunc(before)}`);
  }

  close(): void {
    this.raw.close();
  }
}

function openImage(SQL: SqlJsStatic, bytes?: Uint8Array | null): Database {
  return bytes && bytes.byteLength > 0 ? new SQL.Database(bytes) : new SQL.Database();
}

/** A new sql.js database whose file is `file`: backed before any statement runs, so SQLite reads its image. */
export function backedDatabase(SQL: SqlJsStatic, bytes: Uint8Array | null | undefined, file: HostFile): Database {
  const raw = new SQL.Database() as BackableDatabase;
  try {
    if (!raw.ringsideBackWith) throw new Error('this sql.js cannot keep its database in a file (patch not applied)');
    if (bytes && bytes.byteLength > 0) {
      file.truncate(0);
      file.write(bytes, 0);
    }
    raw.ringsideBackWith(file);
    return raw;
  } catch (err) {
    raw.close();
    file.close();
    throw err;
  }
}
