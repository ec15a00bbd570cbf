// Named queries for the summary tables recompute keeps (an_counts, an_suspected, an_crash, an_burn, an_ttr,
// an_critical): every dashboard number and chart reads these, never the devices table, under the same filter.
import type { DeviceState } from '../contract/analysis.js';
import type { Db } from './db.js';
import { cubeWhere, inList, type DashFilter } from './where.js';

type Cell = { ring: string; site: string; state: DeviceState; n: number };

/** Devices per ring, site and state. */
export function counts(db: Db, filter: DashFilter): Cell[] {
  const w = cubeWhere(filter);
  return db.all<Cell>(
    `SELECT ring, site, state, SUM(n) AS n FROM an_counts ${w.sql} GROUP BY ring, site, state`,
    w.params,
  );
}

/** Suspected devices per ring, site and state (confirmed is the rest). */
export function suspected(db: Db, filter: DashFilter): Cell[] {
  const w = cubeWhere(filter);
  return db.all<Cell>(
    `SELECT ring, site, state, SUM(n) AS n FROM an_suspected ${w.sql} GROUP BY ring, site, state`,
    w.params,
  );
}

/** Every ring, site and platform with devices (the filter bar's options). */
export function dimensions(db: Db): Array<{ ring: string; site: string; platform: string }> {
  return db.all<{ ring: string; site: string; platform: string }>(
    'SELECT DISTINCT ring, site, platform FROM an_counts',
  );
}

/** Every distinct tag list (comma-separated) among the devices. */
export function tagLists(db: Db): string[] {
  return db.all<{ tags: string }>('SELECT DISTINCT tags FROM an_counts').map((r) => r.tags);
}

/** Current devices in all (the summary's total). */
export function deviceTotal(db: Db): number {
  return db.value<number>('SELECT COALESCE(SUM(n), 0) FROM an_counts') ?? 0;
}

/** Devices per ring under the filter. */
export function ringSizes(db: Db, filter: DashFilter): Array<{ ring: string; n: number }> {
  const w = cubeWhere(filter);
  return db.all<{ ring: string; n: number }>(
    `SELECT ring, SUM(n) AS n FROM an_counts ${w.sql} GROUP BY ring`,
    w.params,
  );
}

/** New crashes per ring and 15-minute bucket, in time order. */
export function crashBuckets(db: Db, filter: DashFilter): Array<{ ring: string; bucket: number; n: number }> {
  const w = cubeWhere(filter);
  return db.all<{ ring: string; bucket: number; n: number }>(
    `SELECT ring, bucket, SUM(n) AS n FROM an_crash ${w.sql} GROUP BY ring, bucket ORDER BY bucket`,
    w.params,
  );
}

type KeyBucket = { k: string; bucket: number; v: number };

/** New crashes per ring and bucket (the chart series). */
export function crashByRing(db: Db, filter: DashFilter): KeyBucket[] {
  const w = cubeWhere(filter);
  return db.all<KeyBucket>(
    `SELECT ring AS k, bucket, SUM(n) AS v FROM an_crash ${w.sql} GROUP BY ring, bucket`,
    w.params,
  );
}

/** Devices down (crashed minus resolved) per ring and hour bucket. */
export function burnByRing(db: Db, filter: DashFilter): KeyBucket[] {
  const w = cubeWhere(filter);
  return db.all<KeyBucket>(
    `SELECT ring AS k, bucket, SUM(delta) AS v FROM an_burn ${w.sql} GROUP BY ring, bucket`,
    w.params,
  );
}

/** Devices down (crashed minus resolved) per site and hour bucket. */
export function burnBySite(db: Db, filter: DashFilter): KeyBucket[] {
  const w = cubeWhere(filter);
  return db.all<KeyBucket>(
    `SELECT site AS k, bucket, SUM(delta) AS v FROM an_burn ${w.sql} GROUP BY site, bucket`,
    w.params,
  );
}

/** Time to recovery per ring, in whole hours, with the summed milliseconds for the mean. */
export function recoveryHours(
  db: Db,
  filter: DashFilter,
): Array<{ ring: string; hours: number; n: number; sum_ms: number }> {
  const w = cubeWhere(filter);
  return db.all<{ ring: string; hours: number; n: number; sum_ms: number }>(
    `SELECT ring, hours, SUM(n) AS n, SUM(sum_ms) AS sum_ms FROM an_ttr ${w.sql} GROUP BY ring, hours ORDER BY ring, hours`,
    w.params,
  );
}

export interface CriticalRow {
  id: number;
  hostname: string;
  category: string;
  ring: string;
  site: string;
  state: DeviceState;
}

/** Critical devices in the given (remaining) states, most critical first, and per category remaining of total. */
export function critical(
  db: Db,
  filter: DashFilter,
  remainingStates: readonly string[],
  limit: number,
): { rows: CriticalRow[]; byCategory: Array<{ category: string; remaining: number; total: number }> } {
  const w = cubeWhere(filter);
  const params = w.params;
  const base = w.sql ? w.sql.slice('WHERE '.length) : '1';
  const remaining = inList(remainingStates);
  return {
    rows: db.all<CriticalRow>(
      `SELECT device_id AS id, hostname, category, ring, site, state FROM an_critical
       WHERE ${base} AND state IN ${remaining} ORDER BY rank, hostname LIMIT ${Math.max(1, Math.floor(limit))}`,
      params,
    ),
    byCategory: db.all(
      `SELECT category, SUM(state IN ${remaining}) AS remaining, COUNT(*) AS total FROM an_critical WHERE ${base}
       GROUP BY category ORDER BY MIN(rank)`,
      params,
    ),
  };
}

/**
 * BitLocker keys on file: valid, invalid, devices with a key (a stale record counts for its current device), unmatched.
 * Only stale records name another device: they are read first through their partial index (a handful of rows), so
 * each key looks up that small table, not its device's row in the devices table (at a million keys, as many random
 * reads of a table larger than the page cache).
 */
export function keyCounts(db: Db) {
  return db.get<{ total: number; valid: number; invalid: number; withKey: number; unmatched: number }>(
    `WITH stale(id, current) AS MATERIALIZED (
       SELECT id, superseded_by FROM devices WHERE superseded_by IS NOT NULL)
     SELECT COUNT(*) AS total, COALESCE(SUM(k.valid <> 0), 0) AS valid, COALESCE(SUM(k.valid = 0), 0) AS invalid,
      COUNT(DISTINCT COALESCE(s.current, k.device_id)) AS withKey, COALESCE(SUM(k.device_id IS NULL), 0) AS unmatched
     FROM keys k LEFT JOIN stale s ON s.id = k.device_id`,
  );
}
