// Named queries for the summary tables' writes (an_dev, an_counts, an_suspected, an_crash, an_burn, an_ttr,
// an_critical): rebuilt in full, or patched for a set of changed devices by removing their old contribution
// (temp._old) and adding the new one (temp._new).
import { foldCubes } from './cube-fold.js';
import type { Db } from './db.js';

export const CRASH_BUCKET_MS = 15 * 60_000;
export const BURN_BUCKET_MS = 3600_000;

/** The projection every summary table is built from: one row per current (not superseded) device. */
export const CUBE_SOURCE = `SELECT id, COALESCE(ring_override, ring, '') AS ring, COALESCE(site, '') AS site,
  COALESCE(platform, '') AS platform, tags, state, hostname, device_type, crashed_at, certainty,
  CASE state WHEN 'fixed' THEN fixed_at WHEN 'self_recovered' THEN recovered_at END AS resolved_at
  FROM devices WHERE superseded_by IS NULL`;

const DEV_COLS = 'id, ring, site, platform, tags, state, hostname, device_type, crashed_at, resolved_at, certainty';

/** Criticality rank from the device type and tags: lower is more critical; NULL is not critical. */
export const CRITICAL_RANK = `(CASE WHEN device_type = 'dc' OR tags LIKE '%domain%controller%' THEN 1
  WHEN device_type = 'server' OR tags LIKE '%server%' THEN 2 WHEN tags LIKE '%clinical%' THEN 3
  WHEN tags LIKE '%kiosk%' THEN 4 WHEN tags LIKE '%critical%' THEN 5 END)`;
export const CRITICAL_CATEGORIES = ['', 'domain controller', 'server', 'clinical', 'kiosk', 'critical'];

/**
 * A changed device set at least this large is folded in JavaScript; a smaller one is grouped in SQL, where sorting a
 * few thousand rows costs less than the fold's writes (a row per cell it touches). At a million devices: 1,000
 * changed 20 ms by SQL against 30-50 ms folded, 20,000 about even, 60,000 0.6 s against 0.5 s.
 */
export const FOLD_FROM = 50_000;

/**
 * Adds (sign 1) or removes (sign -1) the contribution of the devices in `src` (a CUBE_SOURCE-shaped table): folded
 * in one scan when `fold`, else (or when the fold declines) by SQL GROUP BYs.
 */
function applyCubes(db: Db, src: string, sign: 1 | -1, fold: boolean): void {
  if (!fold || !foldCubes(db, src, sign, CRASH_BUCKET_MS, BURN_BUCKET_MS)) groupCubes(db, src, sign);
}

/** The summary tables by SQL GROUP BYs, one sort each: small sets, and times only SQLite's arithmetic gives right. */
export function groupCubes(db: Db, src: string, sign: 1 | -1): void {
  const dims = 'ring, site, platform, tags';
  db.run(`INSERT INTO an_counts(${dims}, state, n) SELECT ${dims}, state, ${sign} * COUNT(*) FROM ${src} WHERE true
    GROUP BY ${dims}, state ON CONFLICT DO UPDATE SET n = n + excluded.n`);
  db.run(`INSERT INTO an_suspected(${dims}, state, n) SELECT ${dims}, state, ${sign} * COUNT(*) FROM ${src}
    WHERE certainty = 'suspected' GROUP BY ${dims}, state ON CONFLICT DO UPDATE SET n = n + excluded.n`);
  db.run(`INSERT INTO an_crash(${dims}, bucket, n)
    SELECT ${dims}, (crashed_at / ${CRASH_BUCKET_MS}) * ${CRASH_BUCKET_MS} AS b, ${sign} * COUNT(*) FROM ${src}
    WHERE crashed_at IS NOT NULL GROUP BY ${dims}, b ON CONFLICT DO UPDATE SET n = n + excluded.n`);
  db.run(`INSERT INTO an_burn(${dims}, bucket, delta)
    SELECT ${dims}, b, ${sign} * SUM(d) FROM (
      SELECT ${dims}, (crashed_at / ${BURN_BUCKET_MS}) * ${BURN_BUCKET_MS} AS b, 1 AS d FROM ${src} WHERE crashed_at IS NOT NULL
      UNION ALL
      SELECT ${dims}, (resolved_at / ${BURN_BUCKET_MS}) * ${BURN_BUCKET_MS}, -1 FROM ${src}
      WHERE crashed_at IS NOT NULL AND resolved_at IS NOT NULL
    ) WHERE true GROUP BY ${dims}, b ON CONFLICT DO UPDATE SET delta = delta + excluded.delta`);
  db.run(`INSERT INTO an_ttr(${dims}, hours, n, sum_ms)
    SELECT ${dims}, (MAX(resolved_at - crashed_at, 0) / 3600000) AS h, ${sign} * COUNT(*), ${sign} * SUM(MAX(resolved_at - crashed_at, 0))
    FROM ${src} WHERE crashed_at IS NOT NULL AND resolved_at IS NOT NULL GROUP BY ${dims}, h
    ON CONFLICT DO UPDATE SET n = n + excluded.n, sum_ms = sum_ms + excluded.sum_ms`);
}

function clearZeros(db: Db): void {
  db.run('DELETE FROM an_counts WHERE n = 0');
  db.run('DELETE FROM an_suspected WHERE n = 0');
  db.run('DELETE FROM an_crash WHERE n = 0');
  db.run('DELETE FROM an_burn WHERE delta = 0');
  db.run('DELETE FROM an_ttr WHERE n = 0');
}

/**
 * Ranks the devices of `src` (those `where` keeps, a superset of the critical ones) into an_critical. LIMIT -1 keeps
 * the subquery from being flattened, which would evaluate the rank's LIKEs again in the filter and the category.
 */
function insertCritical(db: Db, src: string, where = ''): void {
  db.run(`INSERT OR REPLACE INTO an_critical(device_id, rank, category, hostname, ring, site, platform, tags, state)
    SELECT id, rk, CASE rk ${CRITICAL_CATEGORIES.map((c, i) => (i ? `WHEN ${i} THEN '${c}'` : '')).join(' ')} END,
      hostname, ring, site, platform, tags, state
    FROM (SELECT *, ${CRITICAL_RANK} AS rk FROM ${src} ${where} LIMIT -1) WHERE rk IS NOT NULL`);
}

/**
 * Marks the devices a partial recompute redoes (temp._ids, with their current or stale counterparts) and keeps
 * their present summary rows (temp._old) to subtract later.
 */
export function markChanged(db: Db, deviceIds: readonly number[], staleToo = false): void {
  db.run('DROP TABLE IF EXISTS temp._ids');
  db.run('CREATE TEMP TABLE _ids(id INTEGER PRIMARY KEY)');
  const stmt = db.prepare('INSERT OR IGNORE INTO temp._ids(id) VALUES (?)');
  try {
    for (const id of deviceIds) stmt.run([id]);
  } finally {
    stmt.free();
  }
  // A stale record's change moves its current device's numbers too, and the other way round.
  db.run(`INSERT OR IGNORE INTO temp._ids SELECT superseded_by FROM devices
        WHERE id IN (SELECT id FROM temp._ids) AND superseded_by IS NOT NULL`);
  // After an import: a record the import superseded points at a new device of the set (a scan, no index on it).
  if (staleToo)
    db.run(`INSERT OR IGNORE INTO temp._ids SELECT id FROM devices
        WHERE superseded_by IN (SELECT id FROM temp._ids)`);
  db.run('DROP TABLE IF EXISTS temp._old');
  db.run('CREATE TEMP TABLE _old AS SELECT * FROM an_dev WHERE id IN (SELECT id FROM temp._ids)');
}

/**
 * Patches the summary tables for the devices in temp._ids: old contribution out, new one in. `foldFrom`: the size of
 * the change set from which it is folded rather than grouped in SQL (tests set it to fold every set).
 */
export function patch(db: Db, foldFrom = FOLD_FROM): void {
  db.run('DROP TABLE IF EXISTS temp._new');
  db.run(`CREATE TEMP TABLE _new AS SELECT * FROM (${CUBE_SOURCE}) WHERE id IN (SELECT id FROM temp._ids)`);
  const fold = (db.value<number>('SELECT COUNT(*) FROM temp._ids') ?? 0) >= foldFrom;
  applyCubes(db, 'temp._old', -1, fold);
  applyCubes(db, 'temp._new', 1, fold);
  clearZeros(db);
  db.run('DELETE FROM an_dev WHERE id IN (SELECT id FROM temp._ids)');
  db.run(`INSERT INTO an_dev(${DEV_COLS}) SELECT ${DEV_COLS} FROM temp._new`);
  db.run('DELETE FROM an_critical WHERE device_id IN (SELECT id FROM temp._ids)');
  insertCritical(db, 'temp._new');
}

/** Empties every summary table and rebuilds an_dev from the devices table. */
export function rebuildDevices(db: Db): void {
  for (const t of ['an_counts', 'an_suspected', 'an_crash', 'an_burn', 'an_ttr', 'an_critical', 'an_dev'])
    db.run(`DELETE FROM ${t}`);
  db.run(`INSERT INTO an_dev(${DEV_COLS}) SELECT ${DEV_COLS} FROM (${CUBE_SOURCE})`);
}

/** The summary counts and series, from an_dev. */
export function rebuildCubes(db: Db): void {
  applyCubes(db, 'an_dev', 1, true);
  clearZeros(db);
}

/**
 * The critical-device list, from an_dev, after rebuildCubes. CRITICAL_RANK is five LIKEs per device; a device is
 * critical by its type or by its tag list, and the distinct tag lists are an_counts' (it counts every device of
 * an_dev): ranked once each, they pick the devices to rank first.
 */
export function rebuildCritical(db: Db): void {
  const counted = db.value<number>('SELECT COALESCE(SUM(n), 0) FROM an_counts');
  // An an_counts not built from this an_dev cannot say which tag lists there are: every device is ranked.
  if (counted !== db.value<number>('SELECT COUNT(*) FROM an_dev')) return insertCritical(db, 'an_dev');
  db.run('DROP TABLE IF EXISTS temp._crit_tags');
  db.run('CREATE TEMP TABLE _crit_tags(tags TEXT PRIMARY KEY) WITHOUT ROWID');
  // The rank of a tag list alone is CRITICAL_RANK with no device type.
  db.run(`INSERT INTO temp._crit_tags SELECT DISTINCT tags FROM (SELECT tags, NULL AS device_type FROM an_counts)
    WHERE ${CRITICAL_RANK} IS NOT NULL`);
  insertCritical(db, 'an_dev', "WHERE device_type IN ('dc', 'server') OR tags IN (SELECT tags FROM temp._crit_tags)");
  db.run('DROP TABLE temp._crit_tags');
}

/** Drops a recompute's temp tables (the change set and the evidence and state passes). */
export function dropTemps(db: Db): void {
  for (const t of ['_ids', '_old', '_new', '_ev', '_evt', '_res', '_st']) db.run(`DROP TABLE IF EXISTS temp.${t}`);
}
