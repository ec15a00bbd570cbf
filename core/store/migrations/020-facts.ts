// Migration 20: the evidence model: typed facts from every source row (file, line, time), and each state's deciding fact.
import type { Migration } from '../migrate.js';

// A fact is one thing one source row says about one device at one time: ring membership, a version, a sighting
// (check-in), content receipt, a crash or restart, an outcome, a field result. States are computed from facts in SQL.
// Facts derived by a rule (boot loop, stopped reporting) are rewritten at each recompute and marked derived = 1.
// as_of = 1: the file had no time of its own for the row and the export's "as of" time was used.
const migration: Migration = {
  version: 20,
  name: 'facts',
  sql: `
CREATE TABLE facts(
  id INTEGER PRIMARY KEY,
  device_id INTEGER REFERENCES devices(id),
  class TEXT NOT NULL,      -- ring | version | seen | content | update | crash | restart | outcome | result
  type TEXT NOT NULL,       -- e.g. seen: last_seen | online | update_status; crash: bugcheck | crash | boot_loop | stopped_reporting
  value TEXT,
  ts INTEGER,
  as_of INTEGER NOT NULL DEFAULT 0,
  import_id INTEGER REFERENCES imports(id),
  line INTEGER,
  source TEXT NOT NULL,
  event_id INTEGER,
  result_id INTEGER,
  derived INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_facts_device ON facts(device_id, class, ts);
CREATE INDEX ix_facts_import ON facts(import_id);
CREATE INDEX ix_facts_derived ON facts(derived) WHERE derived = 1;

ALTER TABLE events ADD COLUMN line INTEGER;
ALTER TABLE events ADD COLUMN as_of INTEGER NOT NULL DEFAULT 0;
-- The export's "as of" time: the time found for a file without a time column, else its latest row time.
ALTER TABLE imports ADD COLUMN as_of INTEGER;
ALTER TABLE devices ADD COLUMN certainty TEXT NOT NULL DEFAULT 'confirmed';
ALTER TABLE devices ADD COLUMN decided_by INTEGER;

-- Suspected devices per summary cell (confirmed = an_counts - this), so the dashboards split each class in two shades.
CREATE TABLE an_suspected(
  ring TEXT NOT NULL, site TEXT NOT NULL, platform TEXT NOT NULL, tags TEXT NOT NULL,
  state TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(ring, site, platform, tags, state)
) WITHOUT ROWID;
ALTER TABLE an_dev ADD COLUMN certainty TEXT NOT NULL DEFAULT 'confirmed';
`,
};
export default migration;
