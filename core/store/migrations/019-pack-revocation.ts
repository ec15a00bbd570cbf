// Migration 19: a field pack can be revoked (lost laptop, leaked passphrase); merge then refuses its results.
import type { Migration } from '../migrate.js';

// Numbered 19 (the issue that asked for it) so that it cannot collide with migrations other branches add next.
const migration: Migration = {
  version: 19,
  name: 'pack-revocation',
  sql: `ALTER TABLE packs ADD COLUMN revoked_at INTEGER;
ALTER TABLE packs ADD COLUMN revoked_by TEXT;
ALTER TABLE packs ADD COLUMN revoked_reason TEXT;`,
};
export default migration;
