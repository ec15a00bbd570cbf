// Named queries for saved views (a named filter set the user keeps): read, and the journal's save and forget.
import type { Db } from './db.js';

export function all(db: Db): Array<{ name: string; body: string }> {
  return db.all<{ name: string; body: string }>('SELECT name, body FROM saved_views ORDER BY name');
}

export function save(db: Db, name: string, view: Record<string, unknown>, at: number): void {
  db.run(
    `INSERT INTO saved_views(name, body, saved_at) VALUES (?,?,?)
     ON CONFLICT(name) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at`,
    [name, JSON.stringify(view), at],
  );
}

/** Forgets one saved view, or all of them when name is null. */
export function forget(db: Db, name: string | null): void {
  if (name === null) db.run('DELETE FROM saved_views');
  else db.run('DELETE FROM saved_views WHERE name = ?', [name]);
}
