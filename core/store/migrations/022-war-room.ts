// Migration 22: saved device views kept in the workspace (journalled, not browser storage) and the change log.
import type { Migration } from '../migrate.js';

// Numbered 22 (the issue that asked for it) so that it cannot collide with migrations other branches add next.
const migration: Migration = {
  version: 22,
  name: 'war-room',
  sql: `CREATE TABLE saved_views (
  name TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  saved_at INTEGER NOT NULL
);
CREATE TABLE change_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  label TEXT NOT NULL,
  body TEXT NOT NULL
);`,
};
export default migration;
