// Migration 39: a key's uniqueness (key ID + password fingerprint) as a named index a bulk key load can rebuild (issue 14).
import type { Migration } from '../migrate.js';

// UNIQUE(key_id, fingerprint) written into the table made an index no statement can drop: every key of a million-key
// file was a random insert into it (a GUID leads), three times the cost of the row itself. As ux_keys_key_fp the
// same rule holds for every statement (INSERT OR IGNORE still ignores a duplicate), and a bulk load drops it, keeps
// the keys unique itself while it runs (KeyInserts), and builds it again in one sort at the batch's end. The table is
// copied as it is (ids, seals, chunk slots): a seal-3 chunk's authenticated list is its rows' key IDs and host hints
// in slot order, all unchanged. Nothing references keys, and no trigger or view reads it.
const migration: Migration = {
  version: 39,
  name: 'keys-unique-index',
  sql: `CREATE TABLE keys_v39(
  id INTEGER PRIMARY KEY,
  device_id INTEGER REFERENCES devices(id),
  key_id TEXT NOT NULL,             -- GUID, lower case, no braces
  host_hint TEXT,                   -- hostname / DN / Entra device id as the file gave it
  secret BLOB NOT NULL,             -- AES-GCM(iv || ciphertext) of the recovery password; never plaintext
  fingerprint TEXT NOT NULL,        -- HMAC of the password under the workspace key, for de-duplication
  valid INTEGER NOT NULL,
  problem TEXT,                     -- why an invalid key is invalid (never "corrected")
  volume_type TEXT,
  created_at INTEGER,
  import_id INTEGER REFERENCES imports(id),
  line INTEGER, seal INTEGER NOT NULL DEFAULT 1, chunk_id INTEGER REFERENCES key_chunks(id), slot INTEGER
);
INSERT INTO keys_v39(id, device_id, key_id, host_hint, secret, fingerprint, valid, problem, volume_type, created_at,
  import_id, line, seal, chunk_id, slot)
SELECT id, device_id, key_id, host_hint, secret, fingerprint, valid, problem, volume_type, created_at,
  import_id, line, seal, chunk_id, slot FROM keys;
DROP TABLE keys;
ALTER TABLE keys_v39 RENAME TO keys;
CREATE UNIQUE INDEX ux_keys_key_fp ON keys(key_id, fingerprint);
CREATE INDEX ix_keys_chunk ON keys(chunk_id, slot) WHERE chunk_id IS NOT NULL;
CREATE INDEX ix_keys_device ON keys(device_id);`,
};
export default migration;
