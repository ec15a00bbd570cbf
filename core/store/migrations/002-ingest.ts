// Migration 2 (ingest): saved column mappings for generic CSV/JSON files, and the ambiguous-match review list.
import type { Migration } from '../migrate.js';

const migration: Migration = {
  version: 2,
  name: 'ingest',
  sql: `
CREATE TABLE ingest_mappings(
  signature TEXT PRIMARY KEY,        -- normalised header names joined by '|', in file order
  kind TEXT NOT NULL,                -- fleet | keys | rollout
  columns TEXT NOT NULL,             -- JSON object: field -> header name
  name TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  used_at INTEGER
);

CREATE TABLE identity_review(
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  source_id INTEGER REFERENCES device_sources(id),
  import_id INTEGER REFERENCES imports(id),
  line INTEGER,
  reason TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open', -- open | confirmed | split
  resolved_at INTEGER
);
CREATE INDEX ix_identity_review_status ON identity_review(status, id);
`,
};
export default migration;
