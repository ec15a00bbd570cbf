// Migration 41: devices by site in hostname order (site, hostname COLLATE NOCASE, id), so a site's device list reads one page.
import type { Migration } from '../migrate.js';

// The device table's default order is the hostname (COLLATE NOCASE, then id). Filtered by a site, the list either
// walked the hostname index until a page of that site's devices turned up (hostnames start with the site's code, so
// at a million devices "LON" was 800 ms of walking past every name before it) or sorted every device of the site.
// With the hostname and id after the site, the site's devices come out of the index already in order: the first page
// reads a page's worth of rows, and every other reader of the index (site = ?) searches it as before.
const migration: Migration = {
  version: 41,
  name: 'site-hostname-index',
  sql: `DROP INDEX IF EXISTS ix_devices_site;
CREATE INDEX IF NOT EXISTS ix_devices_site ON devices(site, hostname COLLATE NOCASE, id);`,
};
export default migration;
