// Migration 17: the audit chain records how each entry is hashed, so old plain SHA-256 entries stay verifiable
// after the chain switches to HMAC-SHA-256 under the workspace's audit key (issue 17).
import type { Migration } from '../migrate.js';

// Numbered 17 after its issue so parallel branches adding 011+ never collide; gaps are allowed by migrate().
const migration: Migration = {
  version: 17,
  name: 'audit-keyed',
  sql: `ALTER TABLE audit ADD COLUMN alg TEXT NOT NULL DEFAULT 'sha256';`,
};
export default migration;
