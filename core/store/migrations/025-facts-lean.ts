// Migration 25: the facts table without its import index (issue 14): a tenth of the facts' bytes, updated on every fact.
import type { Migration } from '../migrate.js';

// No query needs facts by import: the one that names an import (moving a review item's facts) also names the device,
// and ix_facts_device finds those few rows where this index listed every fact of the import. Imports are never
// deleted, so the foreign key never looks facts up by import either.
const migration: Migration = {
  version: 25,
  name: 'facts-lean',
  sql: `DROP INDEX IF EXISTS ix_facts_import;`,
};
export default migration;
