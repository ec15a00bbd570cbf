// Migration 5: field packs (id, scope, sealed MAC key), merged results files, and the key rotation list.
import type { Migration } from '../migrate.js';

// Times are epoch milliseconds. A pack's MAC key (which signs the technician's results file) is kept only sealed
// by the workspace SecretBox; the pack's passphrase and the recovery passwords it carries are never stored here.
const migration: Migration = {
  version: 5,
  name: 'field',
  sql: `
CREATE TABLE packs(
  id TEXT PRIMARY KEY,
  site TEXT,
  device_ids TEXT NOT NULL,        -- JSON array of devices.id
  key_ids TEXT NOT NULL,           -- JSON array of key GUIDs carried (never the keys)
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  technician TEXT,
  created_by TEXT NOT NULL,
  mac_key BLOB NOT NULL,           -- SecretBox-sealed results-signing key material
  file_sha256 TEXT NOT NULL
);

CREATE TABLE result_files(
  sha256 TEXT PRIMARY KEY,
  pack_id TEXT NOT NULL REFERENCES packs(id),
  technician TEXT,
  records INTEGER NOT NULL,
  added INTEGER NOT NULL,
  duplicates INTEGER NOT NULL,
  merged_at INTEGER NOT NULL
);

-- Every recovery password that left the vault (packed or revealed) must be rotated after the incident.
CREATE TABLE key_rotation(
  key_id TEXT NOT NULL,
  device_id INTEGER,
  hostname TEXT,
  reason TEXT NOT NULL,            -- packed | revealed | revealed_in_field
  ref TEXT NOT NULL,               -- pack id, or the actor who revealed it
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  PRIMARY KEY(key_id, reason, ref)
) WITHOUT ROWID;
CREATE INDEX ix_key_rotation_at ON key_rotation(at);
`,
};
export default migration;
