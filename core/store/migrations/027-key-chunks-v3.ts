// Migration 27: key chunks whose bound list is their own key rows (seal 3), and the index a reveal reads them by.
import type { Migration } from '../migrate.js';

// seal = 3: slot `slot` of chunk `chunk_id`, like seal 2, but the chunk's additional authenticated data is built from
// the chunk's key rows ([key_id, host_hint] in slot order, read by this index) instead of a copy stored in
// key_chunks.bound (about 90 bytes per key, a fifth of a key file's import time to bind). key_chunks.bound is '' for
// such a chunk. An edited, moved, added or deleted row of the chunk makes the whole chunk refuse to open.
// Seal 1 and seal 2 rows are read as before and never rewritten.
const migration: Migration = {
  version: 27,
  name: 'key-chunks-v3',
  sql: `CREATE INDEX ix_keys_chunk ON keys(chunk_id, slot) WHERE chunk_id IS NOT NULL;`,
};
export default migration;
