// What an import writes to the event log: rollout and crash events, and events linked once their device is known.
import type { Db } from './db.js';
import { RowInserts } from './row-inserts.js';

export type EventValue = string | number | null;

/**
 * The events insert of one file (its import written into the statement), many rows a statement: call flush() once
 * the file's rows are added, before anything reads the events.
 */
export class EventInserts {
  private readonly st: RowInserts;
  constructor(db: Db, importId: number) {
    this.st = new RowInserts(
      db,
      'INSERT INTO events(device_id, host_key, ts, kind, ring, source, package, version, detail, line, as_of, import_id)',
      `(?,?,?,?,?,?,?,?,?,?,?,${Number(importId)})`,
      11,
    );
  }
  /** [device_id, host_key, ts, kind, ring, source, package, version, detail, line, as_of] */
  add(params: EventValue[]): void {
    this.st.add(params);
  }
  flush(): void {
    this.st.flush();
  }
  free(): void {
    this.st.free();
  }
}

/** Attaches events imported before their device was known, by host key. */
export function linkOrphanEvents(db: Db): number {
  db.run(
    `UPDATE events SET device_id = (SELECT d.id FROM devices d WHERE d.host_key = events.host_key AND d.superseded_by IS NULL)
      WHERE device_id IS NULL AND host_key IS NOT NULL AND EXISTS (SELECT 1 FROM devices d
        WHERE d.host_key = events.host_key AND d.superseded_by IS NULL)`,
  );
  return db.value<number>('SELECT changes()') ?? 0;
}

/**
 * Whether any event waits for its device (no device, a host key to find it by): linking needs the host key index
 * only then. One row is enough; through ix_events_device_ts when it stands, else a scan that stops at the first.
 */
export function orphanEventsExist(db: Db): boolean {
  return (
    db.value<number>('SELECT EXISTS (SELECT 1 FROM events WHERE device_id IS NULL AND host_key IS NOT NULL)') === 1
  );
}

/** The events table's last id (0 for none): MAX of the rowid, one step down the table's B-tree. */
export function lastEventId(db: Db): number {
  return db.value<number>('SELECT COALESCE(MAX(id), 0) FROM events') ?? 0;
}
