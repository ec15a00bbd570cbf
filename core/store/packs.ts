// Named queries for field packs: the devices and keys a pack carries, the pack rows, their life and the site counts.
import type { Db } from './db.js';
import { SEALED_KEY_COLUMNS, type SealedKeyRef } from './keys.js';

const PACK_DEVICE_COLS = `id, hostname, serial, model, site, COALESCE(ring_override, ring) AS ring, state, user, tags, platform`;

/** The device columns a pack carries, for the given ids, by hostname. T is the caller's row type. */
export function packDevicesById<T>(db: Db, ids: readonly number[]): T[] {
  return db.all<T>(
    `SELECT ${PACK_DEVICE_COLS} FROM devices WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY hostname`,
    [...ids],
  );
}

/** A site's current devices in the given states, by hostname. */
export function packDevicesBySite<T>(db: Db, site: string, states: readonly string[]): T[] {
  return db.all<T>(
    `SELECT ${PACK_DEVICE_COLS} FROM devices WHERE site = ? AND superseded_by IS NULL
       AND state IN (${states.map(() => '?').join(',')}) ORDER BY hostname`,
    [site, ...states],
  );
}

export interface PackKeyRow extends SealedKeyRef {
  valid: number;
  problem: string | null;
  volume_type: string | null;
  fingerprint: string;
}

/** A device's recovery keys, valid ones first. */
export function deviceKeyRows(db: Db, deviceId: number): PackKeyRow[] {
  return db.all<PackKeyRow>(
    `SELECT ${SEALED_KEY_COLUMNS}, valid, problem, volume_type, fingerprint FROM keys WHERE device_id = ? ORDER BY valid DESC, key_id`,
    [deviceId],
  );
}

/** True once analysis has given any device a state other than 'unknown'. */
export function anyDeviceAnalysed(db: Db): boolean {
  return db.value("SELECT 1 FROM devices WHERE state <> 'unknown' LIMIT 1") === 1;
}

export interface PackInsert {
  id: string;
  site: string | null;
  deviceIds: number[];
  keyIds: string[];
  createdAt: number;
  expiresAt: number;
  technician: string | null;
  createdBy: string;
  sealedMacKey: Uint8Array;
  fileSha256: string;
}

export function insertPack(db: Db, p: PackInsert): void {
  db.run(
    `INSERT INTO packs(id, site, device_ids, key_ids, created_at, expires_at, technician, created_by, mac_key, file_sha256)
     VALUES (?,?,?,?,?,?,?,?,?,?)`,
    [
      p.id,
      p.site,
      JSON.stringify(p.deviceIds),
      JSON.stringify(p.keyIds),
      p.createdAt,
      p.expiresAt,
      p.technician,
      p.createdBy,
      p.sealedMacKey,
      p.fileSha256,
    ],
  );
}

/** The pack's sealed MAC key and its device ids (JSON), or undefined for a pack this workspace did not make. */
export function packMacKey(db: Db, packId: string): { mac_key: Uint8Array; device_ids: string } | undefined {
  return db.get<{ mac_key: Uint8Array; device_ids: string }>('SELECT mac_key, device_ids FROM packs WHERE id = ?', [
    packId,
  ]);
}

export interface PackLifeRow {
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_by: string | null;
  revoked_reason: string | null;
}

export function packLifeRow(db: Db, packId: string): PackLifeRow | undefined {
  return db.get<PackLifeRow>(
    'SELECT created_at, expires_at, revoked_at, revoked_by, revoked_reason FROM packs WHERE id = ?',
    [packId],
  );
}

export function revokePackRow(db: Db, packId: string, at: number, by: string, reason: string): void {
  db.run('UPDATE packs SET revoked_at = ?, revoked_by = ?, revoked_reason = ? WHERE id = ?', [at, by, reason, packId]);
}

export interface PackListRow {
  id: string;
  site: string | null;
  device_ids: string;
  key_ids: string;
  created_at: number;
  expires_at: number;
  technician: string | null;
  created_by: string;
  files: number;
  results: number;
}

/** Every pack, newest first, with how many result files and results came back for it. */
export function packRows(db: Db): PackListRow[] {
  return db.all<PackListRow>(
    `SELECT p.*, (SELECT count(*) FROM result_files f WHERE f.pack_id = p.id) AS files,
       (SELECT count(*) FROM results r WHERE r.origin = p.id) AS results
     FROM packs p ORDER BY created_at DESC`,
  );
}

/** Sites with how many of their current devices are in `states` (what a site pack would carry) and how many are fixed. */
export function packSiteCounts(
  db: Db,
  states: readonly string[],
): Array<{ site: string; devices: number; fixed: number }> {
  return db.all<{ site: string; devices: number; fixed: number }>(
    `SELECT site, SUM(state IN (${states.map(() => '?').join(',')})) AS devices, SUM(state = 'fixed') AS fixed
     FROM devices WHERE site IS NOT NULL AND site <> '' AND superseded_by IS NULL GROUP BY site ORDER BY site`,
    [...states],
  );
}
