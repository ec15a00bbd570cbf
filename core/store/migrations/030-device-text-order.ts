// Migration 30: the device text index in hostname order per chunk of 65,536 ids, so a search's first page stops early.
import type { Migration } from '../migrate.js';

// A chunk's posting lists now hold positions in the chunk's (hostname COLLATE NOCASE, id) order instead of id
// offsets; device_text_order maps each position back to the id offset (two bytes each, little-endian, 1,024
// positions per row, id = chunk·64 + part, so a page reads only the rows its candidates fall in). The first
// page of a hostname-sorted search reads each chunk's candidates in list order and stops after a page of matches,
// instead of sorting every candidate. Chunks grow from 16,384 to 65,536 ids (a quarter of the rows, and fewer runs
// for the first page to merge), so the triggers are made again with the new shift. Lists four times as long no
// longer fit in a WITHOUT ROWID row (about 1 KiB local, the rest on an overflow page of its own: 744 against 644 MiB
// at a million devices), so the lists move to a rowid table (4 KiB local) with an index of (chunk, tri, n) that
// answers the list lengths a search asks first without reading a list. (chunk, tri) is one row: a rebuild deletes the
// chunk's rows before it writes them.
// The old rows are dropped and every chunk marked dirty: the first open of an older workspace rebuilds the index
// (core/workspace.ts).
const migration: Migration = {
  version: 30,
  name: 'device-text-order',
  sql: `DROP TABLE device_text_grams;
CREATE TABLE device_text_grams (chunk INTEGER NOT NULL, tri TEXT NOT NULL, n INTEGER NOT NULL, ids BLOB NOT NULL);
CREATE INDEX ix_device_text_grams ON device_text_grams(chunk, tri, n);
CREATE TABLE device_text_order (id INTEGER PRIMARY KEY, ids BLOB NOT NULL);
DROP TRIGGER device_text_insert;
DROP TRIGGER device_text_update;
DROP TRIGGER device_text_delete;
CREATE TRIGGER device_text_insert AFTER INSERT ON devices BEGIN
  INSERT OR IGNORE INTO device_text_dirty(chunk) VALUES (NEW.id >> 16);
END;
CREATE TRIGGER device_text_update AFTER UPDATE OF id, hostname, serial, falcon_aid, entra_id, intune_id, user ON devices BEGIN
  INSERT OR IGNORE INTO device_text_dirty(chunk) VALUES (OLD.id >> 16);
  INSERT OR IGNORE INTO device_text_dirty(chunk) VALUES (NEW.id >> 16);
END;
CREATE TRIGGER device_text_delete AFTER DELETE ON devices BEGIN
  INSERT OR IGNORE INTO device_text_dirty(chunk) VALUES (OLD.id >> 16);
END;
DELETE FROM device_text_dirty;
INSERT OR IGNORE INTO device_text_dirty(chunk) SELECT DISTINCT id >> 16 FROM devices;`,
};
export default migration;
