// Migration 3: the analysis summary tables the dashboards read (so no refresh scans raw events) and device-table indexes.
import type { Migration } from '../migrate.js';

// Every summary table is keyed by the filter-bar dimensions (effective ring, site, platform, tag set) so one filter
// narrows the numbers and the charts together by reading a few thousand rows, never the 1 M devices or 5 M events.
// Empty strings stand for a missing ring/site/platform so the keys stay NOT NULL. Times are epoch milliseconds.
const migration: Migration = {
  version: 3,
  name: 'analysis',
  sql: `
CREATE TABLE an_counts(
  ring TEXT NOT NULL, site TEXT NOT NULL, platform TEXT NOT NULL, tags TEXT NOT NULL,
  state TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(ring, site, platform, tags, state)
) WITHOUT ROWID;

-- Devices whose first crash fell in each 15-minute bucket.
CREATE TABLE an_crash(
  ring TEXT NOT NULL, site TEXT NOT NULL, platform TEXT NOT NULL, tags TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(ring, site, platform, tags, bucket)
) WITHOUT ROWID;

-- Burn-down as hourly deltas: +1 when a device goes down, -1 when it is back (self-recovered or fixed).
CREATE TABLE an_burn(
  ring TEXT NOT NULL, site TEXT NOT NULL, platform TEXT NOT NULL, tags TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  delta INTEGER NOT NULL,
  PRIMARY KEY(ring, site, platform, tags, bucket)
) WITHOUT ROWID;

-- Time to recover (crash to back up) as an hourly histogram, with the exact sum for means.
CREATE TABLE an_ttr(
  ring TEXT NOT NULL, site TEXT NOT NULL, platform TEXT NOT NULL, tags TEXT NOT NULL,
  hours INTEGER NOT NULL,
  n INTEGER NOT NULL,
  sum_ms INTEGER NOT NULL,
  PRIMARY KEY(ring, site, platform, tags, hours)
) WITHOUT ROWID;

-- Critical devices (by type and tags), ranked, for the "critical first" list.
CREATE TABLE an_critical(
  device_id INTEGER PRIMARY KEY,
  rank INTEGER NOT NULL,
  category TEXT NOT NULL,
  hostname TEXT NOT NULL,
  ring TEXT NOT NULL, site TEXT NOT NULL, platform TEXT NOT NULL, tags TEXT NOT NULL,
  state TEXT NOT NULL
);
CREATE INDEX ix_an_critical_rank ON an_critical(rank, hostname);

-- What each current device last contributed to the tables above, so a partial recompute (a field result, a ring
-- override made by someone else's code) removes exactly the old contribution before adding the new one.
CREATE TABLE an_dev(
  id INTEGER PRIMARY KEY,
  ring TEXT NOT NULL, site TEXT NOT NULL, platform TEXT NOT NULL, tags TEXT NOT NULL,
  state TEXT NOT NULL, hostname TEXT NOT NULL, device_type TEXT,
  crashed_at INTEGER, resolved_at INTEGER
);

CREATE INDEX ix_devices_hostname ON devices(hostname COLLATE NOCASE, id);
CREATE INDEX ix_devices_state ON devices(state);
CREATE INDEX ix_devices_eff_ring ON devices(COALESCE(ring_override, ring));
CREATE INDEX ix_devices_superseded ON devices(superseded_by) WHERE superseded_by IS NOT NULL;
`,
};
export default migration;
