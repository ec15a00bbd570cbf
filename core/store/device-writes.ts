// What an import writes about devices: device rows inserted and merged, their facts, rings from rollouts, review items.
import type { Statement } from 'sql.js';
import type { Db } from './db.js';

/** A SQL string literal (for per-file constants written into a prepared statement). */
const sqlText = (v: string) => `'${v.replace(/'/g, "''")}'`;

export function countDevices(db: Db): number {
  return db.value<number>('SELECT COUNT(*) FROM devices') ?? 0;
}

/** [id, host_key, falcon_aid, entra_id, intune_id, serial, superseded_by] */
export type IdentityRow = [number, string, string | null, string | null, string | null, string | null, number | null];

/** Every device's identity columns in id order, one row at a time (a million devices are not held as objects). */
export function eachDeviceIdentity(db: Db, fn: (r: IdentityRow) => void): void {
  const st = db.prepare(
    'SELECT id, host_key, falcon_aid, entra_id, intune_id, serial, superseded_by FROM devices ORDER BY id',
  );
  try {
    while (st.step()) fn(st.get() as IdentityRow);
  } finally {
    st.free();
  }
}

/** The device columns a fleet row can fill in on a device it matched, in the order the merge indexes them. */
export const MERGE_COLS = [
  'falcon_aid',
  'entra_id',
  'intune_id',
  'serial',
  'site',
  'ring',
  'ring_source',
  'platform',
  'os_version',
  'device_type',
  'agent_version',
  'first_seen',
  'last_seen',
  'tags',
  'user',
  'model',
] as const;

export type DeviceValue = string | number | null;

/** Prepared device inserts, reads and merges for one import (statements made on first use, freed together). */
export class DeviceWrites {
  private insert: Statement | null = null;
  private current: Statement | null = null;
  /** UPDATE statements by the set of columns they write. */
  private readonly updates = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  /** Inserts a device row with its id given: [id, hostname, host_key, …, model] in the statement's column order. */
  insertRow(values: DeviceValue[]): void {
    this.insert ??= this.db.prepare(
      `INSERT INTO devices(id, hostname, host_key, falcon_aid, entra_id, intune_id, serial, site, ring, ring_source,
         platform, os_version, device_type, agent_version, first_seen, last_seen, tags, user, model)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.insert.run(values);
  }

  /** The device's current values of MERGE_COLS. */
  fetchRow(id: number): DeviceValue[] {
    this.current ??= this.db.prepare(`SELECT ${MERGE_COLS.join(', ')} FROM devices WHERE id = ?`);
    this.current.bind([id]);
    this.current.step();
    const r = this.current.get() as DeviceValue[];
    this.current.reset();
    return r;
  }

  /** Writes only the changed MERGE_COLS (by index): every column in SET costs its indexes an update. */
  updateCols(id: number, changed: number[], next: DeviceValue[]): void {
    const sig = changed.join(',');
    let st = this.updates.get(sig);
    if (!st) {
      st = this.db.prepare(`UPDATE devices SET ${changed.map((i) => `${MERGE_COLS[i]} = ?`).join(', ')} WHERE id = ?`);
      this.updates.set(sig, st);
    }
    const params = changed.map((i) => next[i]!);
    params.push(id);
    st.run(params);
  }

  /** A new record replaces an old one (and whatever the old one had replaced). */
  supersedeBy(newId: number, oldId: number): void {
    this.db.run('UPDATE devices SET superseded_by = ? WHERE id = ? OR superseded_by = ?', [newId, oldId, oldId]);
  }

  /** A new record is a stale duplicate of a current one. */
  markSuperseded(id: number, by: number): void {
    this.db.run('UPDATE devices SET superseded_by = ? WHERE id = ?', [by, id]);
  }

  free(): void {
    this.insert?.free();
    this.current?.free();
    for (const st of this.updates.values()) st.free();
    this.updates.clear();
    this.insert = this.current = null;
  }
}

/** The facts of one fleet file (its import and format written into the statement). */
export class FactInserts {
  private readonly st: Statement;
  constructor(db: Db, importId: number, format: string) {
    this.st = db.prepare(
      `INSERT INTO facts(device_id, class, type, value, ts, as_of, import_id, line, source)
     VALUES (?, ?, ?, ?, ?, ?, ${Number(importId)}, ?, ${sqlText(format)})`,
    );
  }
  add(
    deviceId: number,
    cls: string,
    type: string,
    value: string | number,
    ts: number | null,
    asOf: number,
    line: number,
  ) {
    this.st.run([deviceId, cls, type, value, ts, asOf, line]);
  }
  free(): void {
    this.st.free();
  }
}

/** Name-only joins listed for the user to confirm: each points at the source row inserted just before it. */
export class ReviewInserts {
  private st: Statement | null = null;
  constructor(private readonly db: Db) {}
  /** Must follow the source row's insert: last_insert_rowid() is that row. */
  add(deviceId: number, importId: number, line: number, reason: string): void {
    this.st ??= this.db.prepare(
      `INSERT INTO identity_review(device_id, source_id, import_id, line, reason) VALUES (?, last_insert_rowid(), ?, ?, ?)`,
    );
    this.st.run([deviceId, importId, line, reason]);
  }
  free(): void {
    this.st?.free();
  }
}

/**
 * Rings a rollout file sets on devices: Autopatch's ring is the update ring itself and wins; a ConfigMgr phase
 * collection fills a missing ring.
 */
export class RingUpdates {
  private st: Statement | null = null;
  constructor(
    private readonly db: Db,
    private readonly source: 'autopatch' | 'configmgr',
  ) {}
  set(deviceId: number, ring: string | null): void {
    this.st ??= this.db.prepare(
      this.source === 'autopatch'
        ? `UPDATE devices SET ring = ?, ring_source = 'autopatch' WHERE id = ? AND (ring IS NULL OR ring_source <> 'autopatch')`
        : `UPDATE devices SET ring = ?, ring_source = 'configmgr collection' WHERE id = ? AND ring IS NULL`,
    );
    this.st.run([ring, deviceId]);
  }
  free(): void {
    this.st?.free();
  }
}
