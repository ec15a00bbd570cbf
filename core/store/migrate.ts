// Applies the numbered, append-only migrations and records each one (with a hash of its SQL) in the database.
import type { Db } from './db.js';
import { migrations } from './migrations/index.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

function hash(text: string): string {
  // FNV-1a: enough to notice an applied migration being edited; not a security boundary.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function migrate(db: Db): number[] {
  db.run(`CREATE TABLE IF NOT EXISTS schema_migrations(
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Map(
    db
      .all<{ version: number; hash: string }>('SELECT version, hash FROM schema_migrations')
      .map((r) => [r.version, r.hash]),
  );
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (i > 0 && sorted[i - 1]!.version === m.version) throw new Error(`two migrations share version ${m.version}`);
  });
  const done: number[] = [];
  for (const m of sorted) {
    const known = applied.get(m.version);
    if (known !== undefined) {
      if (known !== hash(m.sql)) throw new Error(`migration ${m.version} (${m.name}) was edited after it was applied`);
      continue;
    }
    db.tx(() => {
      if (m.sql.trim()) db.raw.exec(m.sql);
      db.run('INSERT INTO schema_migrations(version, name, hash, applied_at) VALUES (?,?,?,?)', [
        m.version,
        m.name,
        hash(m.sql),
        new Date().toISOString(),
      ]);
    });
    done.push(m.version);
  }
  return done;
}

export function schemaVersion(db: Db): number {
  return db.value<number>('SELECT COALESCE(MAX(version),0) FROM schema_migrations') ?? 0;
}
