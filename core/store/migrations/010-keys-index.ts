// Migration 10: drops ix_keys_key_id, which UNIQUE(key_id, fingerprint) already covers (lookups by ID and by prefix).
import type { Migration } from '../migrate.js';

// Every index on keys is a random insert per key (key IDs are GUIDs); the duplicate one only slowed large key imports.
const migration: Migration = {
  version: 10,
  name: 'keys-index',
  sql: `DROP INDEX IF EXISTS ix_keys_key_id;`,
};
export default migration;
