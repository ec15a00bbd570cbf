// The ordered list of schema migrations. Append only: never edit one that has shipped.
import type { Migration } from '../migrate.js';
import m001 from './001-base.js';
import m002 from './002-ingest.js';
import m003 from './003-analysis.js';
import m004 from './004-remediation.js';
import m005 from './005-field.js';
import m006 from './006-replay.js';
import m008 from './008-replay-perf.js';
import m009 from './009-raw-chunks.js';
import m010 from './010-keys-index.js';
import m017 from './017-audit-keyed.js';
import m019 from './019-pack-revocation.js';
import m020 from './020-facts.js';
import m022 from './022-war-room.js';
import m023 from './023-key-chunks.js';
import m024 from './024-device-text.js';
import m025 from './025-facts-lean.js';
import m026 from './026-serial-key.js';
import m027 from './027-key-chunks-v3.js';
import m028 from './028-drop-serial-index.js';
import m030 from './030-device-text-order.js';
import m031 from './031-device-text-end-grams.js';
import m034 from './034-site-index.js';
import m035 from './035-facts-in-place.js';
import m039 from './039-keys-unique-index.js';
import m040 from './040-fleet-facts-in-place.js';
import m041 from './041-site-hostname-index.js';

export const migrations: Migration[] = [
  m001,
  m002,
  m003,
  m004,
  m005,
  m006,
  m008,
  m009,
  m010,
  m017,
  m019,
  m020,
  m022,
  m023,
  m024,
  m025,
  m026,
  m027,
  m028,
  m030,
  m031,
  m034,
  m035,
  m039,
  m040,
  m041,
];
