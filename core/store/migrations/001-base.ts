// Migration 1: the shared incident schema (devices, sources, keys, events, imports, results, audit).
import type { Migration } from '../migrate.js';

// Times are INTEGER milliseconds since the epoch, UTC; the raw text of every source row is kept in device_sources.raw.
const migration: Migration = {
  version: 1,
  name: 'base',
  sql: `
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE imports(
  id INTEGER PRIMARY KEY,
  file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  format TEXT NOT NULL,
  kind TEXT NOT NULL,               -- fleet | keys | rollout | results
  rows INTEGER NOT NULL DEFAULT 0,
  imported INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE TABLE import_errors(
  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  field TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX ix_import_errors ON import_errors(import_id, line);

CREATE TABLE devices(
  id INTEGER PRIMARY KEY,
  hostname TEXT NOT NULL,
  host_key TEXT NOT NULL,           -- normalised: upper case, short name, no trailing $, 15-char NetBIOS
  falcon_aid TEXT,
  entra_id TEXT,
  intune_id TEXT,
  serial TEXT,
  site TEXT,
  ring TEXT,
  ring_source TEXT,
  ring_override TEXT,
  platform TEXT,                    -- windows | mac | linux | other
  os_version TEXT,
  device_type TEXT,                 -- workstation | server | dc
  agent_version TEXT,
  first_seen INTEGER,
  last_seen INTEGER,
  tags TEXT NOT NULL DEFAULT '',    -- comma-separated, lower case
  user TEXT,
  model TEXT,
  superseded_by INTEGER REFERENCES devices(id),  -- stale record of a reimaged machine -> the current one
  state TEXT NOT NULL DEFAULT 'unknown',
  state_rule TEXT NOT NULL DEFAULT '',
  exposed INTEGER NOT NULL DEFAULT 0,
  crashed_at INTEGER,
  recovered_at INTEGER,
  fixed_at INTEGER
);
CREATE INDEX ix_devices_host_key ON devices(host_key);
CREATE UNIQUE INDEX ux_devices_falcon ON devices(falcon_aid) WHERE falcon_aid IS NOT NULL;
CREATE UNIQUE INDEX ux_devices_entra ON devices(entra_id) WHERE entra_id IS NOT NULL;
CREATE UNIQUE INDEX ux_devices_intune ON devices(intune_id) WHERE intune_id IS NOT NULL;
CREATE INDEX ix_devices_serial ON devices(serial) WHERE serial IS NOT NULL;
CREATE INDEX ix_devices_site_ring ON devices(site, ring, state);

CREATE TABLE device_sources(
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  import_id INTEGER NOT NULL REFERENCES imports(id),
  source TEXT NOT NULL,             -- falcon | intune | entra | ad | ... (the detected format)
  line INTEGER NOT NULL,
  native_id TEXT,
  raw TEXT NOT NULL                 -- JSON object of the original row, header -> raw text
);
CREATE INDEX ix_device_sources_device ON device_sources(device_id);

CREATE TABLE keys(
  id INTEGER PRIMARY KEY,
  device_id INTEGER REFERENCES devices(id),
  key_id TEXT NOT NULL,             -- GUID, lower case, no braces
  host_hint TEXT,                   -- hostname / DN / Entra device id as the file gave it
  secret BLOB NOT NULL,             -- AES-GCM(iv || ciphertext) of the recovery password; never plaintext
  fingerprint TEXT NOT NULL,        -- HMAC of the password under the workspace key, for de-duplication
  valid INTEGER NOT NULL,
  problem TEXT,                     -- why an invalid key is invalid (never "corrected")
  volume_type TEXT,
  created_at INTEGER,
  import_id INTEGER REFERENCES imports(id),
  line INTEGER,
  UNIQUE(key_id, fingerprint)
);
CREATE INDEX ix_keys_device ON keys(device_id);
CREATE INDEX ix_keys_key_id ON keys(key_id);

CREATE TABLE events(
  id INTEGER PRIMARY KEY,
  device_id INTEGER REFERENCES devices(id),
  host_key TEXT,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL,               -- received | installed | crashed | rebooted | recovered | failed | rolled_back | fixed | offered | paused
  ring TEXT,
  source TEXT NOT NULL,
  package TEXT,
  version TEXT,
  detail TEXT,
  import_id INTEGER REFERENCES imports(id)
);
CREATE INDEX ix_events_device_ts ON events(device_id, ts);

CREATE TABLE results(
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  result TEXT NOT NULL,             -- fixed | failed | needs_reimage | not_found | deferred | in_progress
  method TEXT,
  at INTEGER NOT NULL,
  technician TEXT,
  key_id_used TEXT,
  notes TEXT,
  origin TEXT NOT NULL,             -- 'console' or a field pack id
  record_hash TEXT NOT NULL UNIQUE  -- identical records from two files count once
);
CREATE INDEX ix_results_device ON results(device_id, at);

CREATE TABLE audit(
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL,             -- JSON; never a secret
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
`,
};
export default migration;
