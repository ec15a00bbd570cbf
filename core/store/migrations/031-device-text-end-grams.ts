// Migration 31: the device text index gains each value's end gram, so two-character terms are answered from it too.
import type { Migration } from '../migrate.js';

// A value's last two characters followed by a NUL are now a gram of their own (core/store/device-text.ts): with them,
// every place a two-character term can match is the start of some gram, and the first page of such a term reads the
// lists of the grams that start with it instead of walking the hostname index. Lists built before lack those grams,
// so every chunk is marked dirty and the first open of an older workspace rebuilds the index (core/workspace.ts).
const migration: Migration = {
  version: 31,
  name: 'device-text-end-grams',
  sql: `DELETE FROM device_text_dirty;
INSERT OR IGNORE INTO device_text_dirty(chunk) SELECT DISTINCT id >> 16 FROM devices;`,
};
export default migration;
