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

export class Db {
  private depth = 0;

  /** The sql.js module the database was opened with: its C API lets bulk inserts bind without per-value glue. */
  sql: SqlJsStatic | null = null;

  constructor(readonly raw: Database) {}

  static open(SQL: SqlJsStatic, bytes?: Uint8Array | null): Db {
    const db = new Db(bytes && bytes.byteLength > 0 ? new SQL.Database(bytes) : new SQL.Database());
    db.sql = SQL;
    db.raw.run('PRAGMA foreign_keys = ON');
    // Identity's serial rule in SQL (migration 26 backfills devices.serial_key with it): one rule, not two copies.
    db.raw.create_function('usable_serial', (s: unknown) => usableSerial(typeof s === 'string' ? s : null));
    migrate(db);
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
      this.rollback(name);
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
      this.rollback(name);
      throw err;
    }
  }

  /** Opens a transaction, or a savepoint inside one; returns the savepoint's name. */
  private begin(): string {
    const name = `sp${this.depth}`;
    this.raw.run(this.depth === 0 ? 'BEGIN IMMEDIATE' : `SAVEPOINT ${name}`);
    this.depth++;
    return name;
  }

  private commit(name: string): void {
    this.depth--;
    this.raw.run(this.depth === 0 ? 'COMMIT' : `RELEASE ${name}`);
  }

  private rollback(name: string): void {
    this.depth--;
    if (this.depth === 0) this.raw.run('ROLLBACK');
    else this.raw.run(`ROLLBACK TO ${name}; RELEASE ${name}`);
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
    const before = this.value<number>('PRAGMA cache_size') ?? -2000;
    this.raw.run(`PRAGMA cache_size = ${-Math.round(mib * 1024)}`);
    try {
      return fn();
    } finally {
      this.raw.run(`PRAGMA cache_size = ${Math.trunc(before)}`);
    }
  }

  close(): void {
    this.raw.close();
  }
}
