// Foreign keys checked once, set-based, at a bulk batch's end instead of on every row the batch writes.
import type { Db } from './db.js';

/** Tables whose size (MAX(id), no scan) says how much a whole-workspace check reads. */
const CHECKED = ['devices', 'device_sources', 'stored_facts', 'events', 'keys'] as const;

/**
 * Turns row-by-row foreign-key enforcement off for a batch of about `rows` rows when it is at least a quarter of what
 * the workspace holds: SQLite then looks no parent up per row (with none, a 100k import's sql.js thread took about a
 * tenth less CPU: each row of an insert opens and seeks its parents' tables), and checkForeignKeys checks every row
 * once at the batch's end, one scan per table (about 0.2 s CPU at 100k, 5 s at a million devices). A small batch
 * into a large workspace keeps them on: the check reads the whole workspace. True when they are now off: the caller must check before committing and turn them on again after
 * (restoreForeignKeys), whatever happens.
 */
export function deferForeignKeys(db: Db, rows: number, minRows: number): boolean {
  if (rows < minRows) return false;
  if (db.value<number>('PRAGMA foreign_keys') !== 1) return false;
  const held = CHECKED.reduce((n, t) => n + (db.value<number>(`SELECT COALESCE(MAX(rowid), 0) FROM ${t}`) ?? 0), 0);
  if (rows * 4 < held) return false;
  db.run('PRAGMA foreign_keys = OFF');
  // Inside a transaction SQLite ignores the pragma: they are still on, and stay so.
  return db.value<number>('PRAGMA foreign_keys') === 0;
}

/**
 * Throws, naming the first row, if any row of any table refers to a row its foreign key's parent table does not hold:
 * SQLite's own PRAGMA foreign_key_check, so the same rule the row-by-row checks apply.
 */
export function checkForeignKeys(db: Db): void {
  const bad = db.get<{ table: string; rowid: number | null; parent: string }>('PRAGMA foreign_key_check');
  if (bad)
    throw new Error(
      `the workspace would be left inconsistent: ${bad.table} row ${String(bad.rowid)} refers to a ${bad.parent} row that does not exist; nothing was imported`,
    );
}

/** Turns row-by-row enforcement back on (after the batch's transaction has ended, committed or rolled back). */
export function restoreForeignKeys(db: Db): void {
  db.run('PRAGMA foreign_keys = ON');
}
