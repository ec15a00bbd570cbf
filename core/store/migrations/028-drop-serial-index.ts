// Migration 28: without ix_devices_serial (issue 14): no query reads devices by the serial as written, only by serial_key.
import type { Migration } from '../migrate.js';

// Identity looks machines up by serial_key (migration 26, through ix_devices_serial_key); search reads the serial
// through the device text index. The index on the raw serial was built again after every bulk device load (a tenth
// of that step) and kept up on every other device write, for no reader.
const migration: Migration = {
  version: 28,
  name: 'drop-serial-index',
  sql: `DROP INDEX IF EXISTS ix_devices_serial;`,
};
export default migration;
