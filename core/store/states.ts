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
  // The stages hand on small integer codes, not words: a CASE on an integer compares registers, where the words were
  // string compares, LIKE calls and IN lists probed as temp B-trees, and each word was copied stage to stage.
  // The exposure class (xc), in the CASE's order of tests: 1 unknown_platform, 4 other_platform, 2 unknown_version,
  // 5 old_version, 9 received, 6 not_received, 3 unknown_online, 8 online, 7 offline (so unknown is xc <= 3 and
  // exposed xc >= 8). The field result (rc): 1 fixed, 2 in_progress, 3 needs_reimage, 4 failed, 0 none or another.
  const exposure = `
      SELECT id, superseded_by, plat, ver, last_seen, bad_at, first_crash, crashes, rec_ev, fix_ev,
        reimage_at, burst_at, burst_n, rc, res_at, seen_at, back_at, stop_at, last_loop, CASE
          WHEN plat = '' AND bad_at IS NULL THEN 1
          WHEN plat <> '' AND lower(plat) <> $plat THEN 4
          WHEN COALESCE(ver, '') = '' AND bad_at IS NULL THEN 2
          WHEN COALESCE(ver, '') <> '' AND NOT ver_ok THEN 5
          WHEN bad_at IS NOT NULL THEN 9
          WHEN has_ev THEN 6
          WHEN first_seen IS NULL OR last_seen IS NULL THEN 3
          WHEN first_seen <= $we AND last_seen >= $ws THEN 8
          ELSE 7 END AS xc
      FROM (
        SELECT d.id, d.superseded_by, COALESCE(d.platform, '') AS plat, d.agent_version AS ver,
          d.first_seen, d.last_seen, COALESCE(e.roll_ev, 0) > 0 AS has_ev, e.bad_at, e.first_crash,
          COALESCE(e.crashes, 0) AS crashes, e.last_loop, e.rec_ev, e.fix_ev, e.reimage_at, e.burst_at, e.burst_n,
          r.at AS res_at, e.seen_at, e.back_at,
          -- A field result that puts the device down (and decides its outcome when no later fix event).
          CASE r.result WHEN 'fixed' THEN 1 WHEN 'in_progress' THEN 2 WHEN 'needs_reimage' THEN 3 WHEN 'failed' THEN 4
            ELSE 0 END AS rc,
          -- Stopped reporting (CrowdStrike's own July 19 query): last seen inside the window, not seen since, no
          -- crash, outcome or field result on file, and data time past the window. Only ever a suspected crash.
          CASE WHEN e.first_crash IS NULL AND e.fix_ev IS NULL AND e.reimage_at IS NULL AND e.rec_ev IS NULL
            AND r.result IS NULL AND e.seen_at BETWEEN $ws AND $we AND $asof > $we THEN e.seen_at END AS stop_at,
          (CAST(d.agent_version AS INTEGER) > $maj OR (CAST(d.agent_version AS INTEGER) = $maj
            AND CAST(substr(d.agent_version, instr(d.agent_version, '.') + 1) AS INTEGER) >= $min)) AS ver_ok
        FROM devices d LEFT JOIN temp._ev e ON e.device_id = d.id LEFT JOIN temp._res r ON r.device_id = d.id
        ${partial ? 'WHERE d.id IN (SELECT id FROM temp._ids)' : ''}
      )`;
  // Down: exposed with a crash, a fix or reimage event, a field result that says so, or silence.
  const down = `xc >= 8 AND (first_crash IS NOT NULL OR fix_ev IS NOT NULL OR reimage_at IS NOT NULL OR rc > 0
    OR stop_at IS NOT NULL)`;
  // The outcome (oc), NULL when not exposed: 1 healthy; from a field result 2 fixed, 3 in_progress, 4 needs_reimage,
  // 5 failed (rc + 1); from events 6 fixed, 7 reimage, 8 recovered; 9 back online (a check-in); 10 needs a fix;
  // 11 crashed. So a field result is 2..5, an outcome event 6..8, and down is oc >= 2. And the crash time.
  const outcome = `
      SELECT id, superseded_by, plat, ver, last_seen, bad_at, first_crash, crashes, rec_ev, fix_ev, reimage_at,
        burst_at, burst_n, res_at, seen_at, back_at, stop_at, last_loop, xc,
        CASE WHEN ${down} THEN COALESCE(first_crash, fix_ev, reimage_at, res_at, stop_at) END AS crashed_at,
        CASE WHEN xc < 8 THEN NULL
          WHEN NOT (${down}) THEN 1
          WHEN rc > 0 AND (fix_ev IS NULL OR res_at >= fix_ev) THEN rc + 1
          WHEN fix_ev IS NOT NULL THEN 6
          WHEN reimage_at IS NOT NULL THEN 7
          WHEN rec_ev IS NOT NULL THEN 8
          WHEN back_at IS NOT NULL THEN 9
          WHEN $asof - COALESCE(last_loop, first_crash, fix_ev, reimage_at, res_at, stop_at) > $rec THEN 10
          ELSE 11 END AS oc
      FROM (${exposure} LIMIT -1)`;
  // The last crash or reboot, printed only by the rules that name it.
  const loopAt = 'COALESCE(last_loop, first_crash, fix_ev, reimage_at, res_at, stop_at)';
  // Crashed only because it stopped reporting: its crash time is the silence. (A crash time is set only when down,
  // and a silence only with no crash on file, so neither needs its own test; NULL on either side is false.)
  const silent = 'crashed_at = stop_at';
  db.run(
    `INSERT INTO _st
    SELECT id, exposed, state, rule, crashed_at, recovered_at, fixed_at, certainty, dclass, dts, stop_at,
      -- The deciding fact: the device's fact of the deciding class at the deciding time (an index lookup each), for
      -- the devices that have one (none without a class: not the seeks into every device's facts that would say so).
      CASE WHEN dclass IS NOT NULL THEN
        ${firstFactId('q.id', 'class = q.dclass AND ts = q.dts', fleetCheckIn('q.id', "q.dclass = 'seen'", 'q.dts'))} END
    FROM (
    SELECT id, xc >= 8 AS exposed,
      CASE WHEN xc <= 3 THEN 'unknown' WHEN xc < 8 THEN 'not_exposed'
        ELSE CASE oc WHEN 6 THEN 'fixed' WHEN 8 THEN 'self_recovered' WHEN 9 THEN 'self_recovered'
          WHEN 2 THEN 'fixed' WHEN 1 THEN 'exposed_healthy' WHEN 10 THEN 'needs_fix' WHEN 5 THEN 'needs_fix'
          WHEN 7 THEN 'needs_reimage' WHEN 4 THEN 'needs_reimage' WHEN 3 THEN 'fix_in_progress'
          ELSE 'crashed' END END AS state,
      CASE WHEN superseded_by IS NOT NULL THEN 'Stale record (superseded by #' || superseded_by || '); ' ELSE '' END ||
      CASE xc
        WHEN 9 THEN ${sensor} || $received || ${fmt('bad_at')} || ' UTC'
        WHEN 6 THEN ${sensor} || $notReceived
        WHEN 5 THEN ${sensor} || $old
        WHEN 4 THEN CASE lower(plat) WHEN 'mac' THEN 'macOS' WHEN 'linux' THEN 'Linux' ELSE plat END || $notAffected
        WHEN 1 THEN 'No platform on file: cannot decide exposure'
        WHEN 2 THEN $noVersion
        WHEN 3 THEN ${sensor} || $unknownOnline
        WHEN 8 THEN ${sensor} || $online || ${fmt('last_seen')} || ' UTC)'
        ELSE ${sensor} || $offline || COALESCE(${fmt('last_seen')}, '?') || ' UTC): not exposed'
      END ||
      CASE WHEN oc IS NULL THEN ''
        WHEN oc = 1 THEN '; no crash'
        WHEN burst_at IS NOT NULL AND crashed_at = burst_at THEN '; boot loop from ' || ${fmt('burst_at')} || ': ' ||
          burst_n || ' unclean restarts (event 41 without a stop code / 6008) within ' || $burstMin || ' min (rule: ' ||
          $burstK || ' or more)' || CASE oc
            WHEN 8 THEN '; self-recovered ' || ${fmt('rec_ev')}
            WHEN 9 THEN '; back online ' || ${fmt('back_at')} || ' (a check-in after its last crash)'
            WHEN 10 THEN '; no recovery or fix; last crash/reboot ' || ${fmt(loopAt)} || $overRec
            WHEN 11 THEN '; last crash/reboot ' || ${fmt(loopAt)} || $withinRec || ': may still self-recover'
            ELSE '; see field results and events' END
        WHEN ${silent} THEN
          '; stopped reporting: last seen ' || ${fmt('stop_at')} || ' in the window and not since (suspected crash)' ||
          CASE oc
            WHEN 10 THEN $stopOver
            ELSE $stopWithin END
        ELSE '; crashed ' || ${fmt('crashed_at')} || CASE WHEN crashes > 1 THEN ' (' || crashes || ' crashes)' ELSE '' END ||
          CASE oc
            WHEN 6 THEN '; fixed by hand ' || ${fmt('fix_ev')}
            WHEN 8 THEN '; self-recovered ' || ${fmt('rec_ev')}
            WHEN 9 THEN '; back online ' || ${fmt('back_at')} || ' (a check-in after its last crash)'
            WHEN 2 THEN '; fixed by hand ' || ${fmt('res_at')} || ' (field result)'
            WHEN 4 THEN '; field result ' || ${fmt('res_at')} || ': needs reimage'
            WHEN 7 THEN '; failed ' || ${fmt('reimage_at')} || ': needs reimage'
            WHEN 3 THEN '; fix in progress (field result ' || ${fmt('res_at')} || ')'
            WHEN 5 THEN '; hands-on fix failed ' || ${fmt('res_at')} || ': needs another visit'
            WHEN 10 THEN '; no recovery or fix; last crash/reboot ' || ${fmt(loopAt)} || $overRec
            ELSE '; last crash/reboot ' || ${fmt(loopAt)} || $withinRec || ': may still self-recover'
          END
      END AS rule,
      crashed_at,
      CASE oc WHEN 8 THEN rec_ev WHEN 9 THEN back_at END AS recovered_at,
      CASE oc WHEN 6 THEN fix_ev WHEN 2 THEN res_at END AS fixed_at,
      CASE WHEN ${silent} THEN 'suspected'
        WHEN oc = 1 AND xc = 8 THEN 'suspected' ELSE 'confirmed' END AS certainty,
      CASE WHEN oc IS NULL THEN NULL WHEN oc = 1 THEN CASE WHEN xc = 9 THEN 'content' ELSE 'seen' END
        WHEN oc <= 5 THEN 'result' WHEN oc <= 8 THEN 'outcome' WHEN oc = 9 THEN 'seen' ELSE 'crash' END AS dclass,
      CASE WHEN oc IS NULL THEN NULL WHEN oc = 1 THEN COALESCE(bad_at, seen_at)
        WHEN oc <= 5 THEN res_at WHEN oc = 6 THEN fix_ev WHEN oc = 7 THEN reimage_at
        WHEN oc = 8 THEN rec_ev WHEN oc = 9 THEN back_at ELSE crashed_at END AS dts,
      CASE WHEN ${silent} THEN stop_at END AS stop_at
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

/**
 * Writes temp._st's states to the devices whose state, rule, times or certainty changed; returns how many. A rule
 * that is NULL (a time strftime cannot print) is stored as '', and compared as '', so a repeat run leaves it be.
 * OR FAIL: an UPDATE of many rows that may abort keeps a statement journal, a copy of each page before it changes
 * (every device's at a full pass); none of these values can break a NOT NULL (the state and exposure come from CASEs
 * with an ELSE, the rule is COALESCEd), and were one to, the error ends the analysis, which its savepoint or the
 * import batch's transaction undoes.
 */
export function apply(db: Db): number {
  db.run(`UPDATE OR FAIL devices SET exposed = s.exposed, state = s.state, state_rule = COALESCE(s.rule, ''), crashed_at = s.crashed_at,
        recovered_at = s.recovered_at, fixed_at = s.fixed_at, certainty = s.certainty, decided_by = s.decided
      FROM temp._st s WHERE devices.id = s.id AND (devices.exposed IS NOT s.exposed OR devices.state IS NOT s.state
        OR devices.state_rule IS NOT COALESCE(s.rule, '') OR devices.crashed_at IS NOT s.crashed_at
        OR devices.recovered_at IS NOT s.recovered_at OR devices.fixed_at IS NOT s.fixed_at
        OR devices.certainty IS NOT s.certainty OR devices.decided_by IS NOT s.decided)`);
  return db.value<number>('SELECT changes()') ?? 0;
}
