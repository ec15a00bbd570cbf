// Migration 26: devices.serial_key, the serial as identity matches it (usableSerial), indexed for SQL identity lookups.
import type { Migration } from '../migrate.js';

// devices.serial keeps the value as the export wrote it (shown to people, searched); identity matches the trimmed,
// upper-cased serial and ignores placeholders. The key is that value, so a lookup by serial is an index probe instead
// of a map of every device loaded into memory. usable_serial() is core/ingest/identity.ts's usableSerial, registered
// on every connection before the migrations run (db.ts): the backfill applies exactly the rule the import applies.
// Only live (not superseded) devices identify a machine by serial: the partial index holds just those.
const migration: Migration = {
  version: 26,
  name: 'serial-key',
  sql: `ALTER TABLE devices ADD COLUMN serial_key TEXT;
UPDATE devices SET serial_key = usable_serial(serial) WHERE serial IS NOT NULL;
CREATE INDEX ix_devices_serial_key ON devices(serial_key, id) WHERE serial_key IS NOT NULL AND superseded_by IS NULL;`,
};
export default migration;
