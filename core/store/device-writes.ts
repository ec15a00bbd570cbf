// What an import writes about devices: device rows inserted and merged, their facts, rings from rollouts, review items.
import type { Db } from './db.js';
import { CHUNK_BITS } from './device-text.js';
import { DirectStatement, type InsertValue } from './fast-insert.js';
import { RowInserts } from './row-inserts.js';

/** A SQL string literal (for per-file constants written into a prepared statement). */
const sqlText = (v: string) => `'${v.replace(/'/g, "''")}'`;

export function countDevices(db: Db): number {
  return db.value<number>('SELECT COUNT(*) FROM devices') ?? 0;
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

/**
 * The MERGE_COLS whose values a merge reads (identity, the seen span, tags); fetchRow gives only whether each other
 * one is set.
 */
export const READ_VALUES = [
  'falcon_aid',
  'entra_id',
  'intune_id',
  'serial',
  'first_seen',
  'last_seen',
  'tags',
] as const;

/** Index of serial in MERGE_COLS: writing it writes serial_key too. */
const SERIAL = MERGE_COLS.indexOf('serial');

/**
 * The triggers that mark a device's search chunk (id >> CHUNK_BITS) dirty when it is inserted or when one of
 * TEXT_COLUMNS is updated (migration 30), and those columns as device_text_update names them.
 */
export const TEXT_TRIGGERS = ['device_text_insert', 'device_text_update'] as const;
export const TEXT_COLUMNS = ['id', 'hostname', 'serial', 'falcon_aid', 'entra_id', 'intune_id', 'user'] as const;
/** The MERGE_COLS (by bit, as updateCols signs them) whose update fires device_text_update. */
const TEXT_SIG = MERGE_COLS.reduce(
  (sig, c, i) => ((TEXT_COLUMNS as readonly string[]).includes(c) ? sig | (1 << i) : sig),
  0,
);

/**
 * The search-index triggers dropped while a fleet file writes devices, and put back (with the chunk marks they
 * would have made) when it is done. With a trigger on the table, every device INSERT or UPDATE of those columns is a
 * multi-statement write that SQLite guards with a statement journal: inside a file's savepoint over existing
 * devices, that journal is a temp file, and every row wrote its pages to it (about a quarter of an Intune file's
 * merge time). A rollback of the file's savepoint puts the triggers back as well.
 */
export class PausedTextTriggers {
  private readonly defs: string[];

  constructor(private readonly db: Db) {
    this.defs = db
      .all<{ name: string; sql: string }>(
        `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (${TEXT_TRIGGERS.map(() => '?').join(',')})
         ORDER BY name`,
        [...TEXT_TRIGGERS],
      )
      .map((r) => {
        db.run(`DROP TRIGGER "${r.name}"`);
        return r.sql;
      });
  }

  /** Marks the chunks the triggers would have marked (DeviceWrites.takeTextDirty) and puts the triggers back. */
  resume(chunks: Iterable<number>): void {
    const list = [...chunks];
    if (list.length)
      this.db.run('INSERT OR IGNORE INTO device_text_dirty(chunk) SELECT value FROM json_each(?)', [
        JSON.stringify(list),
      ]);
    for (const sql of this.defs) this.db.run(sql);
    this.defs.length = 0;
  }
}

/** Prepared device inserts, reads and merges for one import (statements made on first use, freed together). */
export class DeviceWrites {
  /** Device inserts, many rows to a statement while deferring (see deferInserts). */
  private insert: RowInserts | null = null;
  /** Inserts wait for a full statement's rows (or a read) instead of being written one statement each. */
  private deferring = false;
  private current: DirectStatement | null = null;
  /** UPDATE statements by the set of columns they write (a bit per MERGE_COLS index). */
  private readonly updates = new Map<number, DirectStatement>();
  /** Linking a reimaged machine's records, and reading a record's host key: once per stale record, so prepared once. */
  private supersede: DirectStatement | null = null;
  private superseded: DirectStatement | null = null;
  private hostKey: DirectStatement | null = null;
  /** One id's parameter list, reused for each read. */
  private readonly idParam: DeviceValue[] = [0];
  /**
   * The search chunks of the devices inserted, or updated in TEXT_COLUMNS, since the last takeTextDirty: what the
   * search-index triggers mark, for when they are paused (PausedTextTriggers).
   */
  private textDirty = new Set<number>();

  /** serialKey: identity's serial rule (usableSerial), kept in devices.serial_key beside every serial written. */
  constructor(
    private readonly db: Db,
    private readonly serialKey: (s: string | null) => string | null,
  ) {}

  /**
   * Inserts a device row with its id given: [id, hostname, host_key, …, model] in the statement's column order.
   * `key`: the serial's serial_key when the caller has it already (else it is worked out from the serial).
   */
  insertRow(values: DeviceValue[], key?: string | null): void {
    this.insert ??= new RowInserts(
      this.db,
      `INSERT INTO devices(id, hostname, host_key, falcon_aid, entra_id, intune_id, serial, site, ring, ring_source,
         platform, os_version, device_type, agent_version, first_seen, last_seen, tags, user, model, serial_key)`,
      '(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
      20,
    );
    values.push(key !== undefined ? key : this.serialKey(values[6] as string | null));
    this.insert.add(values);
    if (!this.deferring) this.insert.flush();
    this.textDirty.add((values[0] as number) >> CHUNK_BITS);
  }

  /**
   * From now on device inserts wait until a statement's worth of rows is in hand, or until anything here reads or
   * updates the devices table: a bulk load's new devices go in many rows to a statement (one statement start, one
   * cursor open per 256 devices instead of per device). Ids are given, so they are what one insert per row gives.
   * The caller writes the waiting rows (flushInserts) before anything else reads the table.
   */
  deferInserts(): void {
    this.deferring = true;
  }

  /** Writes the device inserts still waiting (see deferInserts). */
  flushInserts(): void {
    this.insert?.flush();
  }

  /** The chunks marked since the last call (see textDirty), and a fresh start. */
  takeTextDirty(): Set<number> {
    const out = this.textDirty;
    this.textDirty = new Set();
    return out;
  }

  /**
   * The device's MERGE_COLS as a merge needs them: the value of each of READ_VALUES, and for every other column 1 when
   * it holds a value and null when it does not (the merge only fills those in, and a value decoded into a string only
   * to be compared with null cost a merge's read most of its JavaScript). No such device: an empty array.
   */
  fetchRow(id: number): DeviceValue[] {
    this.flushInserts();
    this.current ??= new DirectStatement(
      this.db,
      `SELECT ${MERGE_COLS.map((c) => ((READ_VALUES as readonly string[]).includes(c) ? c : `nullif(${c} IS NOT NULL, 0)`)).join(', ')}
       FROM devices WHERE id = ?`,
      1,
    );
    this.idParam[0] = id;
    const r = this.current.row(this.idParam);
    // No such device: what sql.js's get() gave past the last row.
    return (r as DeviceValue[] | null) ?? [];
  }

  /**
   * Writes only the changed MERGE_COLS (by index): every column in SET costs its indexes an update. `key`: the new
   * serial's serial_key when the caller has it already.
   */
  updateCols(id: number, changed: number[], next: DeviceValue[], key?: string | null): void {
    this.flushInserts();
    let sig = 0;
    for (const i of changed) sig |= 1 << i;
    const serial = (sig & (1 << SERIAL)) !== 0;
    let st = this.updates.get(sig);
    if (!st) {
      st = new DirectStatement(
        this.db,
        `UPDATE devices SET ${changed.map((i) => `${MERGE_COLS[i]} = ?`).join(', ')}${serial ? ', serial_key = ?' : ''} WHERE id = ?`,
        changed.length + (serial ? 2 : 1),
      );
      this.updates.set(sig, st);
    }
    const params: DeviceValue[] = changed.map((i) => next[i]!);
    if (serial) params.push(key !== undefined ? key : this.serialKey(next[SERIAL] as string | null));
    params.push(id);
    st.run(params);
    if (sig & TEXT_SIG) this.textDirty.add(id >> CHUNK_BITS);
  }

  /** A new record replaces an old one (and whatever the old one had replaced). */
  supersedeBy(newId: number, oldId: number): void {
    this.flushInserts();
    this.supersede ??= new DirectStatement(
      this.db,
      'UPDATE devices SET superseded_by = ? WHERE id = ? OR superseded_by = ?',
      3,
    );
    this.supersede.run([newId, oldId, oldId]);
  }

  /** A new record is a stale duplicate of a current one. */
  markSuperseded(id: number, by: number): void {
    this.flushInserts();
    this.superseded ??= new DirectStatement(this.db, 'UPDATE devices SET superseded_by = ? WHERE id = ?', 2);
    this.superseded.run([by, id]);
  }

  /** A device's host key, or undefined. */
  hostKeyOf(id: number): string | undefined {
    this.flushInserts();
    this.hostKey ??= new DirectStatement(this.db, 'SELECT host_key FROM devices WHERE id = ?', 1);
    this.idParam[0] = id;
    const v = this.hostKey.row(this.idParam)?.[0];
    return typeof v === 'string' ? v : undefined;
  }

  free(): void {
    for (const st of [this.insert, this.current, this.supersede, this.superseded, this.hostKey]) st?.free();
    for (const st of this.updates.values()) st.free();
    this.updates.clear();
    this.insert = this.current = this.supersede = this.superseded = this.hostKey = null;
  }
}

/** A source row's bound values: device, line, native id, and the seven fact_* columns. */
const SOURCE_WIDTH = 10;

/** One fleet row's writes besides the device itself: its source row, review item and facts (see FleetStage). */
export interface StagedRow {
  deviceId: number;
  line: number;
  nativeId: string | null;
  /** A name-only join for the user to confirm, or null. */
  review: string | null;
  lastSeen: number | null;
  /** The time of the version and ring facts (the row's check-in, else the file's "as of" time), and whether it is the latter. */
  at: number | null;
  asOf: 0 | 1;
  sensor: string | null;
  os: string | null;
  ring: string | null;
  ringType: string | null;
}

/**
 * A fleet batch's source rows (with their facts' values) and review items, held here and written at the end of the
 * batch, after its new devices (which they refer to): the source rows many to a statement, in the order added (so
 * with the ids a row-by-row write gives), then each review item. A row's facts (check-in, versions, ring) are its
 * source row's fact_* columns, read in place through the source_facts view (migration 40): written with the row,
 * nothing more. (The rows once went through a temp table and two INSERT … SELECTs, which the facts' own inserts
 * needed; since the facts are in place that was each row written twice.)
 */
export class FleetStage {
  /** The source rows' insert, the import, format and empty raw text written into its tuple. */
  private readonly sources: RowInserts;
  /** The batch's source rows' values, SOURCE_WIDTH a row, until flush. */
  private readonly held: InsertValue[] = [];
  /** One row's values, reused. */
  private readonly row: InsertValue[] = new Array<InsertValue>(SOURCE_WIDTH).fill(null);
  /** The batch's review items: [row number in the batch (from 0), device, line, reason], four a row. */
  private readonly reviews: (string | number)[] = [];
  private review: DirectStatement | null = null;
  private n = 0;

  constructor(
    private readonly db: Db,
    private readonly importId: number,
    format: string,
    lastSeenField: string,
  ) {
    const imp = Number(importId);
    // The check-in fact's value: the file's last-seen column, one per import.
    db.run('UPDATE imports SET seen_field = ? WHERE id = ?', [lastSeenField, imp]);
    this.sources = new RowInserts(
      db,
      `INSERT INTO device_sources(device_id, import_id, source, line, native_id, raw, fact_seen, fact_at, fact_as_of,
         fact_sensor, fact_os, fact_ring, fact_ring_type)`,
      `(?,${imp},${sqlText(format)},?,?,'',?,?,?,?,?,?,?)`,
      SOURCE_WIDTH,
    );
  }

  add(r: StagedRow): void {
    if (r.review !== null) this.reviews.push(this.n, r.deviceId, r.line, r.review);
    this.n++;
    const h = this.held;
    // fact_at is the time of the version and ring facts: kept only when the row makes one, so MAX(fact_at) is their
    // latest time.
    h.push(
      r.deviceId,
      r.line,
      r.nativeId,
      r.lastSeen,
      r.sensor !== null || r.os !== null || r.ring !== null ? r.at : null,
      r.asOf,
      r.sensor,
      r.os,
      r.ring,
      r.ringType,
    );
  }

  /** Writes the held rows to device_sources (with their facts' values) and identity_review, and starts again. */
  flush(): void {
    if (this.n === 0) return;
    // The batch's source rows take the ids after the previous largest, in the order added: source id = base + 1 + n.
    const base = this.db.value<number>('SELECT COALESCE(MAX(id), 0) FROM device_sources') ?? 0;
    const h = this.held;
    const v = this.row;
    for (let at = 0; at < h.length; at += SOURCE_WIDTH) {
      for (let i = 0; i < SOURCE_WIDTH; i++) v[i] = h[at + i]!;
      this.sources.add(v);
    }
    this.sources.flush();
    const rv = this.reviews;
    if (rv.length) {
      const imp = Number(this.importId);
      this.review ??= new DirectStatement(
        this.db,
        `INSERT INTO identity_review(device_id, source_id, import_id, line, reason)
         SELECT ?, d.id, ${imp}, d.line, ? FROM device_sources d WHERE d.id = ? AND d.line = ? AND d.import_id = ${imp}`,
        4,
      );
      let written = 0;
      for (let i = 0; i < rv.length; i += 4) {
        this.review.run([rv[i + 1]!, rv[i + 3]!, base + 1 + (rv[i] as number), rv[i + 2]!]);
        written += this.review.changes();
      }
      if (written !== rv.length / 4)
        throw new Error(`identity review: ${written} of ${rv.length / 4} items found their source row`);
    }
    h.length = 0;
    rv.length = 0;
    this.n = 0;
  }

  free(): void {
    this.sources.free();
    this.review?.free();
    this.review = null;
  }
}

/**
 * Rings a rollout file sets on devices: Autopatch's ring is the update ring itself and wins; a ConfigMgr phase
 * collection fills a missing ring.
 */
export class RingUpdates {
  private st: DirectStatement | null = null;
  constructor(
    private readonly db: Db,
    private readonly source: 'autopatch' | 'configmgr',
  ) {}
  set(deviceId: number, ring: string | null): void {
    this.st ??= new DirectStatement(
      this.db,
      this.source === 'autopatch'
        ? `UPDATE devices SET ring = ?, ring_source = 'autopatch' WHERE id = ? AND (ring IS NULL OR ring_source <> 'autopatch')`
        : `UPDATE devices SET ring = ?, ring_source = 'configmgr collection' WHERE id = ? AND ring IS NULL`,
      2,
    );
    this.st.run([ring, deviceId]);
  }
  free(): void {
    this.st?.free();
  }
}
