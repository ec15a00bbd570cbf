// Recomputes device exposure and state (with the rule that gave it) and the summary tables the dashboards read.
import { AFFECTED_STATES } from '../contract/analysis.js';
import { meta, setMeta, type Workspace } from '../workspace.js';
import { syncFacts } from './facts.js';
import { PLATFORM_LABEL, readConfig, versionParts, type AnalysisConfig } from './config.js';
import { refreshDerivedWindow } from './exposure-window.js';
import { markWindowNotSet } from '../store/exposure.js';

export interface RecomputeOptions {
  /** Only these devices changed (a field result, a ring override): their rows and the summaries are patched. */
  deviceIds?: number[];
  /** When given, filled with milliseconds per phase (for the bench). */
  timings?: Record<string, number>;
}

export interface RecomputeStats {
  devices: number;
  changed: number;
  asOf: number;
  ms: number;
}

const NO_WINDOW_RULE =
  'No exposure window: too few receipts of the bad content or crashes to derive one, and none chosen (Overview)';

export const CRASH_BUCKET_MS = 15 * 60_000;
export const BURN_BUCKET_MS = 3600_000;

const sqlList = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(',');
const AFFECTED = sqlList(AFFECTED_STATES);

/** A short UTC time: HH:MM on the day the window opened, MM-DD HH:MM on other days. */
function fmt(col: string): string {
  return `(CASE WHEN date(${col} / 1000, 'unixepoch') = $day0 THEN strftime('%H:%M', ${col} / 1000, 'unixepoch')
    ELSE strftime('%m-%d %H:%M', ${col} / 1000, 'unixepoch') END)`;
}

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

function params(cfg: AnalysisConfig, asOf: number) {
  const [maj, min] = versionParts(cfg.minVersion);
  return {
    $ws: cfg.windowStart,
    $we: cfg.windowEnd,
    $bad: cfg.badVersion,
    $plat: cfg.platform,
    $platLabel: PLATFORM_LABEL[cfg.platform] ?? cfg.platform,
    $maj: maj,
    $min: min,
    $minv: cfg.minVersion,
    $asof: asOf,
    $rec: cfg.selfRecoveryMs,
    $recH: String(Math.round((cfg.selfRecoveryMs / 3600_000) * 10) / 10),
    $day0: new Date(cfg.windowStart).toISOString().slice(0, 10),
    $burstK: cfg.burstCount,
    $burstMin: Math.round(cfg.burstMs / 60_000),
  };
}

/** Per-device evidence from facts, as one set-based pass (the facts table is read once, never row by row). */
function buildEvidence(ws: Workspace, cfg: AnalysisConfig, partial: boolean): void {
  const db = ws.db;
  const only = partial ? 'AND device_id IN (SELECT id FROM temp._ids)' : '';
  db.run(`DELETE FROM facts WHERE derived = 1 ${only}`);
  db.run('DROP TABLE IF EXISTS temp._ev');
  db.run(`CREATE TEMP TABLE _ev(device_id INTEGER PRIMARY KEY, bad_at INTEGER, first_crash INTEGER, crashes INTEGER,
    last_loop INTEGER, rec_ev INTEGER, fix_ev INTEGER, reimage_at INTEGER, last_ts INTEGER, burst_at INTEGER,
    burst_n INTEGER, roll_ev INTEGER, seen_at INTEGER, back_at INTEGER)`);
  // NOT INDEXED: a full scan plus one sort beats millions of random row lookups through the device index.
  const from = partial
    ? 'FROM facts WHERE device_id IN (SELECT id FROM temp._ids) AND derived = 0'
    : 'FROM facts NOT INDEXED WHERE device_id IS NOT NULL AND derived = 0';
  db.run(
    `INSERT INTO _ev SELECT device_id,
      MIN(CASE WHEN class = 'content' AND value = $bad AND ts BETWEEN $ws AND $we THEN ts END),
      MIN(CASE WHEN class = 'crash' THEN ts END),
      SUM(class = 'crash'),
      MAX(CASE WHEN class IN ('crash', 'restart') THEN ts END),
      MIN(CASE WHEN class = 'outcome' AND type = 'recovered' THEN ts END),
      MIN(CASE WHEN class = 'outcome' AND type = 'fixed' THEN ts END),
      MIN(CASE WHEN class = 'outcome' AND type = 'reimage' THEN ts END),
      MAX(CASE WHEN class <> 'result' THEN ts END), NULL, NULL,
      -- Content rollout evidence only: an OS update report (Autopatch, WUfB, ConfigMgr) or a crash log says nothing
      -- about whether the bad content arrived (those are 'seen'/'update' facts, never 'content').
      SUM(class = 'content'),
      MAX(CASE WHEN class = 'seen' THEN ts END), NULL
    ${from} GROUP BY device_id`,
    { $bad: cfg.badVersion, $ws: cfg.windowStart, $we: cfg.windowEnd },
  );
  // The boot-loop rule: burstCount unclean restarts (event 41 without a stop code, 6008) within burstMs, the first
  // inside the exposure window. Get-WinEvent | Export-Csv loses 41's BugcheckCode, so these are all such files carry.
  db.run(
    `UPDATE _ev SET burst_at = b.at, burst_n = b.n FROM (
      SELECT device_id, MIN(ts) AS at, MAX(n) AS n FROM (
        SELECT device_id, ts, LEAD(ts, $k) OVER (PARTITION BY device_id ORDER BY ts) AS tn,
          COUNT(*) OVER (PARTITION BY device_id ORDER BY ts RANGE BETWEEN CURRENT ROW AND $bm FOLLOWING) AS n
        FROM facts WHERE class = 'restart' AND type = 'unclean' AND device_id IS NOT NULL AND derived = 0
          AND ts BETWEEN $ws AND $we + $bm ${only}
      ) WHERE ts <= $we AND tn IS NOT NULL AND tn - ts <= $bm GROUP BY device_id
    ) AS b WHERE _ev.device_id = b.device_id`,
    { $k: cfg.burstCount - 1, $bm: cfg.burstMs, $ws: cfg.windowStart, $we: cfg.windowEnd },
  );
  // The boot loop becomes a crash fact of its own, pointing at the first restart of the burst (file and line).
  db.run(
    `INSERT INTO facts(device_id, class, type, value, ts, as_of, import_id, line, source, derived)
    SELECT e.device_id, 'crash', 'boot_loop',
      e.burst_n || ' unclean restarts within ' || $min || ' min (rule: ' || $k || ' or more, the first in the window)',
      e.burst_at, f.as_of, f.import_id, f.line, f.source, 1
    FROM _ev e JOIN facts f ON f.id = (SELECT MIN(id) FROM facts WHERE device_id = e.device_id AND class = 'restart'
      AND type = 'unclean' AND ts = e.burst_at AND derived = 0)
    WHERE e.burst_at IS NOT NULL AND (e.first_crash IS NULL OR e.burst_at < e.first_crash)`,
    { $min: Math.round(cfg.burstMs / 60_000), $k: cfg.burstCount },
  );
  db.run(`UPDATE _ev SET first_crash = burst_at, crashes = MAX(crashes, 1)
    WHERE burst_at IS NOT NULL AND (first_crash IS NULL OR burst_at < first_crash)`);
  // Back online: the first check-in (any source) after the last crash or restart of its loop.
  db.run(`UPDATE _ev SET back_at = (SELECT MIN(f.ts) FROM facts f WHERE f.device_id = _ev.device_id AND f.class = 'seen'
      AND f.ts > _ev.last_loop)
    WHERE first_crash IS NOT NULL AND seen_at > last_loop`);
  db.run('DROP TABLE IF EXISTS temp._res');
  db.run('CREATE TEMP TABLE _res(device_id INTEGER PRIMARY KEY, result TEXT, at INTEGER)');
  // The latest field result per device is the technician's latest word on it.
  db.run(`INSERT INTO _res SELECT device_id, result, at FROM (
      SELECT device_id, result, at, ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY at DESC, id DESC) AS rn
      FROM results ${partial ? 'WHERE device_id IN (SELECT id FROM temp._ids)' : ''}) WHERE rn = 1`);
}

/**
 * Exposure class, outcome and state per device, with the human sentence of the rule; into temp._st. Each stage is
 * MATERIALIZED: flattened, every later reference would re-evaluate the earlier CASE expressions (6x slower).
 */
function buildStates(ws: Workspace, p: ReturnType<typeof params>, partial: boolean): void {
  const db = ws.db;
  db.run('DROP TABLE IF EXISTS temp._st');
  db.run(`CREATE TEMP TABLE _st(id INTEGER PRIMARY KEY, exposed INTEGER, state TEXT, rule TEXT,
    crashed_at INTEGER, recovered_at INTEGER, fixed_at INTEGER, certainty TEXT, dclass TEXT, dts INTEGER,
    stop_at INTEGER, decided INTEGER)`);
  const sensor = `' sensor ' || COALESCE(NULLIF(ver, ''), '?')`;
  db.run(
    `INSERT INTO _st
    WITH x AS MATERIALIZED (
      SELECT *, CASE
          WHEN plat = '' AND bad_at IS NULL THEN 'unknown_platform'
          WHEN plat <> '' AND lower(plat) <> $plat THEN 'other_platform'
          WHEN COALESCE(ver, '') = '' AND bad_at IS NULL THEN 'unknown_version'
          WHEN COALESCE(ver, '') <> '' AND NOT ver_ok THEN 'old_version'
          WHEN bad_at IS NOT NULL THEN 'received'
          WHEN has_ev THEN 'not_received'
          WHEN first_seen IS NULL OR last_seen IS NULL THEN 'unknown_online'
          WHEN first_seen <= $we AND last_seen >= $ws THEN 'online'
          ELSE 'offline' END AS xc
      FROM (
        SELECT d.id, d.superseded_by, COALESCE(d.platform, '') AS plat, d.agent_version AS ver,
          d.first_seen, d.last_seen, COALESCE(e.roll_ev, 0) > 0 AS has_ev, e.bad_at, e.first_crash,
          COALESCE(e.crashes, 0) AS crashes, e.last_loop, e.rec_ev, e.fix_ev, e.reimage_at, e.burst_at, e.burst_n,
          r.result, r.at AS res_at, e.seen_at, e.back_at,
          -- Stopped reporting (CrowdStrike's own July 19 query): last seen inside the window, not seen since, no
          -- crash, outcome or field result on file, and data time past the window. Only ever a suspected crash.
          CASE WHEN e.first_crash IS NULL AND e.fix_ev IS NULL AND e.reimage_at IS NULL AND e.rec_ev IS NULL
            AND r.result IS NULL AND e.seen_at BETWEEN $ws AND $we AND $asof > $we THEN e.seen_at END AS stop_at,
          (CAST(d.agent_version AS INTEGER) > $maj OR (CAST(d.agent_version AS INTEGER) = $maj
            AND CAST(substr(d.agent_version, instr(d.agent_version, '.') + 1) AS INTEGER) >= $min)) AS ver_ok
        FROM devices d LEFT JOIN temp._ev e ON e.device_id = d.id LEFT JOIN temp._res r ON r.device_id = d.id
        ${partial ? 'WHERE d.id IN (SELECT id FROM temp._ids)' : ''}
      )
    ),
    y AS MATERIALIZED (
      SELECT *, xc IN ('received', 'online') AS exposed,
        xc IN ('received', 'online') AND (first_crash IS NOT NULL OR fix_ev IS NOT NULL OR reimage_at IS NOT NULL
          OR COALESCE(result, '') IN ('fixed', 'in_progress', 'needs_reimage', 'failed') OR stop_at IS NOT NULL) AS down
      FROM x
    ),
    z AS MATERIALIZED (
      SELECT *, CASE WHEN down THEN COALESCE(first_crash, fix_ev, reimage_at, res_at, stop_at) END AS crashed_at,
        COALESCE(last_loop, first_crash, fix_ev, reimage_at, res_at, stop_at) AS loop_at
      FROM y
    ),
    o AS MATERIALIZED (
      SELECT *, CASE WHEN NOT exposed OR xc LIKE 'unknown%' THEN NULL
          WHEN NOT down THEN 'healthy'
          WHEN COALESCE(result, '') IN ('fixed', 'in_progress', 'needs_reimage', 'failed') AND (fix_ev IS NULL OR res_at >= fix_ev) THEN 'r_' || result
          WHEN fix_ev IS NOT NULL THEN 'e_fixed'
          WHEN reimage_at IS NOT NULL THEN 'e_reimage'
          WHEN rec_ev IS NOT NULL THEN 'e_recovered'
          WHEN back_at IS NOT NULL THEN 'c_recovered'
          WHEN $asof - loop_at > $rec THEN 'e_needs_fix'
          ELSE 'e_crashed' END AS oc
      FROM z
    )
    SELECT id, exposed,
      CASE WHEN xc LIKE 'unknown%' THEN 'unknown' WHEN NOT exposed THEN 'not_exposed'
        WHEN oc = 'healthy' THEN 'exposed_healthy'
        WHEN oc IN ('r_fixed', 'e_fixed') THEN 'fixed'
        WHEN oc IN ('r_needs_reimage', 'e_reimage') THEN 'needs_reimage'
        WHEN oc = 'r_in_progress' THEN 'fix_in_progress'
        WHEN oc IN ('e_recovered', 'c_recovered') THEN 'self_recovered'
        WHEN oc IN ('r_failed', 'e_needs_fix') THEN 'needs_fix'
        ELSE 'crashed' END,
      CASE WHEN superseded_by IS NOT NULL THEN 'Stale record (superseded by #' || superseded_by || '); ' ELSE '' END ||
      CASE xc
        WHEN 'unknown_platform' THEN 'No platform on file: cannot decide exposure'
        WHEN 'other_platform' THEN CASE lower(plat) WHEN 'mac' THEN 'macOS' WHEN 'linux' THEN 'Linux' ELSE plat END || ': not the affected platform (' || $platLabel || ')'
        WHEN 'unknown_version' THEN $platLabel || ', no sensor version on file: cannot decide exposure'
        WHEN 'old_version' THEN $platLabel || ',' || ${sensor} || ' < ' || $minv || ': not susceptible'
        WHEN 'received' THEN $platLabel || ',' || ${sensor} || ' ≥ ' || $minv || ', received ' || $bad || ' at ' || ${fmt('bad_at')} || ' UTC'
        WHEN 'not_received' THEN $platLabel || ',' || ${sensor} || ' ≥ ' || $minv || ', rollout data shows no ' || $bad || ' received in the window: not exposed'
        WHEN 'unknown_online' THEN $platLabel || ',' || ${sensor} || ' ≥ ' || $minv || ', no rollout data and no first/last seen: cannot tell whether it was online in the window'
        WHEN 'online' THEN $platLabel || ',' || ${sensor} || ' ≥ ' || $minv || ', no rollout data; online in the window (last seen ' || ${fmt('last_seen')} || ' UTC)'
        ELSE $platLabel || ',' || ${sensor} || ' ≥ ' || $minv || ', no rollout data; not online in the window (last seen ' || COALESCE(${fmt('last_seen')}, '?') || ' UTC): not exposed'
      END ||
      CASE WHEN oc IS NULL THEN ''
        WHEN oc = 'healthy' THEN '; no crash'
        WHEN burst_at IS NOT NULL AND crashed_at = burst_at THEN '; boot loop from ' || ${fmt('burst_at')} || ': ' ||
          burst_n || ' unclean restarts (event 41 without a stop code / 6008) within ' || $burstMin || ' min (rule: ' ||
          $burstK || ' or more)' || CASE oc
            WHEN 'e_recovered' THEN '; self-recovered ' || ${fmt('rec_ev')}
            WHEN 'c_recovered' THEN '; back online ' || ${fmt('back_at')} || ' (a check-in after its last crash)'
            WHEN 'e_needs_fix' THEN '; no recovery or fix; last crash/reboot ' || ${fmt('loop_at')} || ', over ' || $recH || ' h before data time'
            WHEN 'e_crashed' THEN '; last crash/reboot ' || ${fmt('loop_at')} || ', within ' || $recH || ' h of data time: may still self-recover'
            ELSE '; see field results and events' END
        WHEN first_crash IS NULL AND stop_at IS NOT NULL AND crashed_at = stop_at THEN
          '; stopped reporting: last seen ' || ${fmt('stop_at')} || ' in the window and not since (suspected crash)' ||
          CASE oc
            WHEN 'e_needs_fix' THEN '; over ' || $recH || ' h before data time'
            ELSE '; within ' || $recH || ' h of data time' END
        ELSE '; crashed ' || ${fmt('crashed_at')} || CASE WHEN crashes > 1 THEN ' (' || crashes || ' crashes)' ELSE '' END ||
          CASE oc
            WHEN 'r_fixed' THEN '; fixed by hand ' || ${fmt('res_at')} || ' (field result)'
            WHEN 'e_fixed' THEN '; fixed by hand ' || ${fmt('fix_ev')}
            WHEN 'r_needs_reimage' THEN '; field result ' || ${fmt('res_at')} || ': needs reimage'
            WHEN 'e_reimage' THEN '; failed ' || ${fmt('reimage_at')} || ': needs reimage'
            WHEN 'r_in_progress' THEN '; fix in progress (field result ' || ${fmt('res_at')} || ')'
            WHEN 'r_failed' THEN '; hands-on fix failed ' || ${fmt('res_at')} || ': needs another visit'
            WHEN 'e_recovered' THEN '; self-recovered ' || ${fmt('rec_ev')}
            WHEN 'c_recovered' THEN '; back online ' || ${fmt('back_at')} || ' (a check-in after its last crash)'
            WHEN 'e_needs_fix' THEN '; no recovery or fix; last crash/reboot ' || ${fmt('loop_at')} || ', over ' || $recH || ' h before data time'
            ELSE '; last crash/reboot ' || ${fmt('loop_at')} || ', within ' || $recH || ' h of data time: may still self-recover'
          END
      END,
      crashed_at,
      CASE oc WHEN 'e_recovered' THEN rec_ev WHEN 'c_recovered' THEN back_at END,
      CASE oc WHEN 'r_fixed' THEN res_at WHEN 'e_fixed' THEN fix_ev END,
      CASE WHEN down AND first_crash IS NULL AND stop_at IS NOT NULL AND crashed_at = stop_at THEN 'suspected'
        WHEN oc = 'healthy' AND xc = 'online' THEN 'suspected' ELSE 'confirmed' END,
      CASE WHEN oc IS NULL THEN NULL WHEN oc = 'healthy' THEN CASE WHEN xc = 'received' THEN 'content' ELSE 'seen' END
        WHEN oc LIKE 'r_%' THEN 'result' WHEN oc IN ('e_fixed', 'e_reimage', 'e_recovered') THEN 'outcome'
        WHEN oc = 'c_recovered' THEN 'seen' ELSE 'crash' END,
      CASE WHEN oc IS NULL THEN NULL WHEN oc = 'healthy' THEN COALESCE(bad_at, seen_at)
        WHEN oc LIKE 'r_%' THEN res_at WHEN oc = 'e_fixed' THEN fix_ev WHEN oc = 'e_reimage' THEN reimage_at
        WHEN oc = 'e_recovered' THEN rec_ev WHEN oc = 'c_recovered' THEN back_at ELSE crashed_at END,
      CASE WHEN down AND first_crash IS NULL AND crashed_at = stop_at THEN stop_at END,
      NULL
    FROM o`,
    p,
  );
  // A suspected crash from silence becomes a fact of its own, pointing at the last check-in (file and line).
  db.run(`INSERT INTO facts(device_id, class, type, value, ts, as_of, import_id, line, source, derived)
    SELECT s.id, 'crash', 'stopped_reporting', 'last seen in the window and not since', s.stop_at, f.as_of, f.import_id,
      f.line, f.source, 1
    FROM temp._st s JOIN facts f ON f.id = (SELECT MIN(id) FROM facts WHERE device_id = s.id AND class = 'seen'
      AND ts = s.stop_at AND derived = 0)
    WHERE s.stop_at IS NOT NULL`);
  // The deciding fact: the device's fact of the deciding class at the deciding time (an index lookup each).
  db.run(`UPDATE temp._st SET decided = (SELECT MIN(f.id) FROM facts f WHERE f.device_id = _st.id AND f.class = _st.dclass
      AND f.ts = _st.dts) WHERE dclass IS NOT NULL AND dts IS NOT NULL`);
}

/** Adds (sign 1) or removes (sign -1) the contribution of the devices in `src` (a CUBE_SOURCE-shaped table). */
function applyCubes(ws: Workspace, src: string, sign: 1 | -1): void {
  const db = ws.db;
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

function clearZeros(ws: Workspace): void {
  ws.db.run('DELETE FROM an_counts WHERE n = 0');
  ws.db.run('DELETE FROM an_suspected WHERE n = 0');
  ws.db.run('DELETE FROM an_crash WHERE n = 0');
  ws.db.run('DELETE FROM an_burn WHERE delta = 0');
  ws.db.run('DELETE FROM an_ttr WHERE n = 0');
}

function insertCritical(ws: Workspace, src: string): void {
  ws.db.run(`INSERT OR REPLACE INTO an_critical(device_id, rank, category, hostname, ring, site, platform, tags, state)
    SELECT id, rk, CASE rk ${CRITICAL_CATEGORIES.map((c, i) => (i ? `WHEN ${i} THEN '${c}'` : '')).join(' ')} END,
      hostname, ring, site, platform, tags, state
    FROM (SELECT *, ${CRITICAL_RANK} AS rk FROM ${src}) WHERE rk IS NOT NULL`);
}

/**
 * The data time: the latest fact time among the fleet and crash sources (every event, every fact but a field
 * result, every device's last check-in), one SQL statement. Never the host clock, and never a field result: a
 * technician's laptop clock may run ahead of the fleet, and the states that depend on the data time must not move.
 */
function dataTime(ws: Workspace, cfg: AnalysisConfig, partial: boolean): number {
  if (partial) {
    // Only field results and ring overrides recompute in part: no fleet or crash fact is new, so the time holds.
    const stored = Number(meta(ws, 'analysis.as_of'));
    const seen = ws.db.value<number>('SELECT MAX(last_ts) FROM temp._ev') ?? 0;
    if (Number.isFinite(stored) && stored > 0) return Math.max(stored, seen);
  }
  // temp._ev.last_ts is each device's latest non-result fact; facts without a device yet (an orphan rollout row)
  // and events that make no fact (an 'offered' row, kept at fact sync) count too.
  const t = ws.db.value<number>(
    `SELECT MAX(COALESCE(t, 0)) FROM (
      SELECT MAX(last_ts) AS t FROM temp._ev
      UNION ALL SELECT MAX(ts) FROM facts WHERE device_id IS NULL AND class <> 'result' AND derived = 0
      UNION ALL SELECT MAX(last_seen) FROM devices
      UNION ALL SELECT CAST($events AS INTEGER))`,
    { $events: Number(meta(ws, 'facts.events_max_ts') ?? 0) || 0 },
  );
  return t && t > 0 ? t : cfg.windowEnd;
}

function storeKeyCounts(ws: Workspace): void {
  const k = ws.db.get<{ total: number; valid: number; invalid: number; withKey: number; unmatched: number }>(
    `SELECT COUNT(*) AS total, COALESCE(SUM(k.valid <> 0), 0) AS valid, COALESCE(SUM(k.valid = 0), 0) AS invalid,
      COUNT(DISTINCT COALESCE(d.superseded_by, k.device_id)) AS withKey, COALESCE(SUM(k.device_id IS NULL), 0) AS unmatched
     FROM keys k LEFT JOIN devices d ON d.id = k.device_id`,
  );
  setMeta(
    ws,
    'analysis.keys',
    JSON.stringify({
      total: k?.total ?? 0,
      valid: k?.valid ?? 0,
      invalid: k?.invalid ?? 0,
      devicesWithKey: k?.withKey ?? 0,
      unmatched: k?.unmatched ?? 0,
    }),
  );
}

/**
 * Recomputes every device's exposure and state, then the summary tables. Runs inside the caller's transaction
 * (a savepoint) so an import and its analysis commit together. With deviceIds, only those devices are redone
 * and the summaries are patched by removing their old contribution and adding the new one.
 */
export function recompute(ws: Workspace, opts: RecomputeOptions = {}): RecomputeStats {
  const t0 = globalThis.performance?.now() ?? Date.now();
  const partial = Array.isArray(opts.deviceIds);
  const clock = () => globalThis.performance?.now() ?? Date.now();
  let last = clock();
  const lap = (phase: string) => {
    const t = clock();
    if (opts.timings) opts.timings[phase] = Math.round(t - last);
    last = t;
  };
  return ws.db.tx(() => {
    const db = ws.db;
    if (partial) {
      db.run('DROP TABLE IF EXISTS temp._ids');
      db.run('CREATE TEMP TABLE _ids(id INTEGER PRIMARY KEY)');
      const stmt = db.prepare('INSERT OR IGNORE INTO temp._ids(id) VALUES (?)');
      try {
        for (const id of opts.deviceIds!) stmt.run([id]);
      } finally {
        stmt.free();
      }
      // A stale record's change moves its current device's numbers too, and the other way round.
      db.run(`INSERT OR IGNORE INTO temp._ids SELECT superseded_by FROM devices
        WHERE id IN (SELECT id FROM temp._ids) AND superseded_by IS NOT NULL`);
      db.run('DROP TABLE IF EXISTS temp._old');
      db.run('CREATE TEMP TABLE _old AS SELECT * FROM an_dev WHERE id IN (SELECT id FROM temp._ids)');
    }
    lap('prepare');
    syncFacts(ws);
    // New facts may move a derived window; field results and ring overrides (partial) cannot.
    if (!partial) refreshDerivedWindow(ws, readConfig(ws).badVersion);
    const cfg = readConfig(ws);
    lap('facts');
    buildEvidence(ws, cfg, partial);
    lap('evidence');
    const asOf = dataTime(ws, cfg, partial);
    lap('dataTime');
    buildStates(ws, params(cfg, asOf), partial);
    if (!cfg.windowSet) markWindowNotSet(ws.db, NO_WINDOW_RULE);
    lap('states');
    db.run(`UPDATE devices SET exposed = s.exposed, state = s.state, state_rule = COALESCE(s.rule, ''), crashed_at = s.crashed_at,
        recovered_at = s.recovered_at, fixed_at = s.fixed_at, certainty = s.certainty, decided_by = s.decided
      FROM temp._st s WHERE devices.id = s.id AND (devices.exposed IS NOT s.exposed OR devices.state IS NOT s.state
        OR devices.state_rule IS NOT s.rule OR devices.crashed_at IS NOT s.crashed_at
        OR devices.recovered_at IS NOT s.recovered_at OR devices.fixed_at IS NOT s.fixed_at
        OR devices.certainty IS NOT s.certainty OR devices.decided_by IS NOT s.decided)`);
    const changed = db.value<number>('SELECT changes()') ?? 0;
    lap('update');
    if (partial) {
      db.run('DROP TABLE IF EXISTS temp._new');
      db.run(`CREATE TEMP TABLE _new AS SELECT * FROM (${CUBE_SOURCE}) WHERE id IN (SELECT id FROM temp._ids)`);
      applyCubes(ws, 'temp._old', -1);
      applyCubes(ws, 'temp._new', 1);
      clearZeros(ws);
      db.run('DELETE FROM an_dev WHERE id IN (SELECT id FROM temp._ids)');
      db.run(`INSERT INTO an_dev(${DEV_COLS}) SELECT ${DEV_COLS} FROM temp._new`);
      db.run('DELETE FROM an_critical WHERE device_id IN (SELECT id FROM temp._ids)');
      insertCritical(ws, 'temp._new');
    } else {
      for (const t of ['an_counts', 'an_suspected', 'an_crash', 'an_burn', 'an_ttr', 'an_critical', 'an_dev'])
        db.run(`DELETE FROM ${t}`);
      db.run(`INSERT INTO an_dev(${DEV_COLS}) SELECT ${DEV_COLS} FROM (${CUBE_SOURCE})`);
      lap('an_dev');
      applyCubes(ws, 'an_dev', 1);
      clearZeros(ws);
      lap('cubes');
      insertCritical(ws, 'an_dev');
      lap('critical');
      storeKeyCounts(ws);
    }
    for (const t of ['_ids', '_old', '_new', '_ev', '_res', '_st']) db.run(`DROP TABLE IF EXISTS temp.${t}`);
    setMeta(ws, 'analysis.as_of', String(asOf));
    setMeta(ws, 'analysis.computed_at', String(ws.now()));
    const devices = db.value<number>('SELECT COALESCE(SUM(n), 0) FROM an_counts') ?? 0;
    const t1 = globalThis.performance?.now() ?? Date.now();
    return { devices, changed, asOf, ms: Math.round(t1 - t0) };
  });
}

/** Keys are counted at full recompute; an import of keys alone can refresh just these. */
export function refreshKeyCounts(ws: Workspace): void {
  storeKeyCounts(ws);
}

export { AFFECTED };
