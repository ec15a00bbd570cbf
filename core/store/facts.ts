// Named queries for the facts table: the set-based sync from events and field results, one device's chain, and
// the data time's sources.
import type { Db } from './db.js';
import { stopwatch } from '../shared/stopwatch.js';
import * as metaTable from './meta.js';
import { dropIndex, indexesOf, restoreIndex } from './staging.js';

/** OS update reports: an install there says the device was online, nothing about whether the bad content arrived. */
const OS_UPDATE_SOURCES = "('autopatch', 'wufb', 'configmgr')";
const UNCLEAN = "(detail LIKE 'unclean restart%' OR detail LIKE 'unexpected shutdown%')";
const REIMAGE = "lower(COALESCE(detail, '')) LIKE '%reimage%'";
/** The event kinds that always make a fact; a 'failed' row makes one only when it names a reimage (REIMAGE). */
const FACT_KINDS = "('received', 'installed', 'crashed', 'rebooted', 'recovered', 'fixed', 'online')";
// An event's fact class and type. CASE on kind evaluates kind once and stops at the first match, and the WHERE that
// keeps the rows with a class is its own cheap test on kind: per row this is most of the copy's cost (a third less).
const RECEIPT_CLASS = `CASE WHEN source IN ${OS_UPDATE_SOURCES} THEN CASE WHEN as_of THEN 'update' ELSE 'seen' END ELSE 'content' END`;
const RECEIPT_TYPE = `CASE WHEN source IN ${OS_UPDATE_SOURCES} THEN 'update_status' ELSE kind END`;
const CLASS_OF = `CASE kind
    WHEN 'crashed' THEN 'crash'
    WHEN 'installed' THEN ${RECEIPT_CLASS}
    WHEN 'received' THEN ${RECEIPT_CLASS}
    WHEN 'rebooted' THEN 'restart'
    WHEN 'online' THEN 'seen'
    WHEN 'recovered' THEN 'outcome'
    WHEN 'fixed' THEN 'outcome'
    WHEN 'failed' THEN CASE WHEN ${REIMAGE} THEN 'outcome' END
  END`;
const TYPE_OF = `CASE kind
    WHEN 'crashed' THEN CASE WHEN detail LIKE 'BugCheck 0x%' THEN 'bugcheck' ELSE 'crash' END
    WHEN 'rebooted' THEN CASE WHEN ${UNCLEAN} THEN 'unclean' ELSE 'reboot' END
    WHEN 'installed' THEN ${RECEIPT_TYPE}
    WHEN 'received' THEN ${RECEIPT_TYPE}
    WHEN 'failed' THEN 'reimage'
    ELSE kind
  END`;
/** An event that makes a ring fact as well: an update-ring report's row naming the ring. */
const RING_ROW = "ring IS NOT NULL AND ring <> '' AND source IN ('autopatch', 'configmgr')";
/** Below this many new events the device index of facts is kept up row by row. */
const BULK_MIN_EVENTS = 5_000;

/**
 * Facts for every event and field result not yet turned into facts (a high-water mark per table), in two
 * INSERT … SELECT statements. Runs at the start of each recompute, so imports, workspaces from before the facts
 * table and rows written directly by other code all end up as facts the same way.
 */
export function sync(db: Db, timings?: Record<string, number>): number {
  // Sub-steps of the copy (for the bench): `facts:<step>`, and the device index's rebuild under `index:<name>`.
  const { lap, skip } = stopwatch(timings, 'facts:');
  const evHwm = Number(metaTable.get(db, 'facts.event_hwm') ?? 0);
  const resHwm = Number(metaTable.get(db, 'facts.result_hwm') ?? 0);
  const before = db.value<number>('SELECT COALESCE(MAX(id), 0) FROM facts') ?? 0;
  // Events without a device yet (a rollout file before the fleet export) get theirs when the orphans are linked.
  db.run(`UPDATE facts SET device_id = (SELECT e.device_id FROM events e WHERE e.id = facts.event_id)
    WHERE device_id IS NULL AND event_id IS NOT NULL`);
  lap('orphans');
  const maxEv = db.value<number>('SELECT COALESCE(MAX(id), 0) FROM events') ?? 0;
  if (maxEv > evHwm) {
    // One scan for the data time's part and whether any new event names a ring: most rollout files (Falcon, Windows
    // events) have none, and the ring facts' own statement would read every new event again to find that out.
    const scan = db.get<{ t: number | null; rings: number }>(
      `SELECT MAX(ts) AS t, COUNT(CASE WHEN ${RING_ROW} THEN 1 END) AS rings FROM events WHERE id > ?`,
      [evHwm],
    );
    const newMax = scan?.t ?? 0;
    const oldMax = Number(metaTable.get(db, 'facts.events_max_ts') ?? 0) || 0;
    if (newMax > oldMax) metaTable.set(db, 'facts.events_max_ts', String(newMax));
    lap('scan');
    // Many new events against the facts there are: the device index is built again in one sort after the inserts,
    // not updated for every row (the events come in file order, so each insert would land on a random index page).
    const fresh = maxEv - evHwm;
    const rebuilt =
      fresh >= BULK_MIN_EVENTS && fresh * 4 >= before
        ? indexesOf(db, ['facts'], []).filter((d) => d.name === 'ix_facts_device')
        : [];
    for (const d of rebuilt) dropIndex(db, d.name);
    db.run(
      `INSERT INTO facts(device_id, class, type, value, ts, as_of, import_id, line, source, event_id)
      SELECT device_id, ${CLASS_OF}, ${TYPE_OF}, CASE WHEN kind IN ('received', 'installed') THEN version ELSE detail END,
        ts, as_of, import_id, line, source, id
      FROM events WHERE id > $hwm AND (kind IN ${FACT_KINDS} OR (kind = 'failed' AND ${REIMAGE}))`,
      { $hwm: evHwm },
    );
    lap('copy');
    // Ring membership from update-ring reports (Autopatch ring, ConfigMgr collection).
    if (scan?.rings)
      db.run(
        `INSERT INTO facts(device_id, class, type, value, ts, as_of, import_id, line, source, event_id)
      SELECT device_id, 'ring', CASE source WHEN 'autopatch' THEN 'autopatch ring' ELSE source || ' collection' END,
        ring, ts, as_of, import_id, line, source, id
      FROM events WHERE id > $hwm AND ${RING_ROW}`,
        { $hwm: evHwm },
      );
    lap('rings');
    for (const d of rebuilt) restoreIndex(db, d, timings);
    skip();
    metaTable.set(db, 'facts.event_hwm', String(maxEv));
  }
  const maxRes = db.value<number>('SELECT COALESCE(MAX(id), 0) FROM results') ?? 0;
  if (maxRes > resHwm) {
    db.run(
      `INSERT INTO facts(device_id, class, type, value, ts, source, result_id)
      SELECT device_id, 'result', result, trim(COALESCE(method, '') || ' ' || COALESCE(technician, '')), at,
        'field result (' || origin || ')', id
      FROM results WHERE id > $hwm`,
      { $hwm: resHwm },
    );
    metaTable.set(db, 'facts.result_hwm', String(maxRes));
  }
  return (db.value<number>('SELECT COALESCE(MAX(id), 0) FROM facts') ?? 0) - before;
}

export interface ChainRow {
  id: number;
  class: string;
  type: string;
  value: string | null;
  ts: number | null;
  as_of: number;
  source: string;
  file: string | null;
  import_id: number | null;
  line: number | null;
  derived: number;
}

/** One device's facts in time order (at most `limit`), with the file each came from. */
export function chain(db: Db, deviceId: number, limit: number): ChainRow[] {
  return db.all<ChainRow>(
    `SELECT f.id, f.class, f.type, f.value, f.ts, f.as_of, f.source, i.file_name AS file, f.import_id, f.line, f.derived
     FROM facts f LEFT JOIN imports i ON i.id = f.import_id WHERE f.device_id = ?
     ORDER BY COALESCE(f.ts, 0), f.id LIMIT ${limit}`,
    [deviceId],
  );
}

export function countFor(db: Db, deviceId: number): number {
  return db.value<number>('SELECT COUNT(*) FROM facts WHERE device_id = ?', [deviceId]) ?? 0;
}

/**
 * The latest fact time among the fleet and crash sources, one statement: the latest non-result fact of a device
 * (temp._evt), facts without a device yet (an orphan rollout row), every device's last check-in, and
 * eventsMaxTs (events that make no fact, such as an 'offered' row, kept at fact sync). Never a field result.
 */
export function latestTime(db: Db, eventsMaxTs: number): number | undefined {
  return db.value<number>(
    `SELECT MAX(COALESCE(t, 0)) FROM (
      SELECT t FROM temp._evt
      UNION ALL SELECT MAX(ts) FROM facts WHERE device_id IS NULL AND class <> 'result' AND derived = 0
      UNION ALL SELECT MAX(last_seen) FROM devices
      UNION ALL SELECT CAST($events AS INTEGER))`,
    { $events: eventsMaxTs },
  );
}

/** The largest fact id (0 when none): facts written after it are a batch's. */
export function lastFactId(db: Db): number {
  return db.value<number>('SELECT COALESCE(MAX(id), 0) FROM facts') ?? 0;
}

/** The latest time among the fleet and crash facts written after fact `mark` (field results and derived facts aside). */
export function latestSince(db: Db, mark: number): number {
  return (
    db.value<number>(`SELECT MAX(ts) FROM facts WHERE id > $mark AND class <> 'result' AND derived = 0`, {
      $mark: mark,
    }) ?? 0
  );
}
