// Migration 9: source rows kept compressed, a few hundred per chunk, instead of one JSON text per device_sources row.
import type { Migration } from '../migrate.js';

// The raw rows were most of a workspace (about 60 % of the image at 100 k devices: wide Intune rows as JSON text), and
// the image lives in memory. A chunk holds the rows of one import from first_line to last_line as deflate-raw of a
// JSON array of [line, cells]; device_sources.raw is '' for rows stored this way. Older rows keep their JSON text.
const migration: Migration = {
  version: 9,
  name: 'raw-chunks',
  sql: `
CREATE TABLE raw_chunks(
  id INTEGER PRIMARY KEY,
  import_id INTEGER NOT NULL REFERENCES imports(id),
  first_line INTEGER NOT NULL,
  last_line INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX ix_raw_chunks ON raw_chunks(import_id, first_line);
`,
};
export default migration;
