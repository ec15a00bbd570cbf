// Named queries for the key rotation list: every recovery key that left the vault (packed, revealed), to rotate after.
import type { Db } from './db.js';

export type RotationReason = 'packed' | 'revealed' | 'revealed_in_field';

/** Adds a key once per reason and reference; the hostname is the one given, or the device's when omitted. */
export function addToRotation(
  db: Db,
  r: {
    keyId: string;
    deviceId: number | null;
    hostname?: string | null;
    reason: RotationReason;
    ref: string;
    at: number;
    actor: string;
  },
): void {
  if (r.hostname !== undefined)
    db.run(
      `INSERT INTO key_rotation(key_id, device_id, hostname, reason, ref, at, actor) VALUES (?,?,?,?,?,?,?)
       ON CONFLICT DO NOTHING`,
      [r.keyId, r.deviceId, r.hostname, r.reason, r.ref, r.at, r.actor],
    );
  else
    db.run(
      `INSERT INTO key_rotation(key_id, device_id, hostname, reason, ref, at, actor)
       VALUES (?, ?, (SELECT hostname FROM devices WHERE id = ?), ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [r.keyId, r.deviceId, r.deviceId, r.reason, r.ref, r.at, r.actor],
    );
}

/** The key IDs a pack carried, per device (its 'packed' rows). */
export function packedKeyRows(db: Db, packId: string): Array<{ key_id: string; device_id: number }> {
  return db.all<{ key_id: string; device_id: number }>(
    "SELECT key_id, device_id FROM key_rotation WHERE reason = 'packed' AND ref = ?",
    [packId],
  );
}

/** The packed key's own spelling of an ID (compared case-insensitively), so the list never holds a variant. */
export function packedKeySpelling(db: Db, packId: string, deviceId: number, keyId: string): string | undefined {
  return db.value<string>(
    "SELECT key_id FROM key_rotation WHERE reason = 'packed' AND ref = ? AND device_id = ? AND upper(key_id) = ?",
    [packId, deviceId, keyId.toUpperCase()],
  );
}

export interface RotationRow {
  keyId: string;
  deviceId: number | null;
  hostname: string | null;
  reasons: string;
  firstAt: number;
  refs: string;
}

/** One row per key: every reason and reference, first exposure first. */
export function rotationRows(db: Db): RotationRow[] {
  return db.all<RotationRow>(
    `SELECT key_id AS keyId, MIN(device_id) AS deviceId, MIN(hostname) AS hostname,
       group_concat(DISTINCT reason) AS reasons, MIN(at) AS firstAt, group_concat(DISTINCT ref) AS refs
     FROM key_rotation GROUP BY key_id ORDER BY firstAt, key_id`,
  );
}
