// Migration 6: saved gate policies and the per-device receipt cache the rollout replay reads instead of raw events.
import type { Migration } from '../migrate.js';

// replay_receipts holds one row per device that received a content (package@version), in receipt order, with its
// first crash and failure after receipt; it is rebuilt when events change (replay_cache.fingerprint).
const migration: Migration = {
  version: 6,
  name: 'replay',
  sql: `
CREATE TABLE replay_policies(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  body TEXT NOT NULL,               -- the policy file (JSON), validated before saving
  saved_at INTEGER NOT NULL,
  saved_by TEXT NOT NULL
);
CREATE TABLE replay_receipts(
  content TEXT NOT NULL,            -- package@version
  device_id INTEGER NOT NULL,
  event_ring TEXT,
  received_at INTEGER NOT NULL,
  crashed_at INTEGER,
  failed_at INTEGER
);
CREATE INDEX ix_replay_receipts ON replay_receipts(content, received_at);
CREATE TABLE replay_cache(
  content TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  devices INTEGER NOT NULL,
  source TEXT,
  built_at INTEGER NOT NULL
);
`,
};
export default migration;
