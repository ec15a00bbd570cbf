// Named queries for the facts (a view over the stored facts, the source rows and the events, migrations 35 and 40): the
// set-based sync of the stored ones from events and field results, one device's chain, and the data time's sources.
import type { Db } from './db.js';
import { stopwatch } from '../shared/stopwatch.js';
import * as metaTable from './meta.js';

/**
 * An event that makes a ring fact as well: an update-ring report's row naming the ring. The source first: most rows
 * (Falcon, Windows events) fail on it, and their ring is never read.
 */
/** RING_ROW's sources, also for the rollout writer, which counts such rows as it inserts them (EventsNoted). */
export const RING_SOURCES: readonly string[] = ['autopatch', 'configmgr'];
const RING_ROW = `source IN (${RING_SOURCES.map((s) => `'${s}'`).join(', ')}) AND ring IS NOT NULL AND ring <> ''`;

/**
 * What an import batch's rollout files inserted, noted as they wrote it: events `from` (exclusive) to `to` (the
 * events table's last id before and after), their latest time (null for none) and how many are RING_ROWs. The sync
 * takes it instead of reading those events again, when it is exactly the events it has not seen.
 */
export interface EventsNoted {
  from: number;
  to: number;
  maxTs: number | null;
  rings: number;
}

/**
 * Brings the stored facts up to the events and field results not yet seen (a high-water mark per table), in
 * INSERT … SELECT statements. An event's own fact needs nothing: the facts view reads it from the events table in
 * place (migration 35), with the device the event has now. What is stored: the ring fact of an update-ring report's
 * row (an event that makes a second fact), a field result's fact, and the latest event time (the data time's part
 * for events, facts or not). Runs at the start of each recompute, so imports, older workspaces and rows written
 * directly by other code all end up as facts the same way. Returns how many facts it stored.
 */
export function sync(db: Db, timings?: Record<string, number>, noted?: EventsNoted | null): number {
  // Sub-steps for the bench: `facts:<step>`.
  const { lap } = stopwatch(timings, 'facts:');
  const evHwm = Number(metaTable.get(db, 'facts.event_hwm') ?? 0);
  const resHwm = Number(metaTable.get(db, 'facts.result_hwm') ?? 0);
  const before = maxStoredId(db);
  // A ring report's row without a device yet (before the fleet export) gets it when the orphans are linked.
  db.run(`UPDATE stored_facts SET device_id = (SELECT e.device_id FROM events e WHERE e.id = stored_facts.event_id)
    WHERE device_id IS NULL AND event_id IS NOT NULL`);
  lap('orphans');
  const maxEv = db.value<number>('SELECT COALESCE(MAX(id), 0) FROM events') ?? 0;
  if (maxEv > evHwm) {
    // One scan for the data time's part and whether any new event names a ring: most rollout files (Falcon, Windows
    // events) have none, and the ring facts' own statement would read every new event again to find that out.
    // COUNT(*) FILTER: stepped for the ring rows alone, not for every row with a NULL (a third of the scan). What the
    // batch's writers noted answers both when it covers exactly the events after the mark (a million devices' 5 M
    // events: a second of the batch's end).
    const scan =
      noted && noted.from === evHwm && noted.to === maxEv
        ? { t: noted.maxTs, rings: noted.rings }
        : db.get<{ t: number | null; rings: number }>(
            `SELECT MAX(ts) AS t, COUNT(*) FILTER (WHERE ${RING_ROW}) AS rings FROM events WHERE id > ?`,
            [evHwm],
          );
    const newMax = scan?.t ?? 0;
    const oldMax = Number(metaTable.get(db, 'facts.events_max_ts') ?? 0) || 0;
    if (newMax > oldMax) metaTable.set(db, 'facts.events_max_ts', String(newMax));
    lap('scan');
    // Ring membership from update-ring reports (Autopatch ring, ConfigMgr collection).
    if (scan?.rings)
      db.run(
        `INSERT INTO stored_facts(device_id, class, type, value, ts, as_of, import_id, line, source, event_id)
      SELECT device_id, 'ring', CASE source WHEN 'autopatch' THEN 'autopatch ring' ELSE source || ' collection' END,
        ring, ts, as_of, import_id, line, source, id
      FROM events WHERE id > $hwm AND ${RING_ROW}`,
        { $hwm: evHwm },
      );
    lap('rings');
    metaTable.set(db, 'facts.event_hwm', String(maxEv));
  }
  const maxRes = db.value<number>('SELECT COALESCE(MAX(id), 0) FROM results') ?? 0;
  if (maxRes > resHwm) {
    db.run(
      `INSERT INTO stored_facts(device_id, class, type, value, ts, source, result_id)
      SELECT device_id, 'result', result, trim(COALESCE(method, '') || ' ' || COALESCE(technician, '')), at,
        'field result (' || origin || ')', id
      FROM results WHERE id > $hwm`,
      { $hwm: resHwm },
    );
    metaTable.set(db, 'facts.result_hwm', String(maxRes));
  }
  return maxStoredId(db) - before;
}

/**
 * Migration 35's event_facts view, term by term, for a read of the events in place (the view makes every column of
 * each event before a term on its class can be tested). An OS update report (Autopatch, WUfB, ConfigMgr) says the
 * device was online, or as of its export its update status, never that content arrived.
 */
export const OS_UPDATE_SOURCES = ['autopatch', 'wufb', 'configmgr'] as const;
const OS_UPDATE = `source IN (${OS_UPDATE_SOURCES.map((x) => `'${x}'`).join(', ')})`;
/** An event whose fact is a content receipt (class 'content', its value the version). */
export const EVENT_CONTENT = `kind IN ('received', 'installed') AND NOT ${OS_UPDATE}`;
/** An event whose fact is a check-in (class 'seen'). */
export const EVENT_SEEN = `(kind = 'online' OR (kind IN ('received', 'installed') AND ${OS_UPDATE} AND NOT as_of))`;
/** A restart event's fact is of type 'unclean' (event 41 without a stop code, 6008). */
export const UNCLEAN = "(detail LIKE 'unclean restart%' OR detail LIKE 'unexpected shutdown%')";
/** A failed event makes an outcome fact (type 'reimage') only when it names a reimage. */
export const REIMAGE = "lower(COALESCE(detail, '')) LIKE '%reimage%'";

/** An event's fact id is this plus the event's id; every stored or fleet fact's id is below it (migration 35). */
export const EVENT_FACT_ID = 1e15;
/**
 * A fleet fact's id is this plus its source row's id × 4 plus its kind (0 check-in, 1 sensor, 2 OS, 3 ring): above
 * every stored fact's, below every event fact's (migration 40).
 */
export const FLEET_FACT_ID = 5e14;

/**
 * SQL for the least of each arm's expression over the facts a correlated read finds, the tables under the facts view
 * apart (each through its own device index): each arm is [expression, FROM and WHERE], over stored_facts, the events
 * themselves, or the source rows' fact columns (device_sources), whose terms name a fact's class by their own columns
 * (EVENT_CONTENT, EVENT_SEEN; fact_seen for a check-in): through a view, each row's class was made first.
 */
export function minOverFacts(...arms: [string, string][]): string {
  return `(SELECT MIN(t) FROM (${arms.map(([expr, from]) => `SELECT MIN(${expr}) AS t ${from}`).join(' UNION ALL ')}))`;
}

/**
 * SQL for the id of a device's first fact (the lowest id) meeting `cond` (terms on the fact's own columns), for a
 * lookup correlated with another table: through each table's device index, where the facts view would be indexed
 * whole for it. Stored facts come first, then fleet facts, then events: each one's ids are below the next one's.
 * `fleet`: SQL for the fleet arm in place of source_facts read with `cond` (see fleetCheckIn), for a lookup whose
 * class can be only a check-in among the fleet classes.
 */
export function firstFactId(
  device: string,
  cond: string,
  fleet = `(SELECT MIN(id) FROM source_facts WHERE device_id = ${device} AND ${cond})`,
): string {
  // Each of the view's three sources apart (it would take no correlated term): source_facts, a plain join view, is
  // flattened into the read and found through the source rows' device index.
  const [stored, events] = ['stored_facts', 'event_facts'].map(
    (t) => `(SELECT MIN(id) FROM ${t} WHERE device_id = ${device} AND ${cond})`,
  );
  return `COALESCE(${stored}, ${fleet}, ${events})`;
}

/**
 * SQL for a device's first fleet check-in at time `ts`, when `when` holds (NULL otherwise): firstFactId's fleet arm
 * for a lookup of class 'seen' or of a class no fleet fact has, read from the source rows' columns (kind 0, so its id
 * is FLEET_FACT_ID + the row's id × 4), not through the view's four kinds of every row, and not at all for another
 * class. The deciding fact's class is never 'version' or 'ring'.
 */
export function fleetCheckIn(device: string, when: string, ts: string): string {
  return `CASE WHEN ${when} THEN (SELECT MIN(${FLEET_FACT_ID} + id * 4) FROM device_sources
    WHERE device_id = ${device} AND fact_seen = ${ts}) END`;
}

/**
 * Writes a derived crash fact per row of `picks` (a SELECT of device_id, type, value, ts and fid, the id of the fact
 * it rests on), with that fact's file, line, source and "as of" flag: a derived fact points at its evidence.
 */
export function writeDerived(db: Db, picks: string, params: Record<string, number | string>): void {
  db.run('DROP TABLE IF EXISTS temp._derive');
  db.run(`CREATE TEMP TABLE _derive AS ${picks}`, params);
  // The fact each rests on, by its table's primary key (a fleet fact's through its source row, an event fact's through
  // its event's id), in id order as before the fleet facts moved (they were stored, written before the events').
  const fleet = `d.fid >= ${FLEET_FACT_ID} AND d.fid < ${EVENT_FACT_ID}`;
  for (const [table, key, asOf] of [
    ['stored_facts', 'f.id = d.fid', 'f.as_of'],
    [
      'device_sources',
      `${fleet} AND f.id = (d.fid - ${FLEET_FACT_ID}) / 4`,
      `CASE WHEN (d.fid - ${FLEET_FACT_ID}) % 4 = 0 THEN 0 ELSE f.fact_as_of END`,
    ],
    ['event_facts', `f.event_id = d.fid - ${EVENT_FACT_ID}`, 'f.as_of'],
  ])
    db.run(`INSERT INTO stored_facts(device_id, class, type, value, ts, as_of, import_id, line, source, derived)
      SELECT d.device_id, 'crash', d.type, d.value, d.ts, ${asOf}, f.import_id, f.line, f.source, 1
      FROM temp._derive d JOIN ${table} f ON ${key}`);
  db.run('DROP TABLE temp._derive');
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

/**
 * One device's facts in time order (at most `limit`), with the file each came from. At one time, a derived fact (a
 * boot loop, a silence) follows the facts it rests on, though it is stored and so has the lower id.
 */
export function chain(db: Db, deviceId: number, limit: number): ChainRow[] {
  return db.all<ChainRow>(
    `SELECT f.id, f.class, f.type, f.value, f.ts, f.as_of, f.source, i.file_name AS file, f.import_id, f.line, f.derived
     FROM facts f LEFT JOIN imports i ON i.id = f.import_id WHERE f.device_id = ?
     ORDER BY COALESCE(f.ts, 0), f.derived, f.id LIMIT ${limit}`,
    [deviceId],
  );
}

export function countFor(db: Db, deviceId: number): number {
  return db.value<number>('SELECT COUNT(*) FROM facts WHERE device_id = ?', [deviceId]) ?? 0;
}

/**
 * The latest fact time among the fleet and crash sources, one statement: the latest non-result fact of a device
 * (temp._evt), stored facts without a device yet, every device's last check-in, and eventsMaxTs (every event's,
 * kept at fact sync: so an event's fact, with a device or not, needs no read of the view here). Never a field result.
 */
export function latestTime(db: Db, eventsMaxTs: number): number | undefined {
  return db.value<number>(
    `SELECT MAX(COALESCE(t, 0)) FROM (
      SELECT t FROM temp._evt
      UNION ALL SELECT MAX(ts) FROM stored_facts WHERE device_id IS NULL AND class <> 'result' AND derived = 0
      UNION ALL SELECT MAX(last_seen) FROM devices
      UNION ALL SELECT CAST($events AS INTEGER))`,
    { $events: eventsMaxTs },
  );
}

const maxStoredId = (db: Db) => db.value<number>('SELECT COALESCE(MAX(id), 0) FROM stored_facts') ?? 0;

/**
 * SQL for the latest time of the fleet facts of the source rows `where` picks, in one read of them: a check-in, or
 * fact_at (kept only with a version or ring fact). NULL when there is none.
 */
export function fleetLatest(where = ''): string {
  return `SELECT max(COALESCE(MAX(fact_seen), MAX(fact_at)), COALESCE(MAX(fact_at), MAX(fact_seen)))
    FROM device_sources ${where}`;
}

/** Where a batch's facts begin: the largest stored fact id and source row id before it. */
export interface FactMark {
  stored: number;
  sources: number;
}

/**
 * The largest stored fact id and source row id (0 when none): the facts after them are a batch's. An event's fact is
 * no stored row: its time counts through the events' latest time (facts.events_max_ts) instead.
 */
export function lastFactId(db: Db): FactMark {
  return {
    stored: maxStoredId(db),
    sources: db.value<number>('SELECT COALESCE(MAX(id), 0) FROM device_sources') ?? 0,
  };
}

/**
 * The latest time among the fleet facts written after `mark`: the stored ones (field results and derived facts aside)
 * and the source rows' (a check-in, or the time of a version or ring fact: fact_at is kept only with one).
 */
export function latestSince(db: Db, mark: FactMark): number {
  return (
    db.value<number>(
      `SELECT MAX(t) FROM (
        SELECT MAX(ts) AS t FROM stored_facts WHERE id > $stored AND class <> 'result' AND derived = 0
        UNION ALL ${fleetLatest('WHERE id > $sources')})`,
      { $stored: mark.stored, $sources: mark.sources },
    ) ?? 0
  );
}
