// The identity review list (identity_review): name-only joins the user confirms or splits apart.
import type { Db } from './db.js';

export interface ReviewRow {
  id: number;
  device_id: number;
  hostname: string;
  reason: string;
  import_id: number | null;
  file_name: string | null;
  line: number | null;
  source: string | null;
  raw: string | null;
  src_import: number | null;
  src_line: number | null;
}

export function openReviewRows(db: Db, limit: number): ReviewRow[] {
  return db.all<ReviewRow>(
    `SELECT r.id, r.device_id, d.hostname, r.reason, r.import_id, i.file_name, r.line, s.source, s.raw,
              s.import_id AS src_import, s.line AS src_line
         FROM identity_review r JOIN devices d ON d.id = r.device_id
         LEFT JOIN imports i ON i.id = r.import_id LEFT JOIN device_sources s ON s.id = r.source_id
        WHERE r.status = 'open' ORDER BY r.id LIMIT ?`,
    [limit],
  );
}

export function reviewItem(
  db: Db,
  id: number,
): { device_id: number; source_id: number | null; status: string } | undefined {
  return db.get<{ device_id: number; source_id: number | null; status: string }>(
    'SELECT device_id, source_id, status FROM identity_review WHERE id = ?',
    [id],
  );
}

export function closeReviewItem(db: Db, id: number, status: 'split' | 'confirmed', at: number): void {
  db.run(`UPDATE identity_review SET status = ?, resolved_at = ? WHERE id = ?`, [status, at, id]);
}

/** The device a split row leaves: its name, which the new record keeps. */
export function deviceName(db: Db, id: number): { hostname: string; host_key: string } | undefined {
  return db.get<{ hostname: string; host_key: string }>('SELECT hostname, host_key FROM devices WHERE id = ?', [id]);
}

export type StableIdColumn = 'falcon_aid' | 'entra_id' | 'intune_id';

/** Takes a stable ID off a device, when the device holds that value. */
export function clearStableId(db: Db, deviceId: number, col: StableIdColumn, value: string): void {
  db.run(`UPDATE devices SET ${col} = NULL WHERE id = ? AND ${col} = ?`, [deviceId, value]);
}

/** The record split off for a row: the same name, the stable IDs the row brought. Its id. */
export function insertSplitDevice(
  db: Db,
  d: {
    hostname: string;
    host_key: string;
    falcon_aid: string | null;
    entra_id: string | null;
    intune_id: string | null;
  },
): number {
  db.run('INSERT INTO devices(hostname, host_key, falcon_aid, entra_id, intune_id) VALUES (?,?,?,?,?)', [
    d.hostname,
    d.host_key,
    d.falcon_aid,
    d.entra_id,
    d.intune_id,
  ]);
  return db.value<number>('SELECT last_insert_rowid()')!;
}
