// Migration 23: BitLocker keys sealed in chunks (one AES-GCM per chunk of keys); rows say which format holds them.
import type { Migration } from '../migrate.js';

// seal = 1: the row's own AES-GCM blob in `secret` (every workspace before this migration; still read, never written).
// seal = 2: slot `slot` of chunk `chunk_id`; `secret` is empty. Old rows are not re-sealed here: migrations are SQL
// and run before the workspace key is known, and a v1 blob is still authenticated AES-GCM, so both formats are read.
// A chunk's `bound` is its additional authenticated data: [key ID, host hint] per slot, so a row that points at
// another key's slot (a swapped row) or an edited list is refused on reveal.
const migration: Migration = {
  version: 23,
  name: 'key-chunks',
  sql: `
CREATE TABLE key_chunks(
  id INTEGER PRIMARY KEY,
  nonce BLOB NOT NULL,
  sealed BLOB NOT NULL,   -- AES-GCM(JSON array of the chunk's recovery passwords) || tag; never plaintext
  bound TEXT NOT NULL     -- JSON [[key_id, host_hint], ...] in slot order: authenticated, not secret
);
ALTER TABLE keys ADD COLUMN seal INTEGER NOT NULL DEFAULT 1;
ALTER TABLE keys ADD COLUMN chunk_id INTEGER REFERENCES key_chunks(id);
ALTER TABLE keys ADD COLUMN slot INTEGER;
`,
};
export default migration;
