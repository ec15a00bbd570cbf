// Named queries for field results: the records merged from technicians' files and the files already merged.
import type { Db } from './db.js';

export function resultFileMerged(db: Db, sha256: string): boolean {
  return db.value('SELECT 1 FROM result_files WHERE sha256 = ?', [sha256]) === 1;
}

export function resultRecorded(db: Db, recordHash: string): boolean {
  return (db.value<number>('SELECT count(*) FROM results WHERE record_hash = ?', [recordHash]) ?? 0) > 0;
}

export interface FieldResultRow {
  id: number;
  deviceId: number;
  result: string;
  method: string | null;
  at: number;
  technician: string | null;
  keyIdUsed: string | null;
  notes: string | null;
  origin: string;
  recordHash: string;
}

export function insertResult(db: Db, r: FieldResultRow): void {
  db.run(
    `INSERT INTO results(id, device_id, result, method, at, technician, key_id_used, notes, origin, record_hash)
     VALUES (?,?,?,?,?,?,?,?,?,?)`,
    [r.id, r.deviceId, r.result, r.method, r.at, r.technician, r.keyIdUsed, r.notes, r.origin, r.recordHash],
  );
}

/** A device's results with its hostname, the one that counts first (latest at, then larger id). */
export function deviceResults(
  db: Db,
  deviceId: number,
): Array<{ result: string; at: number; technician: string | null; hostname: string }> {
  return db.all<{ result: string; at: number; technician: string | null; hostname: string }>(
    `SELECT r.result, r.at, r.technician, d.hostname FROM results r JOIN devices d ON d.id = r.device_id
     WHERE r.device_id = ? ORDER BY r.at DESC, r.id DESC`,
    [deviceId],
  );
}

export function recordResultFile(
  db: Db,
  f: {
    sha256: string;
    packId: string;
    technician: string;
    records: number;
    added: number;
    duplicates: number;
    at: number;
  },
): void {
  db.run(
    `INSERT INTO result_files(sha256, pack_id, technician, records, added, duplicates, merged_at) VALUES (?,?,?,?,?,?,?)
     ON CONFLICT(sha256) DO NOTHING`,
    [f.sha256, f.packId, f.technician, f.records, f.added, f.duplicates, f.at],
  );
}
