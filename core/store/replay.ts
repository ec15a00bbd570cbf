// Named queries for the rollout replay: the per-content receipt cache, its packed columns, the contents in the
// rollout log, the ring names, the memos kept in meta, saved policies, and the conformance report's counts.
import type { SqlValue } from 'sql.js';
import type { Db } from './db.js';

const RECEIPT_KINDS = `kind IN ('installed','received')`;

/** What the receipts depend on: events are appended by imports; max(id) of both changes whenever they do (O(log n)). */
export function fingerprint(db: Db): string {
  const maxId = db.value<number>('SELECT MAX(id) FROM events') ?? 0;
  const imports = db.value<number>('SELECT MAX(id) FROM imports') ?? 0;
  return `${maxId}:${imports}`;
}

/** What derived receipts also depend on: the analysis data time and the field results. */
export function derivedFingerprint(db: Db): string {
  return `${db.value<string>("SELECT value FROM meta WHERE key = 'analysis.as_of'") ?? ''}:${db.value<number>('SELECT MAX(id) FROM results') ?? 0}`;
}

export function cacheEntry(db: Db, key: string) {
  return db.get<{ fingerprint: string; devices: number; source: string | null }>(
    'SELECT fingerprint, devices, source FROM replay_cache WHERE content = ?',
    [key],
  );
}

/** Where the receipts come from: a package and version of the rollout log, or the analysis's exposed devices. */
export type ReceiptSource =
  { derived: false; package: string; version: string } | { derived: true; windowStart: number; windowEnd: number };

/**
 * Rebuilds one content's receipt cache: one row per device, in receipt order, with its first crash and failure at
 * or after receipt. Returns the devices and the event source of the receipts ('derived' for derived ones).
 */
export function rebuildReceipts(
  db: Db,
  key: string,
  src: ReceiptSource,
  fp: string,
  now: () => number,
): { devices: number; source: string | null } {
  return db.tx(() => {
    db.run('DELETE FROM replay_receipts WHERE content = ?', [key]);
    // Two scans of the events instead of a lookup per device: first each device's first receipt (into a keyed temp
    // table), then one pass over the crashed/failed events joined to it. ORDER BY makes rowid order = receipt order.
    db.run('DROP TABLE IF EXISTS temp.replay_first_receipt');
    db.run('CREATE TEMP TABLE replay_first_receipt(device_id INTEGER PRIMARY KEY, ring TEXT, t INTEGER NOT NULL)');
    try {
      if (src.derived) {
        db.run(
          `INSERT INTO temp.replay_first_receipt(device_id, ring, t)
           SELECT id, NULL, CASE WHEN crashed_at BETWEEN ?1 AND ?2 THEN crashed_at ELSE MAX(?1, COALESCE(first_seen, ?1)) END
           FROM devices WHERE superseded_by IS NULL AND state NOT IN ('not_exposed', 'unknown')`,
          [src.windowStart, src.windowEnd],
        );
      } else
        db.run(
          `INSERT INTO temp.replay_first_receipt(device_id, ring, t)
           SELECT device_id, MIN(ring), MIN(ts) FROM events
           WHERE ${RECEIPT_KINDS} AND COALESCE(package,'') = ? AND COALESCE(version,'') = ? AND device_id IS NOT NULL
           GROUP BY device_id`,
          [src.package, src.version],
        );
      db.run(
        `INSERT INTO replay_receipts(content, device_id, event_ring, received_at, crashed_at, failed_at)
         SELECT ?, r.device_id, r.ring, r.t, x.crashed_at, x.failed_at
         FROM temp.replay_first_receipt r LEFT JOIN (
           SELECT e.device_id AS device_id, MIN(CASE WHEN e.kind = 'crashed' THEN e.ts END) AS crashed_at,
                  MIN(CASE WHEN e.kind = 'failed' THEN e.ts END) AS failed_at
           FROM events e JOIN temp.replay_first_receipt f ON f.device_id = e.device_id
           WHERE e.kind IN ('crashed', 'failed') AND e.ts >= f.t GROUP BY e.device_id) x ON x.device_id = r.device_id
         ORDER BY r.t, r.device_id`,
        [key],
      );
    } finally {
      db.run('DROP TABLE IF EXISTS temp.replay_first_receipt');
    }
    const devices = db.value<number>('SELECT COUNT(*) FROM replay_receipts WHERE content = ?', [key]) ?? 0;
    const source = src.derived
      ? 'derived'
      : (db.value<string>(
          `SELECT source FROM events WHERE ${RECEIPT_KINDS} AND COALESCE(package,'') = ? AND COALESCE(version,'') = ? LIMIT 1`,
          [src.package, src.version],
        ) ?? null);
    db.run(
      `INSERT INTO replay_cache(content, fingerprint, devices, source, built_at) VALUES (?,?,?,?,?)
       ON CONFLICT(content) DO UPDATE SET fingerprint = excluded.fingerprint, devices = excluded.devices,
         source = excluded.source, built_at = excluded.built_at`,
      [key, fp, devices, source, now()],
    );
    return { devices, source };
  });
}

/** The memoised data time ({ fp, t } as JSON), under a key of its own so memos from before check-ins counted are not reused. */
export function dataTimeMemo(db: Db): string | undefined {
  return db.value<string>("SELECT value FROM meta WHERE key = 'replay_data_time.v2'");
}

/** The latest time among every event and every device's last check-in. */
export function latestEventOrCheckIn(db: Db): number {
  return (
    db.value<number>(
      'SELECT MAX(t) FROM (SELECT MAX(ts) AS t FROM events UNION ALL SELECT MAX(last_seen) FROM devices)',
    ) ?? 0
  );
}

export function saveDataTimeMemo(db: Db, memo: string): void {
  db.run(
    `INSERT INTO meta(key, value) VALUES ('replay_data_time.v2', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    [memo],
  );
}

/** The contents in the rollout log (at most 50), by first receipt. */
export function contents(db: Db) {
  return db.all<{ package: string; version: string; first_at: number; last_at: number }>(
    `SELECT COALESCE(package,'') AS package, COALESCE(version,'') AS version, MIN(ts) AS first_at, MAX(ts) AS last_at
     FROM events WHERE ${RECEIPT_KINDS} GROUP BY 1, 2 ORDER BY 3 LIMIT 50`,
  );
}

/** Current devices the analysis counts as exposed (any state but not exposed and unknown). */
export function exposedDevices(db: Db): number {
  return (
    db.value<number>(
      "SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL AND state NOT IN ('not_exposed', 'unknown')",
    ) ?? 0
  );
}

/** A content's recipients that crashed at or after receipt. */
export function crashedReceipts(db: Db, key: string): number {
  return (
    db.value<number>('SELECT COUNT(*) FROM replay_receipts WHERE content = ? AND crashed_at IS NOT NULL', [key]) ?? 0
  );
}

/** The memoised default content ({ fp, package, version } as JSON). */
export function defaultContentMemo(db: Db): string | undefined {
  return db.value<string>("SELECT value FROM meta WHERE key = 'replay_default_content'");
}

export function saveDefaultContentMemo(db: Db, memo: string): void {
  db.run(
    `INSERT INTO meta(key, value) VALUES ('replay_default_content', ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    [memo],
  );
}

/** Current devices per effective ring ('' for none). */
export function fleetRings(db: Db): Array<{ ring: string; n: number }> {
  return db.all<{ ring: string; n: number }>(
    `SELECT COALESCE(ring_override, ring, '') AS ring, COUNT(*) AS n FROM devices WHERE superseded_by IS NULL GROUP BY 1`,
  );
}

/** The ring names a content's receipts carry from the rollout log ('' for none). */
export function receiptRings(db: Db, key: string): string[] {
  return db
    .all<{ ring: string }>("SELECT DISTINCT COALESCE(event_ring, '') AS ring FROM replay_receipts WHERE content = ?", [
      key,
    ])
    .map((r) => r.ring);
}

/** The ring index of a receipt's device: its current ring, else the rollout log's, among `names` (?2, ?3, …). */
const ringCase = (names: readonly string[]) =>
  `CASE COALESCE(d.ring_override, d.ring, r.event_ring, '') ${names.map((_, g) => `WHEN ?${g + 2} THEN ${g}`).join(' ')} ELSE -1 END`;

/**
 * Steps through a content's receipts joined to existing devices, in receipt order (the per-device reference path):
 * each row is [ring index, received_at, crashed_at, failed_at]; `take` returns false to stop.
 */
export function eachReceipt(db: Db, key: string, names: readonly string[], take: (row: SqlValue[]) => boolean): void {
  // CROSS JOIN keeps replay_receipts as the outer loop, so rows come in index (receipt) order.
  const stmt = db.prepare(
    `SELECT ${ringCase(names)}, r.received_at, r.crashed_at, r.failed_at
     FROM replay_receipts r CROSS JOIN devices d ON d.id = r.device_id
     WHERE r.content = ?1 ORDER BY r.received_at`,
  );
  try {
    stmt.bind([key, ...names]);
    while (stmt.step() && take(stmt.get()));
  } finally {
    stmt.free();
  }
}

/** What the packed arrays depend on: the events, the imports, the device ids and the ring-override counter. */
export function packedFingerprint(db: Db): string {
  const maxDevice = db.value<number>('SELECT MAX(id) FROM devices') ?? 0;
  const gen = db.value<number>('SELECT gen FROM replay_ring_gen WHERE id = 1') ?? 0;
  return `${fingerprint(db)}:${maxDevice}:${gen}`;
}

export function packedFingerprintOf(db: Db, key: string): string | undefined {
  return db.value<string>('SELECT fingerprint FROM replay_packed WHERE content = ?', [key]);
}

/**
 * A content's receipts joined to existing devices as one row: the count, then ring index, received, crashed,
 * failed and rowid, each a group_concat (all step on the same rows, so they line up; '' for a missing time).
 */
export function packedColumns(db: Db, key: string, names: readonly string[]): SqlValue[] {
  return db.raw.exec(
    `SELECT COUNT(*), group_concat(${ringCase(names)}, ','), group_concat(r.received_at, ','),
       group_concat(COALESCE(r.crashed_at, ''), ','), group_concat(COALESCE(r.failed_at, ''), ','),
       group_concat(r.rowid, ',')
     FROM replay_receipts r INDEXED BY ix_replay_receipts CROSS JOIN devices d ON d.id = r.device_id
     WHERE r.content = ?1`,
    [key, ...names],
  )[0]!.values[0]!;
}

export interface PackedRow {
  key: string;
  fingerprint: string;
  devices: number;
  crashed: number;
  rings: string;
  fleet: number;
  source: string | null;
  ringOf: Uint8Array;
  receivedAt: Uint8Array;
  crashedAt: Uint8Array;
  failedAt: Uint8Array;
  builtAt: number;
}

export function savePacked(db: Db, p: PackedRow): void {
  db.run(
    `INSERT INTO replay_packed(content, fingerprint, devices, crashed, rings, fleet, source, ring_of, received_at,
       crashed_at, failed_at, built_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
     ON CONFLICT(content) DO UPDATE SET fingerprint = excluded.fingerprint, devices = excluded.devices,
       crashed = excluded.crashed, rings = excluded.rings, fleet = excluded.fleet, source = excluded.source,
       ring_of = excluded.ring_of, received_at = excluded.received_at, crashed_at = excluded.crashed_at,
       failed_at = excluded.failed_at, built_at = excluded.built_at`,
    [
      p.key,
      p.fingerprint,
      p.devices,
      p.crashed,
      p.rings,
      p.fleet,
      p.source,
      p.ringOf,
      p.receivedAt,
      p.crashedAt,
      p.failedAt,
      p.builtAt,
    ],
  );
}

/** A content's packed row: devices, crashed, rings, fleet, source, ring_of, received_at, crashed_at, failed_at. */
export function packed(db: Db, key: string): SqlValue[] | undefined {
  const stmt = db.prepare(
    `SELECT devices, crashed, rings, fleet, source, ring_of, received_at, crashed_at, failed_at
     FROM replay_packed WHERE content = ?`,
  );
  try {
    stmt.bind([key]);
    return stmt.step() ? stmt.get() : undefined;
  } finally {
    stmt.free();
  }
}

/** Saved replay policies, oldest first. */
export function policies(db: Db) {
  return db.all<{ body: string; saved_at: number; saved_by: string; id: string }>(
    'SELECT id, body, saved_at, saved_by FROM replay_policies ORDER BY saved_at, id',
  );
}

/** Saves a policy, replacing the one with the same id. */
export function savePolicy(db: Db, p: { id: string; name: string; body: string; at: number; by: string }): void {
  db.run(
    `INSERT INTO replay_policies(id, name, body, saved_at, saved_by) VALUES (?,?,?,?,?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, body = excluded.body, saved_at = excluded.saved_at,
         saved_by = excluded.saved_by`,
    [p.id, p.name, p.body, p.at, p.by],
  );
}

// The conformance report's counts: which vendors' sources are present, their rings and the rollout facts.

/** Devices per (lower-cased) fleet source. */
export function deviceSourceCounts(db: Db): Array<{ source: string; n: number }> {
  return db.all<{ source: string; n: number }>(
    `SELECT LOWER(source) AS source, COUNT(DISTINCT device_id) AS n FROM device_sources GROUP BY 1`,
  );
}

/** Events per (lower-cased) source. */
export function eventSourceCounts(db: Db): Array<{ source: string; n: number }> {
  return db.all<{ source: string; n: number }>(`SELECT LOWER(source) AS source, COUNT(*) AS n FROM events GROUP BY 1`);
}

/** Current devices per effective ring among those any of `sources` reported, smallest ring first. */
export function vendorRings(db: Db, sources: readonly string[]): Array<{ ring: string; n: number }> {
  const inList = sources.map(() => '?').join(',');
  return db.all<{ ring: string; n: number }>(
    `SELECT COALESCE(d.ring_override, d.ring, '') AS ring, COUNT(DISTINCT d.id) AS n
       FROM devices d WHERE d.superseded_by IS NULL
         AND d.id IN (SELECT device_id FROM device_sources WHERE LOWER(source) IN (${inList}))
       GROUP BY 1 ORDER BY 2`,
    [...sources],
  );
}

/** Devices per ring as the rollout log of `sources` names them, smallest ring first. */
export function vendorEventRings(db: Db, sources: readonly string[]): Array<{ ring: string; n: number }> {
  const inList = sources.map(() => '?').join(',');
  return db.all<{ ring: string; n: number }>(
    `SELECT COALESCE(ring, '') AS ring, COUNT(DISTINCT device_id) AS n FROM events
         WHERE LOWER(source) IN (${inList}) GROUP BY 1 ORDER BY 2`,
    [...sources],
  );
}

/** When each ring first received each content (package@version), with the receipts counted. */
export function firstReceipts(
  db: Db,
  sources: readonly string[],
): Array<{ content: string; ring: string; first: number; n: number }> {
  const inList = sources.map(() => '?').join(',');
  return db.all<{ content: string; ring: string; first: number; n: number }>(
    `SELECT COALESCE(package,'') || '@' || COALESCE(version,'') AS content, COALESCE(ring,'') AS ring,
              MIN(ts) AS first, COUNT(*) AS n
       FROM events WHERE kind IN ('installed','received') AND LOWER(source) IN (${inList}) GROUP BY 1, 2`,
    [...sources],
  );
}

/** Paused and rolled-back events of `sources`, per kind. */
export function leverEvents(db: Db, sources: readonly string[]): Array<{ kind: string; n: number }> {
  const inList = sources.map(() => '?').join(',');
  return db.all<{ kind: string; n: number }>(
    `SELECT kind, COUNT(*) AS n FROM events WHERE kind IN ('paused','rolled_back') AND LOWER(source) IN (${inList}) GROUP BY kind`,
    [...sources],
  );
}
