// Migration 34: devices by site through an index on the site alone, instead of (site, ring, state) (issue 14).
import type { Migration } from '../migrate.js';

// Every reader of ix_devices_site_ring (the site filter of the device list, search and tracker, a site's pack and
// report, renaming a site) searched it by its first column only (EXPLAIN QUERY PLAN over every statement the unit
// tests run): ring is the raw ring, never the effective one the views filter on, and state was left to the row. As the
// analysis rewrites every state, a bulk event load dropped that index and built it again after, the batch end's most
// costly rebuild of a device index (three text columns to sort, all with few distinct values). On the site alone it
// sorts in under half the time, and no longer holds the state, so the analysis never has to keep it up.
const migration: Migration = {
  version: 34,
  name: 'site-index',
  sql: `DROP INDEX IF EXISTS ix_devices_site_ring;
CREATE INDEX IF NOT EXISTS ix_devices_site ON devices(site);`,
};
export default migration;
