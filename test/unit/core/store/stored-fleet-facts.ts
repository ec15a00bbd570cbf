// The workspace image as migration 39 left it, by hand from a current one: the fleet facts stored rows again.
import type { Workspace } from '../../../../core/workspace.js';

const COLS = 'device_id, class, type, value, ts, as_of, import_id, line, source, event_id, result_id, derived';

/**
 * The workspace as migration 39 left it, by hand: every fleet fact a stored row again (written after the stored facts
 * there are, in id order: each source row's check-in, sensor, OS and ring), the devices decided by one naming its
 * copy, no fact columns on the source rows, and the facts view over the stored facts and the events alone.
 */
export function storedFleetFacts(ws: Workspace): void {
  const db = ws.db;
  const base = db.value<number>('SELECT COALESCE(MAX(id), 0) FROM stored_facts')!;
  db.run(`CREATE TEMP TABLE _old AS SELECT id AS fid, ${COLS} FROM source_facts ORDER BY id`);
  db.run(`INSERT INTO stored_facts(id, ${COLS}) SELECT ${base} + rowid, ${COLS} FROM temp._old ORDER BY rowid`);
  db.run(`UPDATE devices SET decided_by = (SELECT ${base} + rowid FROM temp._old WHERE fid = devices.decided_by)
    WHERE decided_by IN (SELECT fid FROM temp._old)`);
  db.run('DROP TABLE temp._old');
  db.run('DROP VIEW facts');
  db.run('DROP VIEW source_facts');
  db.run(`CREATE VIEW facts AS SELECT id, ${COLS} FROM stored_facts UNION ALL SELECT id, ${COLS} FROM event_facts`);
  for (const c of ['seen', 'at', 'as_of', 'sensor', 'os', 'ring', 'ring_type'])
    db.run(`ALTER TABLE device_sources DROP COLUMN fact_${c}`);
  db.run('ALTER TABLE imports DROP COLUMN seen_field');
  db.run('DROP TABLE fact_kinds');
  db.run('DELETE FROM schema_migrations WHERE version = 40');
}
