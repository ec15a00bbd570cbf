// Migration 24: the trigram index of the device text search (issue 14), its dirty-chunk list and the triggers that fill it.
import type { Migration } from '../migrate.js';

// One row per (chunk of 16,384 device ids, trigram) holds the chunk's device offsets as a delta-varint blob: a row per
// (trigram, device) measured 152 MiB at 100k devices (about 1.5 GiB at a million, on top of a 1.8 GiB image), the
// blobs about a fifth of that. The triggers only mark a chunk dirty (one tiny insert per written device); the import
// rebuilds dirty chunks once per batch and the search reads a dirty chunk's devices directly, so it is never stale.
// Every existing chunk starts dirty: the first open of an older workspace builds the index (core/store/device-text.ts).
const migration: Migration = {
  version: 24,
  name: 'device-text',
  sql: `CREATE TABLE device_text_grams (
  chunk INTEGER NOT NULL,
  tri TEXT NOT NULL,
  n INTEGER NOT NULL,
  ids BLOB NOT NULL,
  PRIMARY KEY (chunk, tri)
) WITHOUT ROWID;
CREATE TABLE device_text_dirty (chunk INTEGER PRIMARY KEY);
CREATE TRIGGER device_text_insert AFTER INSERT ON devices BEGIN
  INSERT OR IGNORE INTO device_text_dirty(chunk) VALUES (NEW.id >> 14);
END;
CREATE TRIGGER device_text_update AFTER UPDATE OF id, hostname, serial, falcon_aid, entra_id, intune_id, user ON devices BEGIN
  INSERT OR IGNORE INTO device_text_dirty(chunk) VALUES (OLD.id >> 14);
  INSERT OR IGNORE INTO device_text_dirty(chunk) VALUES (NEW.id >> 14);
END;
CREATE TRIGGER device_text_delete AFTER DELETE ON devices BEGIN
  INSERT OR IGNORE INTO device_text_dirty(chunk) VALUES (OLD.id >> 14);
END;
INSERT OR IGNORE INTO device_text_dirty(chunk) SELECT DISTINCT id >> 14 FROM devices;`,
};
export default migration;
