// Named queries for a recompute's per-device evidence: temp._ev (from the facts view), temp._evt (the latest fact time),
// temp._res (latest field result), and the boot-loop facts the rules derive. Temp tables live for one recompute, inside its transaction.
import type { Db } from './db.js';
import { receiptsOf, type ReceiptFacts } from './exposure.js';
import { foldEvidence } from './evidence-fold.js';
import {
  EVENT_CONTENT,
  EVENT_SEEN,
  OS_UPDATE_SOURCES,
  REIMAGE,
  UNCLEAN,
  firstFactId,
  fleetLatest,
  minOverFacts,
  writeDerived,
} from './facts.js';

/**
 * An event's kind of evidence (k in scan) from its own columns: migration 35's event_facts view, class by class
 * (crash 3; restart 9 (unclean) or 4; seen 8; content 1 (the bad version) or 2; outcome 5, 6, 7), and NULL for an
 * event that makes no fact the pass reads (an OS update report as of its export is an 'update' fact; a failure
 * naming no reimage is none). Nothing here depends on the exposure window: finish applies it.
 *
 * The same values as the terms tested one after the other (crashed, rebooted, EVENT_SEEN, EVENT_CONTENT, recovered,
 * fixed, failed and REIMAGE: event-evidence.test.ts compares the two), but each event's kind is compared once, by a
 * CASE on it, most frequent kinds first: the terms compared a receipt's kind up to six times, and probed
 * OS_UPDATE's list of three as a temp B-tree twice. A receipt (received, installed) by an OS update report is a
 * check-in unless as of its export (then no evidence); by any other source, content. source is NOT NULL; were it
 * NULL, both forms give NULL.
 */
const OS_UPDATE_EQ = `(${OS_UPDATE_SOURCES.map((x) => `source = '${x}'`).join(' OR ')})`;
const RECEIPT = `CASE WHEN ${OS_UPDATE_EQ} THEN CASE WHEN NOT as_of THEN 8 END
    WHEN source IS NOT NULL THEN CASE WHEN version = $bad THEN 1 ELSE 2 END END`;
export const EVENT_EVIDENCE = `CASE kind WHEN 'crashed' THEN 3
  WHEN 'installed' THEN ${RECEIPT}
  WHEN 'rebooted' THEN CASE WHEN ${UNCLEAN} THEN 9 ELSE 4 END
  WHEN 'online' THEN 8 WHEN 'fixed' THEN 6 WHEN 'recovered' THEN 5
  WHEN 'received' THEN ${RECEIPT}
  WHEN 'failed' THEN CASE WHEN ${REIMAGE} THEN 7 END END`;

/**
 * A stored fact's kind of evidence (k in scan) from its class: NULL for a class the evidence does not read (ring,
 * version, update: they count only towards the latest fact time).
 */
const STORED_EVIDENCE = `CASE class
  WHEN 'crash' THEN 3
  -- 9: an unclean restart with a time (it may count towards a boot loop), 4: any other restart.
  WHEN 'restart' THEN CASE WHEN type = 'unclean' AND ts IS NOT NULL THEN 9 ELSE 4 END
  WHEN 'seen' THEN 8
  -- 1: a receipt of the bad content; 2: any other content receipt.
  WHEN 'content' THEN CASE WHEN value = $bad THEN 1 ELSE 2 END
  WHEN 'outcome' THEN CASE type WHEN 'recovered' THEN 5 WHEN 'fixed' THEN 6 WHEN 'reimage' THEN 7 ELSE 0 END
END`;

/** The settings the evidence pass reads (a subset of the analysis playbook). */
export interface EvidenceRules {
  badVersion: string;
  windowStart: number;
  windowEnd: number;
  burstCount: number;
  burstMs: number;
}

/** Per-device evidence from facts, as one set-based pass (the facts table is read once, never row by row). */
export function build(db: Db, cfg: EvidenceRules, partial: boolean): void {
  scan(db, cfg.badVersion, partial);
  finish(db, cfg, partial);
}

/**
 * The first half of build: each device's evidence that needs no exposure window, in one scan of each table under the
 * facts view (temp._ev), and the latest fact time (temp._evt). A full recompute derives the window from its receipts
 * of the bad content (receiptsFromEvidence) between the two halves, so the receipts are not read in a scan of their
 * own. Until finish, bad_at is the device's first receipt of the bad content at any time (bad_last the last) and
 * unclean counts every unclean restart (uncl_first, uncl_last their times). The first check-in (seen_first) and the
 * first and last receipt of other content (oth_first, oth_last) spare most devices a lookup of the first such fact
 * after a time of their own (back online; the fix that closed the window), which a scan cannot give. A full pass
 * folds the facts in JavaScript unless `fold` is false or the fold declines (foldAll); returns whether it folded.
 */
export function scan(db: Db, badVersion: string, partial: boolean, fold = true): boolean {
  const only = partial ? 'AND device_id IN (SELECT id FROM temp._ids)' : '';
  db.run(`DELETE FROM stored_facts WHERE derived = 1 ${only}`);
  db.run('DROP TABLE IF EXISTS temp._ev');
  db.run(`CREATE TEMP TABLE _ev(device_id INTEGER PRIMARY KEY, bad_at INTEGER, first_crash INTEGER, crashes INTEGER,
    last_loop INTEGER, rec_ev INTEGER, fix_ev INTEGER, reimage_at INTEGER, burst_at INTEGER,
    burst_n INTEGER, roll_ev INTEGER, seen_at INTEGER, back_at INTEGER, unclean INTEGER, bad_last INTEGER,
    uncl_first INTEGER, uncl_last INTEGER, seen_first INTEGER, oth_first INTEGER, oth_last INTEGER)`);
  // +device_id: a full scan of each table plus one sort beats millions of random row lookups through the device
  // indexes (the unary plus keeps the term from using an index).
  const dev = partial ? 'device_id IN (SELECT id FROM temp._ids)' : '+device_id IS NOT NULL';
  const from = `FROM facts WHERE ${dev} AND derived = 0`;
  // Only the classes the per-device evidence reads go through the sort: ring, version and update facts (a third of
  // them) count only towards the latest fact time, which is a maximum over all devices, taken by a plain scan. In a
  // full pass every derived fact was just deleted, and an event's time counts through the latest event time
  // (facts.events_max_ts, which the data time takes too): so the scan reads the stored facts' device index alone
  // (device, class, time: a third of the table's bytes), not the table nor the events. The fold takes it from the
  // stored facts it reads anyway.
  db.run('DROP TABLE IF EXISTS temp._evt');
  if (!partial && fold && foldAll(db, badVersion)) return true;
  // A full pass: the stored facts' latest, and the source rows' (fleet facts: a check-in, or fact_at, kept only with a
  // version or ring fact).
  db.run(
    partial
      ? `CREATE TEMP TABLE _evt AS SELECT MAX(ts) AS t ${from} AND class <> 'result'`
      : `CREATE TEMP TABLE _evt AS SELECT MAX(t) AS t FROM (
          SELECT MAX(ts) AS t FROM stored_facts WHERE device_id IS NOT NULL AND class <> 'result'
          UNION ALL ${fleetLatest()})`,
  );
  // Each fact is first reduced to its kind of evidence (k) and time, so the sort by device carries three numbers and
  // each aggregate tests one small integer, as a FILTER: a row steps only the aggregates its kind feeds (a MIN of a
  // CASE steps every aggregate on every row, NULL or not: a sixth of the statement); LIMIT -1 keeps SQLite from
  // flattening the subquery, which would carry every column through the sort and evaluate the whole CASE again in
  // every aggregate (a fifth of the pass). The two
  // tables under the facts view are read apart, the events by their kind (EVENT_EVIDENCE): through the view, every
  // event's class, type and value were made before its class was tested (a third of the statement).
  db.run(
    `INSERT INTO _ev(device_id, bad_at, first_crash, crashes, last_loop, rec_ev, fix_ev, reimage_at, roll_ev, seen_at,
      unclean, bad_last, uncl_first, uncl_last, seen_first, oth_first, oth_last) SELECT device_id,
      MIN(ts) FILTER (WHERE k = 1),
      MIN(ts) FILTER (WHERE k = 3),
      COUNT(*) FILTER (WHERE k = 3),
      MAX(ts) FILTER (WHERE k IN (3, 4, 9)),
      MIN(ts) FILTER (WHERE k = 5),
      MIN(ts) FILTER (WHERE k = 6),
      MIN(ts) FILTER (WHERE k = 7),
      -- Content rollout evidence only: an OS update report (Autopatch, WUfB, ConfigMgr) or a crash log says nothing
      -- about whether the bad content arrived (those are 'seen'/'update' facts, never 'content').
      COUNT(*) FILTER (WHERE k IN (1, 2)),
      MAX(ts) FILTER (WHERE k = 8), COUNT(*) FILTER (WHERE k = 9),
      MAX(ts) FILTER (WHERE k = 1), MIN(ts) FILTER (WHERE k = 9), MAX(ts) FILTER (WHERE k = 9),
      MIN(ts) FILTER (WHERE k = 8), MIN(ts) FILTER (WHERE k = 2), MAX(ts) FILTER (WHERE k = 2)
    FROM (SELECT device_id, ts, ${STORED_EVIDENCE} AS k
      FROM stored_facts WHERE ${dev} AND derived = 0 AND class IN ('content', 'crash', 'restart', 'outcome', 'seen')
      UNION ALL
      SELECT device_id, fact_seen, 8 FROM device_sources WHERE ${dev} AND fact_seen IS NOT NULL
      UNION ALL
      SELECT * FROM (SELECT device_id, ts, ${EVENT_EVIDENCE} AS k FROM events WHERE ${dev} LIMIT -1) WHERE k IS NOT NULL
      LIMIT -1)
    GROUP BY device_id`,
    { $bad: badVersion },
  );
  return false;
}

/**
 * A full pass's scan folded in JavaScript (evidence-fold.ts) instead of grouped: every stored fact but a field result
 * (derived ones were just deleted), its kind of evidence or NULL, its time counting towards temp._evt; and every
 * event of a device with a kind. False, with nothing written, when the fold declines: the GROUP BY then runs.
 */
function foldAll(db: Db, badVersion: string): boolean {
  const maxId = db.value<number>('SELECT COALESCE(MAX(id), 0) FROM devices') ?? 0;
  const folded = foldEvidence(
    db,
    [
      {
        sql: `SELECT device_id, ts, ${STORED_EVIDENCE} FROM stored_facts WHERE +device_id IS NOT NULL AND class <> 'result'`,
        latest: true,
      },
      // The fleet facts straight from the source rows' columns (not the view): a check-in is k 8; the versions' and
      // ring's time (fact_at) counts only towards the latest time.
      {
        sql: `SELECT device_id, fact_seen, CASE WHEN fact_seen IS NOT NULL THEN 8 END, fact_at FROM device_sources`,
        latest: true,
        alsoLatest: true,
        unbound: true,
      },
      // An event of no kind of evidence (k NULL) is passed over in the fold, not filtered by SQL (skipNull).
      {
        sql: `SELECT device_id, ts, ${EVENT_EVIDENCE} FROM events WHERE +device_id IS NOT NULL`,
        latest: false,
        skipNull: true,
      },
    ],
    [badVersion],
    maxId,
  );
  if (!folded) return false;
  db.run('CREATE TEMP TABLE _evt AS SELECT CAST(? AS INTEGER) AS t', [folded.latest]);
  return true;
}

/**
 * The receipts of the bad content the window is derived from, out of scan's temp._ev (a full pass's: every device):
 * the same as receiptFacts' own scan of the facts, whose receipts scan has just read. The fix (the first receipt of
 * other content after a device's first bad one): a device whose other receipts all came later has it in oth_first,
 * one with none later has none; only one with other receipts on both sides is looked up. An empty bad version is
 * left to the lookups: the lookup counts a receipt with no version as other content only when the bad one is not ''.
 */
export function receiptsFromEvidence(db: Db, badVersion: string): ReceiptFacts {
  if (badVersion === '') return receiptsOf(db, 'temp._ev', badVersion);
  // Fleet facts are never content receipts: the stored facts and the events alone.
  const later = minOverFacts(
    [
      'f.ts',
      `FROM stored_facts f WHERE f.device_id = b.device_id AND f.class = 'content' AND f.derived = 0
      AND COALESCE(f.value, '') <> $bad AND f.ts > b.bad_at`,
    ],
    [
      'f.ts',
      `FROM events f WHERE f.device_id = b.device_id AND ${EVENT_CONTENT} AND COALESCE(f.version, '') <> $bad
      AND f.ts > b.bad_at`,
    ],
  );
  return receiptsOf(
    db,
    'temp._ev',
    badVersion,
    `SELECT MIN(CASE WHEN b.oth_first > b.bad_at THEN b.oth_first WHEN b.oth_last > b.bad_at THEN ${later} END)
      FROM temp._ev b WHERE b.bad_at IS NOT NULL`,
  );
}

/**
 * Each device's first crash signal, earliest first, out of scan's temp._ev (a full pass's): its first crash or first
 * unclean restart with a time, as firstCrashTimes finds them in the facts view (a scan and a sort of every fact).
 */
export function firstCrashTimesFromEvidence(db: Db): number[] {
  return db
    .all<{ t: number }>(
      `SELECT t FROM (SELECT CASE WHEN first_crash IS NULL THEN uncl_first WHEN uncl_first IS NULL THEN first_crash
        ELSE min(first_crash, uncl_first) END AS t FROM temp._ev) WHERE t IS NOT NULL ORDER BY t`,
    )
    .map((r) => r.t);
}

/**
 * The second half of build, once the window is known: each device's first receipt of the bad content inside it, its
 * unclean restarts in the boot-loop rule's range, its boot loop, when it came back online, its latest field result.
 */
export function finish(db: Db, cfg: EvidenceRules, partial: boolean): void {
  const only = partial ? 'AND device_id IN (SELECT id FROM temp._ids)' : '';
  const p = { $bad: cfg.badVersion, $ws: cfg.windowStart, $we: cfg.windowEnd, $bm: cfg.burstMs };
  // A device whose receipts of the bad content all fall inside the window (a window derived from them always holds
  // them all) keeps its first one; any other is read again through the device indexes, inside the window alone.
  const badIn = minOverFacts(
    [
      'f.ts',
      `FROM stored_facts f WHERE f.device_id = _ev.device_id AND f.class = 'content' AND f.value = $bad
      AND f.derived = 0 AND f.ts BETWEEN $ws AND $we`,
    ],
    [
      'f.ts',
      `FROM events f WHERE f.device_id = _ev.device_id AND ${EVENT_CONTENT} AND f.version = $bad
      AND f.ts BETWEEN $ws AND $we`,
    ],
  );
  db.run(`UPDATE _ev SET bad_at = ${badIn} WHERE bad_at < $ws OR bad_last > $we`, p);
  // Likewise the unclean restarts in the boot-loop rule's range (window start to window end plus the burst).
  const uncleanIn = (table: string, cond: string) => `(SELECT COUNT(*) FROM ${table} f
    WHERE f.device_id = _ev.device_id AND ${cond} AND f.ts BETWEEN $ws AND $we + $bm)`;
  const storedUnclean = uncleanIn('stored_facts', "f.class = 'restart' AND f.type = 'unclean' AND f.derived = 0");
  db.run(
    `UPDATE _ev SET unclean = ${storedUnclean} + ${uncleanIn('events', `f.kind = 'rebooted' AND ${UNCLEAN}`)}
    WHERE unclean > 0 AND (uncl_first < $ws OR uncl_last > $we + $bm)`,
    p,
  );
  // A burst needs burstCount unclean restarts in the rule's range on one device: with none such (no Windows event log
  // imported, or no boot loop in it) the window query below, a scan of every fact, would find nothing.
  const loops = db.value<number>('SELECT COUNT(*) FROM _ev WHERE unclean >= ?', [cfg.burstCount]) ?? 0;
  // The boot-loop rule: burstCount unclean restarts (event 41 without a stop code, 6008) within burstMs, the first
  // inside the exposure window. Get-WinEvent | Export-Csv loses 41's BugcheckCode, so these are all such files carry.
  if (loops > 0)
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
  // The boot loop becomes a crash fact of its own, pointing at the first restart of the burst (file and line): never
  // a fleet fact.
  writeDerived(
    db,
    `SELECT e.device_id, 'boot_loop' AS type,
      e.burst_n || ' unclean restarts within ' || $min || ' min (rule: ' || $k || ' or more, the first in the window)'
        AS value, e.burst_at AS ts,
      ${firstFactId('e.device_id', "class = 'restart' AND type = 'unclean' AND ts = e.burst_at AND derived = 0", 'NULL')} AS fid
    FROM _ev e WHERE e.burst_at IS NOT NULL AND (e.first_crash IS NULL OR e.burst_at < e.first_crash)`,
    { $min: Math.round(cfg.burstMs / 60_000), $k: cfg.burstCount },
  );
  db.run(`UPDATE _ev SET first_crash = burst_at, crashes = MAX(crashes, 1)
    WHERE burst_at IS NOT NULL AND (first_crash IS NULL OR burst_at < first_crash)`);
  // Back online: the first check-in (any source) after the last crash or restart of its loop: the first check-in of
  // all when every one came after (no lookup), else looked up through the device indexes.
  const backAt = minOverFacts(
    ['f.ts', "FROM stored_facts f WHERE f.device_id = _ev.device_id AND f.class = 'seen' AND f.ts > _ev.last_loop"],
    ['f.fact_seen', 'FROM device_sources f WHERE f.device_id = _ev.device_id AND f.fact_seen > _ev.last_loop'],
    ['f.ts', `FROM events f WHERE f.device_id = _ev.device_id AND ${EVENT_SEEN} AND f.ts > _ev.last_loop`],
  );
  db.run(`UPDATE _ev SET back_at = CASE WHEN seen_first > last_loop THEN seen_first ELSE ${backAt} END
    WHERE first_crash IS NOT NULL AND seen_at > last_loop`);
  db.run('DROP TABLE IF EXISTS temp._res');
  db.run('CREATE TEMP TABLE _res(device_id INTEGER PRIMARY KEY, result TEXT, at INTEGER)');
  // The latest field result per device is the technician's latest word on it.
  db.run(`INSERT INTO _res SELECT device_id, result, at FROM (
      SELECT device_id, result, at, ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY at DESC, id DESC) AS rn
      FROM results ${partial ? 'WHERE device_id IN (SELECT id FROM temp._ids)' : ''}) WHERE rn = 1`);
}

/** The latest non-result fact time among the devices of the pass (0 when none). */
export function latest(db: Db): number {
  return db.value<number>('SELECT t FROM temp._evt') ?? 0;
}
