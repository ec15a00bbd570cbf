// Named queries for saved views (a named filter set the user keeps), read side.
import type { Db } from './db.js';

export function all(db: Db): Array<{ name: string; body: string }> {
  return db.all<{ name: string; body: string }>('SELECT name, body FROM saved_views ORDER BY name');
}
