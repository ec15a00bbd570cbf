// Named queries for the change log: the before-picture of device states, what moved since, and the log itself.
import type { DeviceState } from '../contract/analysis.js';
import type { Db } from './db.js';

/** Keeps every current device's state (temp table) so changedStates can compare after the change. */
export function snapshotStates(db: Db): void {
  db.run('DROP TABLE IF EXISTS temp._pre_states');
  db.run('CREATE TEMP TABLE _pre_states AS SELECT id, state FROM devices WHERE superseded_by IS NULL');
}

export function dropSnapshot(db: Db): void {
  db.run('DROP TABLE IF EXISTS temp._pre_states');
}

/** Current devices that are new or in another state than at the snapshot, per new state. */
export function changedStates(db: Db): Array<{ state: DeviceState; n: number }> {
  return db.all<{ state: DeviceState; n: number }>(
    `SELECT d.state, COUNT(*) AS n FROM devices d LEFT JOIN temp._pre_states p ON p.id = d.id
     WHERE d.superseded_by IS NULL AND (p.id IS NULL OR p.state IS NOT d.state) GROUP BY d.state`,
  );
}

export function add(db: Db, e: { at: number; actor: string; kind: string; label: string; body: string }): void {
  db.run('INSERT INTO change_log(at, actor, kind, label, body) VALUES (?,?,?,?,?)', [
    e.at,
    e.actor,
    e.kind,
    e.label,
    e.body,
  ]);
}

/** The newest entries first. */
export function latest(db: Db, limit: number) {
  return db.all<{ id: number; at: number; actor: string; kind: string; label: string; body: string }>(
    'SELECT id, at, actor, kind, label, body FROM change_log ORDER BY id DESC LIMIT ?',
    [limit],
  );
}
