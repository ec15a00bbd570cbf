// Named queries for one device's page: its records' sources, its columns and decision, its stale records, and the
// events, field results and key IDs read with it (never the recovery passwords).
import type { Db } from './db.js';

/** Where each of a device's records came from: source, file, line, native id and the stored raw row. */
export function sourceRows(db: Db, id: number) {
  return db.all<{
    source: string;
    file: string | null;
    line: number;
    native_id: string | null;
    raw: string;
    import_id: number;
  }>(
    `SELECT s.source, i.file_name AS file, s.line, s.native_id, s.raw, s.import_id FROM device_sources s
       LEFT JOIN imports i ON i.id = s.import_id WHERE s.device_id = ? ORDER BY s.id`,
    [id],
  );
}

/** Every column of one device, with its effective ring. */
export function record(db: Db, id: number): Record<string, unknown> | undefined {
  return db.get<Record<string, unknown>>(
    `SELECT id, hostname, host_key, falcon_aid, entra_id, intune_id, serial, site, ring, ring_override,
      COALESCE(ring_override, ring) AS effective_ring, ring_source, platform, os_version, device_type, agent_version,
      first_seen, last_seen, tags, user, model, superseded_by, state, state_rule, exposed, crashed_at, recovered_at, fixed_at,
      certainty, decided_by
     FROM devices WHERE id = ?`,
    [id],
  );
}

/** A device's state, how sure, the rule in words and the fact that decided it. */
export function decision(db: Db, id: number) {
  return db.get<{ state: string; certainty: string; rule: string; decided: number | null }>(
    'SELECT state, certainty, state_rule AS rule, decided_by AS decided FROM devices WHERE id = ?',
    [id],
  );
}

/** The stale records a device superseded (the same machine before a reimage). */
export function staleRecords(db: Db, id: number) {
  return db.all<{ id: number; hostname: string; falcon_aid: string | null; last_seen: number | null }>(
    'SELECT id, hostname, falcon_aid, last_seen FROM devices WHERE superseded_by = ? ORDER BY id',
    [id],
  );
}

/** One of a device's events, as the device page lists it. */
export interface EventRow {
  ts: number;
  kind: string;
  source: string;
  package: string | null;
  version: string | null;
  detail: string | null;
}

/** One field result, as the device page lists it. */
export interface ResultRow {
  at: number;
  result: string;
  method: string | null;
  technician: string | null;
  keyIdUsed: string | null;
  notes: string | null;
  origin: string;
}

// A device's events, field results and key IDs are read here with its record: the device page is one read of these.
const idList = (ids: readonly number[]) => `(${ids.join(',')})`;

export function events(db: Db, ids: readonly number[], max: number) {
  return db.all<EventRow>(
    `SELECT ts, kind, source, package, version, detail FROM events WHERE device_id IN ${idList(ids)} ORDER BY ts, id LIMIT ${max}`,
  );
}

export function eventCount(db: Db, ids: readonly number[]): number {
  return db.value<number>(`SELECT COUNT(*) FROM events WHERE device_id IN ${idList(ids)}`) ?? 0;
}

export function results(db: Db, ids: readonly number[]) {
  return db.all<ResultRow>(
    `SELECT at, result, method, technician, key_id_used AS keyIdUsed, notes, origin FROM results
       WHERE device_id IN ${idList(ids)} ORDER BY at, id`,
  );
}

/** Key IDs and their validity only: the recovery passwords never leave the vault here. */
export function keyInfo(db: Db, ids: readonly number[]) {
  return db.all<{
    keyId: string;
    valid: number;
    problem: string | null;
    volumeType: string | null;
    hostHint: string | null;
    createdAt: number | null;
  }>(
    `SELECT key_id AS keyId, valid, problem, volume_type AS volumeType, host_hint AS hostHint, created_at AS createdAt
         FROM keys WHERE device_id IN ${idList(ids)} ORDER BY id`,
  );
}
