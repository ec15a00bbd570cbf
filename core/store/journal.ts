// Named queries behind the journal: what each journalled user action writes, and the seq the image already holds.
import type { DeviceResult } from '../contract/actions.js';
import type { Db } from './db.js';

/** Meta key holding the last journal seq whose action is inside this database image. */
export const JOURNAL_SEQ_KEY = 'journal_seq';

export function appliedSeq(db: Db): number {
  return Number(db.value<string>('SELECT value FROM meta WHERE key = ?', [JOURNAL_SEQ_KEY]) ?? 0);
}

export function setAppliedSeq(db: Db, seq: number): void {
  db.run('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [
    JOURNAL_SEQ_KEY,
    String(seq),
  ]);
}

export interface ConsoleResult {
  deviceId: number;
  result: DeviceResult;
  method: string | null;
  at: number;
  technician: string | null;
  keyIdUsed: string | null;
  notes: string | null;
}

/** A result recorded at the console; a replayed duplicate (same record hash) is ignored. */
export function insertConsoleResult(db: Db, r: ConsoleResult, recordHash: string): void {
  db.run(
    `INSERT INTO results(id, device_id, result, method, at, technician, key_id_used, notes, origin, record_hash)
     VALUES (?,?,?,?,?,?,?,?,'console',?) ON CONFLICT(record_hash) DO NOTHING`,
    [
      // The id is the hash's first 52 bits, so "latest at, then id" orders ties the same way on every replica.
      parseInt(recordHash.slice(0, 13), 16),
      r.deviceId,
      r.result,
      r.method,
      r.at,
      r.technician,
      r.keyIdUsed,
      r.notes,
      recordHash,
    ],
  );
}

export function setRingOverride(db: Db, deviceId: number, ring: string | null): void {
  db.run('UPDATE devices SET ring_override = ? WHERE id = ?', [ring, deviceId]);
}
