// Migration 4: remediation playbooks loaded by users and the history of script generations (never a plaintext key).
import type { Migration } from '../migrate.js';

const migration: Migration = {
  version: 4,
  name: 'remediation',
  sql: `
CREATE TABLE remediation_playbooks(
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  json TEXT NOT NULL,               -- the validated playbook file, as loaded
  sha256 TEXT NOT NULL,
  loaded_at INTEGER NOT NULL,
  loaded_by TEXT NOT NULL,
  PRIMARY KEY(id, version)
);
CREATE TABLE remediation_generations(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  playbook_id TEXT NOT NULL,
  playbook_version INTEGER NOT NULL,
  route TEXT NOT NULL,
  target TEXT NOT NULL,             -- JSON of the target the user chose
  with_keys INTEGER NOT NULL,
  devices INTEGER NOT NULL,
  refused INTEGER NOT NULL,
  manifest TEXT NOT NULL,           -- JSON manifest (key IDs only)
  files TEXT NOT NULL               -- JSON [{path, sha256, content}] with recovery passwords redacted
);
CREATE INDEX ix_remediation_generations_pb ON remediation_generations(playbook_id, route, id);
`,
};
export default migration;
