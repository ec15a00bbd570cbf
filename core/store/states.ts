// Named queries for a recompute's states: exposure class, outcome, state and the rule in words per device (temp._st),
// the derived stopped-reporting facts, and the write of the new states to the devices table.
import type { Db } from './db.js';
import { firstFactId, fleetCheckIn, writeDerived } from './facts.js';

/** The playbook settings and the data time the state rules read, resolved by the caller. */
export interface StateRules {
  windowStart: number;
  windowEnd: number;
  badVersion: string;
  /** The affected platform as stored (lower case) and as written in a rule. */
  platform: string;
  platformLabel: string;
  /** Lowest susceptible sensor version, as text and as its major and minor numbers. */
  minVersion: string;
  minMajor: number;
  minMinor: number;
  asOf: number;
  selfRecoveryMs: number;
  burstCount: number;
  burstMs: number;
}

/** A short UTC time: HH:MM on the day the window opened, MM-DD HH:MM on other days. */
function fmt(col: string): string {
  return `(CASE WHEN date(${col} / 1000, 'unixepoch') = $day0 THEN strftime('%H:%M', ${col} / 1000, 'unixepoch')
    ELSE strftime('%m-%d %H:%M', ${col} / 1000, 'unixepoch') END)`;
}

function params(cfg: StateRules) {
  const recH = String(Math.round((cfg.selfRecoveryMs / 3600_000) * 10) / 10);
  // The rules' constant text, joined here once instead of by || on every device.
  const ge = ` ≥ ${cfg.minVersion}`;
  return {
    $ws: cfg.windowStart,
    $we: cfg.windowEnd,
    $bad: cfg.badVersion,
    $plat: cfg.platform,
    $maj: cfg.minMajor,
    $min: cfg.minMinor,
    $asof: cfg.asOf,
    $rec: cfg.selfRecoveryMs,
    $day0: new Date(cfg.windowStart).toISOString().slice(0, 10),
    $burstK: cfg.burstCount,
    $burstMin: Math.round(cfg.burstMs / 60_000),
    $notAffected: `: not the affected platform (${cfg.platformLabel})`,
    $noVersion: `${cfg.platformLabel}, no sensor version on file: cannot decide exposure`,
    $sensor: `${cfg.platformLabel}, sensor `,
    $old: ` < ${cfg.minVersion}: not susceptible`,
    $received: `${ge}, received ${cfg.badVersion} at `,
    $notReceived: `${ge}, rollout data shows no ${cfg.badVersion} received in the window: not exposed`,
    $unknownOnline: `${ge}, no rollout data and no first/last seen: cannot tell whether it was online in the window`,
    $online: `${ge}, no rollout data; online in the window (last seen `,
    $offline: `${ge}, no rollout data; not online in the window (last seen `,
    $overRec: `, over ${recH} h before data time`,
    $withinRec: `, within ${recH} h of data time`,
    $stopOver: `; over ${recH} h before data time`,
    $stopWithin: `; within ${recH} h of data time`,
  };
}

/**
 * Exposure class, outcome and state per device, with the human sentence of the rule; into temp._st. The stages are
 * subqueries that SQLite runs as co-routines (LIMIT -1 keeps each from being flattened into the next): each row is
 * made once and handed on in registers. Flattened, every later reference would re-evaluate the earlier CASE
 * expressions (6x slower); MATERIALIZED, every stage wrote each device's row to a temp table and read it back.
 */
export function build(db: Db, rules: StateRules, partial: boolean): void {
  const p = params(rules);
  db.run('DROP TABLE IF EXISTS temp._st');
  db.run(`CREATE TEMP TABLE _st(id INTEGER PRIMARY KEY, exposed INTEGER, state TEXT, rule TEXT,
    crashed_at INTEGER, recovered_at INTEGER, fixed_at INTEGER, certainty TEXT, dclass TEXT, dts INTEGER,
    stop_at INTEGER, decided INTEGER)`);
  const sensor = `$sensor || COALESCE(NULLIF(ver, ''), '?')`;
  // The exposure class (xc), and the terms later stages test more than once, each made once.
  const exposure = `
      SELECT id, superseded_by, plat, ver, last_seen, bad_at, first_crash, crashes, rec_ev, fix_ev,
        reimage_at, burst_at, burst_n, result, res_at, res_in, seen_at, back_at, stop_at, last_loop, CASE
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
          -- A field result that puts the device down (and decides its outcome when no later fix event).
          COALESCE(r.result, '') IN ('fixed', 'in_progress', 'needs_reimage', 'failed') AS res_in,
          -- Stopped reporting (CrowdStrike's own July 19 query): last seen inside the window, not seen since, no
          -- crash, outcome or field result on file, and data time past the window. Only ever a suspected crash.
          CASE WHEN e.first_crash IS NULL AND e.fix_ev IS NULL AND e.reimage_at IS NULL AND e.rec_ev IS NULL
            AND r.result IS NULL AND e.seen_at BETWEEN $ws AND $we AND $asof > $we THEN e.seen_at END AS stop_at,
          (CAST(d.agent_version AS INTEGER) > $maj OR (CAST(d.agent_version AS INTEGER) = $maj
            AND CAST(substr(d.agent_version, instr(d.agent_version, '.') + 1) AS INTEGER) >= $min)) AS ver_ok
        FROM devices d LEFT JOIN temp._ev e ON e.device_id = d.id LEFT JOIN temp._res r ON r.device_id = d.id
        ${partial ? 'WHERE d.id IN (SELECT id FROM temp._ids)' : ''}
      )`;
  // Exposed; down (exposed with a crash, a fix or reimage event, a field result that says so, or silence); the last
  // crash or reboot.
  const down = `
      SELECT *, xc IN ('received', 'online') AS exposed, (xc IN ('received', 'online') AND (first_crash IS NOT NULL
          OR fix_ev IS NOT NULL OR reimage_at IS NOT NULL OR res_in OR stop_at IS NOT NULL)) AS down,
        COALESCE(last_loop, first_crash, fix_ev, reimage_at, res_at, stop_at) AS loop_at
      FROM (${exposure} LIMIT -1)`;
  // The outcome (oc) and the crash time.
  const outcome = `
      SELECT *, CASE WHEN down THEN COALESCE(first_crash, fix_ev, reimage_at, res_at, stop_at) END AS crashed_at,
        CASE WHEN NOT exposed THEN NULL
          WHEN NOT down THEN 'healthy'
          WHEN res_in AND (fix_ev IS NULL OR res_at >= fix_ev) THEN 'r_' || result
          WHEN fix_ev IS NOT NULL THEN 'e_fixed'
          WHEN reimage_at IS NOT NULL THEN 'e_reimage'
          WHEN rec_ev IS NOT NULL THEN 'e_recovered'
          WHEN back_at IS NOT NULL THEN 'c_recovered'
          WHEN $asof - loop_at > $rec THEN 'e_needs_fix'
          ELSE 'e_crashed' END AS oc
      FROM (${down} LIMIT -1)`;
  db.run(
    `INSERT INTO _st
    SELECT id, exposed, state, rule, crashed_at, recovered_at, fixed_at, certainty, dclass, dts, stop_at,
      -- The deciding fact: the device's fact of the deciding class at the deciding time (an index lookup each).
      ${firstFactId('q.id', 'class = q.dclass AND ts = q.dts', fleetCheckIn('q.id', "q.dclass = 'seen'", 'q.dts'))}
    FROM (
    SELECT id, exposed,
      CASE WHEN xc LIKE 'unknown%' THEN 'unknown' WHEN NOT exposed THEN 'not_exposed'
        WHEN oc = 'healthy' THEN 'exposed_healthy'
        WHEN oc IN ('r_fixed', 'e_fixed') THEN 'fixed'
        WHEN oc IN ('r_needs_reimage', 'e_reimage') THEN 'needs_reimage'
        WHEN oc = 'r_in_progress' THEN 'fix_in_progress'
        WHEN oc IN ('e_recovered', 'c_recovered') THEN 'self_recovered'
        WHEN oc IN ('r_failed', 'e_needs_fix') THEN 'needs_fix'
        ELSE 'crashed' END AS state,
      CASE WHEN superseded_by IS NOT NULL THEN 'Stale record (superseded by #' || superseded_by || '); ' ELSE '' END ||
      CASE xc
        WHEN 'unknown_platform' THEN 'No platform on file: cannot decide exposure'
        WHEN 'other_platform' THEN CASE lower(plat) WHEN 'mac' THEN 'macOS' WHEN 'linux' THEN 'Linux' ELSE plat END || $notAffected
        WHEN 'unknown_version' THEN $noVersion
        WHEN 'old_version' THEN ${sensor} || $old
        WHEN 'received' THEN ${sensor} || $received || ${fmt('bad_at')} || ' UTC'
        WHEN 'not_received' THEN ${sensor} || $notReceived
        WHEN 'unknown_online' THEN ${sensor} || $unknownOnline
        WHEN 'online' THEN ${sensor} || $online || ${fmt('last_seen')} || ' UTC)'
        ELSE ${sensor} || $offline || COALESCE(${fmt('last_seen')}, '?') || ' UTC): not exposed'
      END ||
      CASE WHEN oc IS NULL THEN ''
        WHEN oc = 'healthy' THEN '; no crash'
        WHEN burst_at IS NOT NULL AND crashed_at = burst_at THEN '; boot loop from ' || ${fmt('burst_at')} || ': ' ||
          burst_n || ' unclean restarts (event 41 without a stop code / 6008) within ' || $burstMin || ' min (rule: ' ||
          $burstK || ' or more)' || CASE oc
            WHEN 'e_recovered' THEN '; self-recovered ' || ${fmt('rec_ev')}
            WHEN 'c_recovered' THEN '; back online ' || ${fmt('back_at')} || ' (a check-in after its last crash)'
            WHEN 'e_needs_fix' THEN '; no recovery or fix; last crash/reboot ' || ${fmt('loop_at')} || $overRec
            WHEN 'e_crashed' THEN '; last crash/reboot ' || ${fmt('loop_at')} || $withinRec || ': may still self-recover'
            ELSE '; see field results and events' END
        WHEN first_crash IS NULL AND stop_at IS NOT NULL AND crashed_at = stop_at THEN
          '; stopped reporting: last seen ' || ${fmt('stop_at')} || ' in the window and not since (suspected crash)' ||
          CASE oc
            WHEN 'e_needs_fix' THEN $stopOver
            ELSE $stopWithin END
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
            WHEN 'e_needs_fix' THEN '; no recovery or fix; last crash/reboot ' || ${fmt('loop_at')} || $overRec
            ELSE '; last crash/reboot ' || ${fmt('loop_at')} || $withinRec || ': may still self-recover'
          END
      END AS rule,
      crashed_at,
      CASE oc WHEN 'e_recovered' THEN rec_ev WHEN 'c_recovered' THEN back_at END AS recovered_at,
      CASE oc WHEN 'r_fixed' THEN res_at WHEN 'e_fixed' THEN fix_ev END AS fixed_at,
      CASE WHEN down AND first_crash IS NULL AND stop_at IS NOT NULL AND crashed_at = stop_at THEN 'suspected'
        WHEN oc = 'healthy' AND xc = 'online' THEN 'suspected' ELSE 'confirmed' END AS certainty,
      CASE WHEN oc IS NULL THEN NULL WHEN oc = 'healthy' THEN CASE WHEN xc = 'received' THEN 'content' ELSE 'seen' END
        WHEN oc LIKE 'r_%' THEN 'result' WHEN oc IN ('e_fixed', 'e_reimage', 'e_recovered') THEN 'outcome'
        WHEN oc = 'c_recovered' THEN 'seen' ELSE 'crash' END AS dclass,
      CASE WHEN oc IS NULL THEN NULL WHEN oc = 'healthy' THEN COALESCE(bad_at, seen_at)
        WHEN oc LIKE 'r_%' THEN res_at WHEN oc = 'e_fixed' THEN fix_ev WHEN oc = 'e_reimage' THEN reimage_at
        WHEN oc = 'e_recovered' THEN rec_ev WHEN oc = 'c_recovered' THEN back_at ELSE crashed_at END AS dts,
      CASE WHEN down AND first_crash IS NULL AND crashed_at = stop_at THEN stop_at END AS stop_at
    FROM (${outcome} LIMIT -1) LIMIT -1) q`,
    p,
  );
  // A suspected crash from silence becomes a fact of its own, pointing at the last check-in (file and line).
  writeDerived(
    db,
    `SELECT s.id AS device_id, 'stopped_reporting' AS type, 'last seen in the window and not since' AS value,
      s.stop_at AS ts, ${firstFactId('s.id', "class = 'seen' AND ts = s.stop_at AND derived = 0", fleetCheckIn('s.id', '1', 's.stop_at'))} AS fid
    FROM temp._st s WHERE s.stop_at IS NOT NULL`,
    {},
  );
  // Its device may have had no fact of the deciding class at that time before it (a later id never lowers a MIN).
  db.run(`UPDATE temp._st SET decided = ${firstFactId('_st.id', 'class = _st.dclass AND ts = _st.dts', fleetCheckIn('_st.id', "_st.dclass = 'seen'", '_st.dts'))}
    WHERE decided IS NULL AND stop_at IS NOT NULL AND dclass IS NOT NULL AND dts IS NOT NULL`);
}

/** Writes temp._st's states to the devices whose state, rule, times or certainty changed; returns how many. */
export function apply(db: Db): number {
  db.run(`UPDATE devices SET exposed = s.exposed, state = s.state, state_rule = COALESCE(s.rule, ''), crashed_at = s.crashed_at,
        recovered_at = s.recovered_at, fixed_at = s.fixed_at, certainty = s.certainty, decided_by = s.decided
      FROM temp._st s WHERE devices.id = s.id AND (devices.exposed IS NOT s.exposed OR devices.state IS NOT s.state
        OR devices.state_rule IS NOT s.rule OR devices.crashed_at IS NOT s.crashed_at
        OR devices.recovered_at IS NOT s.recovered_at OR devices.fixed_at IS NOT s.fixed_at
        OR devices.certainty IS NOT s.certainty OR devices.decided_by IS NOT s.decided)`);
  return db.value<number>('SELECT changes()') ?? 0;
}
