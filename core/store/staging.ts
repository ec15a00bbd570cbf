// Bulk loads: a table's size by its highest id, and its indexes dropped before a load and built again after it.
import { stopwatch } from '../shared/stopwatch.js';
import type { Db } from './db.js';

export interface IndexDef {
  name: string;
  sql: string;
}

/** MAX(id): the table's size without a scan. */
export function tableSize(db: Db, table: 'devices' | 'events' | 'keys'): number {
  return db.value<number>(`SELECT COALESCE(MAX(id), 0) FROM ${table}`) ?? 0;
}

/** The indexes (with their definitions) on the given tables, plus the extra ones named, by name. */
export function indexesOf(db: Db, tables: string[], extra: string[]): IndexDef[] {
  return db.all<IndexDef>(
    `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
         AND (tbl_name IN (${tables.map(() => '?').join(',')}) OR name IN (${extra.map(() => '?').join(',') || "''"}))
       ORDER BY name`,
    [...tables, ...extra],
  );
}

export function dropIndex(db: Db, name: string): void {
  db.run(`DROP INDEX "${name.replace(/"/g, '""')}"`);
}

/**
 * Builds a dropped index again from its definition as sqlite_master held it; with `timings`, adds the milliseconds
 * it took under `index:<name>` (an index may be built more than once in a batch: each file's savepoint).
 */
export function restoreIndex(db: Db, def: IndexDef, timings?: Record<string, number>): void {
  const { lap } = stopwatch(timings, 'index:');
  db.run(def.sql);
  lap(def.name);
}
