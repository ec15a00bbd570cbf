// Named queries for the meta table: the workspace's key-value settings (id, data time, analysis config, chain state).
import type { Db } from './db.js';

export function get(db: Db, key: string): string | undefined {
  return db.value<string>('SELECT value FROM meta WHERE key = ?', [key]);
}

/** Writes a key that must not exist yet (the workspace id and creation time, once per file). */
export function add(db: Db, key: string, value: string): void {
  db.run('INSERT INTO meta(key, value) VALUES (?, ?)', [key, value]);
}

export function set(db: Db, key: string, value: string): void {
  db.run('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [
    key,
    value,
  ]);
}
