// Named queries behind the exposure window: receipts of the bad content, the fix that replaced it, first crashes.
import type { Db } from './db.js';
import { EVENT_CONTENT, minOverFacts } from './facts.js';

export interface ReceiptFacts {
  /** Devices with at least one receipt fact of the bad content. */
  devices: number;
  first: number | null;
  last: number | null;
  /** The first receipt of another content version on a device, after that device received the bad one. */
  fixAt: number | null;
}

/**
 * Receipt facts (class 'content': a rollout `received`/`installed` row, never an OS update report) of `badVersion`,
 * and the first receipt of whatever replaced it. Derived facts are left out: they hang on the window itself.
 */
export function receiptFacts(db: Db, badVersion: string): ReceiptFacts {
  // Each device's first and last receipt of the bad content, from one scan of each table under the facts view
  // (+device_id: a scan and a sort of the receipts, not every fact's row looked up in device order); the counts and
  // the fix come from it. The events are read by their own columns (EVENT_CONTENT): through the view, every event's
  // class, type and value were made before the class was tested (two thirds of the statement).
  db.run('DROP TABLE IF EXISTS temp._bad');
  db.run('CREATE TEMP TABLE _bad(device_id INTEGER PRIMARY KEY, bad_at INTEGER, bad_last INTEGER)');
  db.run(
    `INSERT INTO _bad SELECT device_id, MIN(ts), MAX(ts) FROM (
       SELECT device_id, ts FROM stored_facts
       WHERE class = 'content' AND value = $bad AND derived = 0 AND +device_id IS NOT NULL
       UNION ALL
       SELECT device_id, ts FROM events WHERE ${EVENT_CONTENT} AND version = $bad AND +device_id IS NOT NULL
     ) GROUP BY device_id`,
    { $bad: badVersion },
  );
  try {
    return receiptsOf(db, 'temp._bad', badVersion);
  } finally {
    db.run('DROP TABLE temp._bad');
  }
}

/**
 * The receipt facts out of `table`, each device's first and last receipt of the bad content (device_id, bad_at,
 * bad_last; NULLs for a device whose receipts have no time): receiptFacts' own, or the evidence pass's (temp._ev).
 * `fixAtSql`: a statement giving the fix out of the table, in place of every device's later receipts looked up.
 */
export function receiptsOf(db: Db, table: string, badVersion: string, fixAtSql?: string): ReceiptFacts {
  // A device counts when one of its receipts has a time (MIN ignores the rest).
  const bad = db.get<{ devices: number; first: number | null; last: number | null }>(
    `SELECT COUNT(bad_at) AS devices, MIN(bad_at) AS first, MAX(bad_last) AS last FROM ${table}`,
  );
  // CROSS JOIN: each receiving device's later receipts through the device index, not a scan of every fact (the two
  // tables under the facts view apart: the view takes no correlated term).
  // (Fleet facts are never content receipts.)
  const lookups = `SELECT ${minOverFacts(
    [
      'f.ts',
      `FROM ${table} b CROSS JOIN stored_facts f ON f.device_id = b.device_id
     WHERE b.bad_at IS NOT NULL AND f.class = 'content' AND f.derived = 0 AND COALESCE(f.value, '') <> $bad
       AND f.ts > b.bad_at`,
    ],
    [
      'f.ts',
      `FROM ${table} b CROSS JOIN events f ON f.device_id = b.device_id
     WHERE b.bad_at IS NOT NULL AND ${EVENT_CONTENT} AND COALESCE(f.version, '') <> $bad AND f.ts > b.bad_at`,
    ],
  )}`;
  const fixAt = bad && bad.devices > 0 ? (db.value<number>(fixAtSql ?? lookups, { $bad: badVersion }) ?? null) : null;
  return { devices: bad?.devices ?? 0, first: bad?.first ?? null, last: bad?.last ?? null, fixAt };
}

/**
 * Each device's first crash signal (imported facts only), earliest first: a crash, or an unclean restart (event 41
 * without a stop code, 6008), which is all a boot loop leaves in a `Get-WinEvent | Export-Csv` file.
 */
export function firstCrashTimes(db: Db): number[] {
  return db
    .all<{ t: number }>(
      `SELECT MIN(ts) AS t FROM facts
       WHERE (class = 'crash' OR (class = 'restart' AND type = 'unclean')) AND derived = 0 AND device_id IS NOT NULL
         AND ts IS NOT NULL
       GROUP BY device_id ORDER BY t`,
    )
    .map((r) => r.t);
}

/**
 * With no exposure window, exposure cannot be decided: every device's pending state (temp._st, written by the
 * recompute) becomes unknown, with the reason in its rule.
 */
export function markWindowNotSet(db: Db, rule: string): void {
  db.run(
    `UPDATE temp._st SET exposed = 0, state = 'unknown', rule = $rule, crashed_at = NULL, recovered_at = NULL,
       fixed_at = NULL, certainty = 'confirmed', dclass = NULL, dts = NULL, stop_at = NULL, decided = NULL`,
    { $rule: rule },
  );
}

/** Removes meta keys (a chosen window given back to the derived one). */
export function forgetMeta(db: Db, keys: readonly string[]): void {
  for (const key of keys) db.run('DELETE FROM meta WHERE key = ?', [key]);
}
