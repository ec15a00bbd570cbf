// Reads a content's rollout from the workspace into typed arrays (one slot per receiving device, in receipt order).
import { readConfig } from '../analysis/config.js';
import type { Workspace } from '../workspace.js';

/**
 * The package name of receipts derived from what fleet exports carry, for a workspace without a rollout log (a Falcon
 * or Intune shop): a device that the analysis counts as exposed (susceptible platform and sensor version, and online
 * in the exposure window by first/last seen, or a received event) received the bad content.
 */
export const DERIVED_PACKAGE = 'derived-from-exports';

/** Which facts a derived replay used, in words, for the result. */
export function derivedBasis(ws: Workspace): string {
  const c = readConfig(ws);
  const w = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  return (
    `No rollout log in this workspace: receipts of ${c.badVersion} are derived from the fleet exports. A device counts ` +
    `as a recipient when the analysis finds it exposed: ${c.platform}, sensor version ≥ ${c.minVersion}, and online in ` +
    `the exposure window ${w(c.windowStart)} – ${w(c.windowEnd).slice(11)} UTC by its first and last seen (or a ` +
    `received event). Its receipt time is its first crash when it crashed in the window, else the window start (or ` +
    `its first seen, if later). A rollout log, when imported, replaces this with real receipt times.`
  );
}

/** One rolled-out content: the `installed` (or `received`) events of one package + version. */
export interface ContentInfo {
  key: string;
  package: string;
  version: string;
  /** Devices that received it. */
  devices: number;
  /** Of those, devices with a `crashed` event at or after their receipt. */
  crashed: number;
  firstAt: number;
  lastAt: number;
  /** The event source (falcon, intune, ...) of the receipts. */
  source: string | null;
}

export interface RingGroup {
  /** Imported ring name as the data spells it ('' when the device has none). */
  name: string;
  /** Fleet devices (real machines) in this imported ring, recipients or not. */
  members: number;
  /** Indices into the arrays below, ascending = receipt order. */
  idx: Int32Array;
}

/** Everything the replay needs, without per-event objects: parallel typed arrays sorted by receipt time. */
export interface ReplayData {
  content: ContentInfo;
  /** Content release: the first receipt anywhere. Simulated rings are placed relative to it. */
  t0: number;
  /** Latest event time in the workspace (the data's "now"). */
  dataTime: number;
  /** Real machines in the fleet (stale records excluded). */
  fleet: number;
  recv: Float64Array;
  /** First crash at or after receipt, NaN when none. */
  crash: Float64Array;
  /** First `failed` at or after receipt, NaN when none. */
  fail: Float64Array;
  groups: RingGroup[];
}

const RECEIPT_KINDS = `kind IN ('installed','received')`;

function contentKey(pkg: string, version: string): string {
  return `${pkg}@${version}`;
}

function fingerprint(ws: Workspace): string {
  // Events are appended by imports; max(id) and the row count of imports change whenever they do (both O(log n)).
  const maxId = ws.db.value<number>('SELECT MAX(id) FROM events') ?? 0;
  const imports = ws.db.value<number>('SELECT MAX(id) FROM imports') ?? 0;
  return `${maxId}:${imports}`;
}

/** Builds (or reuses) the receipt cache of one content: one row per device, in receipt order. */
export function ensureCache(ws: Workspace, pkg: string, version: string): { devices: number; source: string | null } {
  const key = contentKey(pkg, version);
  const derived = pkg === DERIVED_PACKAGE;
  // Derived receipts follow the analysis (exposure, crash times), which field results and config changes also move.
  const fp = derived
    ? `${fingerprint(ws)}:d:${ws.db.value<string>("SELECT value FROM meta WHERE key = 'analysis.as_of'") ?? ''}:${ws.db.value<number>('SELECT MAX(id) FROM results') ?? 0}:${readConfig(ws).windowStart}`
    : fingerprint(ws);
  const cached = ws.db.get<{ fingerprint: string; devices: number; source: string | null }>(
    'SELECT fingerprint, devices, source FROM replay_cache WHERE content = ?',
    [key],
  );
  if (cached && cached.fingerprint === fp) return { devices: cached.devices, source: cached.source };
  return ws.db.tx(() => {
    ws.db.run('DELETE FROM replay_receipts WHERE content = ?', [key]);
    // Two scans of the events instead of a lookup per device: first each device's first receipt (into a keyed temp
    // table), then one pass over the crashed/failed events joined to it. ORDER BY makes rowid order = receipt order.
    ws.db.run('DROP TABLE IF EXISTS temp.replay_first_receipt');
    ws.db.run('CREATE TEMP TABLE replay_first_receipt(device_id INTEGER PRIMARY KEY, ring TEXT, t INTEGER NOT NULL)');
    try {
      if (derived) {
        const c = readConfig(ws);
        ws.db.run(
          `INSERT INTO temp.replay_first_receipt(device_id, ring, t)
           SELECT id, NULL, CASE WHEN crashed_at BETWEEN ?1 AND ?2 THEN crashed_at ELSE MAX(?1, COALESCE(first_seen, ?1)) END
           FROM devices WHERE superseded_by IS NULL AND state NOT IN ('not_exposed', 'unknown')`,
          [c.windowStart, c.windowEnd],
        );
      } else
        ws.db.run(
          `INSERT INTO temp.replay_first_receipt(device_id, ring, t)
           SELECT device_id, MIN(ring), MIN(ts) FROM events
           WHERE ${RECEIPT_KINDS} AND COALESCE(package,'') = ? AND COALESCE(version,'') = ? AND device_id IS NOT NULL
           GROUP BY device_id`,
          [pkg, version],
        );
      ws.db.run(
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
      ws.db.run('DROP TABLE IF EXISTS temp.replay_first_receipt');
    }
    const devices = ws.db.value<number>('SELECT COUNT(*) FROM replay_receipts WHERE content = ?', [key]) ?? 0;
    const source = derived
      ? 'derived'
      : (ws.db.value<string>(
          `SELECT source FROM events WHERE ${RECEIPT_KINDS} AND COALESCE(package,'') = ? AND COALESCE(version,'') = ? LIMIT 1`,
          [pkg, version],
        ) ?? null);
    ws.db.run(
      `INSERT INTO replay_cache(content, fingerprint, devices, source, built_at) VALUES (?,?,?,?,?)
       ON CONFLICT(content) DO UPDATE SET fingerprint = excluded.fingerprint, devices = excluded.devices,
         source = excluded.source, built_at = excluded.built_at`,
      [key, fp, devices, source, ws.now()],
    );
    return { devices, source };
  });
}

/**
 * The data's "now", by the analysis's rule: the latest time among the fleet and crash sources (every event, every
 * device's last check-in), never a field result nor the host clock. Memoised per fingerprint (an import moves it).
 */
export function latestEventTime(ws: Workspace): number {
  const fp = fingerprint(ws);
  // A key of its own: memos from before check-ins counted would otherwise be reused under the same fingerprint.
  const memo = ws.db.value<string>("SELECT value FROM meta WHERE key = 'replay_data_time.v2'");
  if (memo) {
    const m = JSON.parse(memo) as { fp: string; t: number };
    if (m.fp === fp) return m.t;
  }
  const t =
    ws.db.value<number>(
      'SELECT MAX(t) FROM (SELECT MAX(ts) AS t FROM events UNION ALL SELECT MAX(last_seen) FROM devices)',
    ) ?? 0;
  ws.db.run(
    `INSERT INTO meta(key, value) VALUES ('replay_data_time.v2', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    [JSON.stringify({ fp, t })],
  );
  return t;
}

/** The contents in the rollout log, most crashes first (the incident's bad content is the first). */
export function listContents(ws: Workspace): ContentInfo[] {
  const rows = ws.db.all<{ package: string; version: string; first_at: number; last_at: number }>(
    `SELECT COALESCE(package,'') AS package, COALESCE(version,'') AS version, MIN(ts) AS first_at, MAX(ts) AS last_at
     FROM events WHERE ${RECEIPT_KINDS} GROUP BY 1, 2 ORDER BY 3 LIMIT 50`,
  );
  if (!rows.length) {
    // No rollout log: one derived content, when the analysis finds any exposed device.
    const c = readConfig(ws);
    const exposed =
      ws.db.value<number>(
        "SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL AND state NOT IN ('not_exposed', 'unknown')",
      ) ?? 0;
    if (exposed > 0)
      rows.push({ package: DERIVED_PACKAGE, version: c.badVersion, first_at: c.windowStart, last_at: c.windowEnd });
  }
  const out: ContentInfo[] = rows.map((r) => {
    const { devices, source } = ensureCache(ws, r.package, r.version);
    const crashed =
      ws.db.value<number>('SELECT COUNT(*) FROM replay_receipts WHERE content = ? AND crashed_at IS NOT NULL', [
        contentKey(r.package, r.version),
      ]) ?? 0;
    return {
      key: contentKey(r.package, r.version),
      package: r.package,
      version: r.version,
      devices,
      crashed,
      firstAt: r.first_at,
      lastAt: r.last_at,
      source,
    };
  });
  return out.sort((a, b) => b.crashed - a.crashed || b.devices - a.devices || a.firstAt - b.firstAt);
}

/** Picks the content: the policy's, or the one with the most crashes after receipt. */
export function resolveContent(
  ws: Workspace,
  wanted: { package: string; version: string } | null,
): { package: string; version: string } {
  if (wanted) return wanted;
  const memo = ws.db.value<string>("SELECT value FROM meta WHERE key = 'replay_default_content'");
  const fp = fingerprint(ws);
  if (memo) {
    const m = JSON.parse(memo) as { fp: string; package: string; version: string };
    if (m.fp === fp) return { package: m.package, version: m.version };
  }
  const first = listContents(ws)[0];
  if (!first)
    throw new Error(
      'nothing to replay: no rollout events and no exposed device (import a fleet export such as Falcon hosts or Intune devices, or a rollout log)',
    );
  ws.db.run(
    `INSERT INTO meta(key, value) VALUES ('replay_default_content', ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    [JSON.stringify({ fp, package: first.package, version: first.version })],
  );
  return { package: first.package, version: first.version };
}

/**
 * The per-device path: one content's receipts read row by row through a prepared statement (one row per device).
 * The replay uses the packed arrays (loadReplayData); this path is the reference they are checked against.
 */
export function loadReplayDataRows(ws: Workspace, wanted: { package: string; version: string } | null): ReplayData {
  const c = resolveContent(ws, wanted);
  const key = contentKey(c.package, c.version);
  const { devices: n, source } = ensureCache(ws, c.package, c.version);
  if (n === 0) throw new Error(`no device received ${key} in the rollout log`);
  const recv = new Float64Array(n);
  const crash = new Float64Array(n);
  const fail = new Float64Array(n);
  const groupOf = new Int32Array(n);
  // Ring names first (one GROUP BY in C), so the per-row read below carries only numbers: strings are the slow part.
  // A stale device without a ring resolves to '' even when no current device has an empty ring.
  const { names, members } = ringNames(ws, key);
  const ringCase = `CASE COALESCE(d.ring_override, d.ring, r.event_ring, '') ${names.map((_, g) => `WHEN ?${g + 2} THEN ${g}`).join(' ')} ELSE -1 END`;
  // CROSS JOIN keeps replay_receipts as the outer loop, so rows come in index (receipt) order.
  const stmt = ws.db.prepare(
    `SELECT ${ringCase}, r.received_at, r.crashed_at, r.failed_at
     FROM replay_receipts r CROSS JOIN devices d ON d.id = r.device_id
     WHERE r.content = ?1 ORDER BY r.received_at`,
  );
  let i = 0;
  let crashed = 0;
  try {
    stmt.bind([key, ...names]);
    while (stmt.step() && i < n) {
      const row = stmt.get();
      groupOf[i] = row[0] as number;
      recv[i] = row[1] as number;
      const cr = row[2];
      crash[i] = cr === null ? NaN : (cr as number);
      if (cr !== null) crashed++;
      const fa = row[3];
      fail[i] = fa === null ? NaN : (fa as number);
      i++;
    }
  } finally {
    stmt.free();
  }
  const count = i;
  const sizes = new Int32Array(names.length);
  for (let j = 0; j < count; j++) sizes[groupOf[j]!]!++;
  const idx = Array.from(sizes, (s) => new Int32Array(s));
  const fill = new Int32Array(names.length);
  for (let j = 0; j < count; j++) {
    const g = groupOf[j]!;
    idx[g]![fill[g]!++] = j;
  }
  const groups: RingGroup[] = names.map((name, g) => ({
    name,
    // A ring seen only in events (no device rows) still has its recipients as members.
    members: Math.max(members.get(name) ?? 0, idx[g]!.length),
    idx: idx[g]!,
  }));
  let fleet = 0;
  for (const m of members.values()) fleet += m;
  const dataTime = latestEventTime(ws);
  return {
    content: {
      key,
      package: c.package,
      version: c.version,
      devices: count,
      crashed,
      firstAt: count ? recv[0]! : 0,
      lastAt: count ? recv[count - 1]! : 0,
      source,
    },
    t0: count ? recv[0]! : 0,
    dataTime,
    fleet: fleet || groups.reduce((s, g) => s + g.members, 0),
    recv: count === n ? recv : recv.slice(0, count),
    crash: count === n ? crash : crash.slice(0, count),
    fail: count === n ? fail : fail.slice(0, count),
    groups,
  };
}

/** The ring names a content's devices resolve to (fleet ring names first) and the fleet's members per ring. */
function ringNames(ws: Workspace, key: string): { names: string[]; members: Map<string, number> } {
  const members = new Map<string, number>();
  for (const r of ws.db.all<{ ring: string; n: number }>(
    `SELECT COALESCE(ring_override, ring, '') AS ring, COUNT(*) AS n FROM devices WHERE superseded_by IS NULL GROUP BY 1`,
  ))
    members.set(r.ring, r.n);
  const names: string[] = [...members.keys()];
  for (const r of ws.db.all<{ ring: string }>(
    "SELECT DISTINCT COALESCE(event_ring, '') AS ring FROM replay_receipts WHERE content = ?",
    [key],
  ))
    if (!names.includes(r.ring)) names.push(r.ring);
  if (!names.includes('')) names.push('');
  return { names, members };
}

/** What the packed arrays depend on: the events, the imports, the device ids and the ring-override counter. */
function packedFingerprint(ws: Workspace): string {
  const maxDevice = ws.db.value<number>('SELECT MAX(id) FROM devices') ?? 0;
  const gen = ws.db.value<number>('SELECT gen FROM replay_ring_gen WHERE id = 1') ?? 0;
  return `${fingerprint(ws)}:${maxDevice}:${gen}`;
}

interface Columns {
  ringOf: Int32Array;
  recv: Float64Array;
  crash: Float64Array;
  fail: Float64Array;
}

/**
 * Parses a group_concat of integers (`12,-1,,7`; empty = NaN) into `out`. A hand-rolled scan, because splitting 1M
 * values into strings is the slow part; anything but an integer (a real-valued timestamp) takes the exact slow path.
 */
function parseColumn(text: string, out: Int32Array | Float64Array): void {
  const len = text.length;
  let k = 0;
  let v = 0;
  let neg = false;
  let any = false;
  for (let p = 0; p <= len; p++) {
    const ch = p < len ? text.charCodeAt(p) : 44;
    if (ch >= 48 && ch <= 57) {
      v = v * 10 + (ch - 48);
      any = true;
    } else if (ch === 45 && !any && !neg) neg = true;
    else if (ch === 44) {
      out[k++] = any ? (neg ? -v : v) : NaN;
      v = 0;
      neg = false;
      any = false;
    } else {
      text.split(',').forEach((x, i) => (out[i] = x === '' ? NaN : Number(x)));
      return;
    }
  }
}

/** The columns sorted by (receipt time, rowid) = the cache's receipt order; a copy only when the scan was not. */
function inReceiptOrder(cols: Columns, rowid: Float64Array): Columns {
  const { recv } = cols;
  const n = recv.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++)
    sorted = recv[i - 1]! < recv[i]! || (recv[i - 1] === recv[i] && rowid[i - 1]! < rowid[i]!);
  if (sorted) return cols;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => recv[a]! - recv[b]! || rowid[a]! - rowid[b]!);
  const pick = <T extends Int32Array | Float64Array>(src: T, out: T): T => {
    order.forEach((o, i) => (out[i] = src[o]!));
    return out;
  };
  return {
    ringOf: pick(cols.ringOf, new Int32Array(n)),
    recv: pick(recv, new Float64Array(n)),
    crash: pick(cols.crash, new Float64Array(n)),
    fail: pick(cols.fail, new Float64Array(n)),
  };
}

const bytes = (a: Int32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function f64(b: Uint8Array): Float64Array {
  // A blob copied out of sql.js starts its own buffer; copy anyway when it would be misaligned.
  const a = b.byteOffset % 8 === 0 ? b : b.slice();
  return new Float64Array(a.buffer, a.byteOffset, a.byteLength / 8);
}

function i32(b: Uint8Array): Int32Array {
  const a = b.byteOffset % 4 === 0 ? b : b.slice();
  return new Int32Array(a.buffer, a.byteOffset, a.byteLength / 4);
}

/**
 * Builds (when stale) the packed arrays of one content: the receipt cache rows joined to the devices' current rings,
 * concatenated by SQLite into one string in receipt order, parsed once and stored as binary columns. A replay then
 * reads one row (a few tens of MB at 1M devices) instead of stepping through one row per device.
 */
export function ensurePacked(ws: Workspace, pkg: string, version: string): void {
  const key = contentKey(pkg, version);
  const fp = packedFingerprint(ws);
  const have = ws.db.value<string>('SELECT fingerprint FROM replay_packed WHERE content = ?', [key]);
  if (have === fp) return;
  const { source } = ensureCache(ws, pkg, version);
  const { names, members } = ringNames(ws, key);
  const ringCase = `CASE COALESCE(d.ring_override, d.ring, r.event_ring, '') ${names.map((_, g) => `WHEN ?${g + 2} THEN ${g}`).join(' ')} ELSE -1 END`;
  // Same rows as the per-device path: receipts joined to existing devices. One group_concat per column (all step on
  // the same rows, so they line up); the index walk gives receipt order, which is checked below, not assumed.
  const row = ws.db.raw.exec(
    `SELECT COUNT(*), group_concat(${ringCase}, ','), group_concat(r.received_at, ','),
       group_concat(COALESCE(r.crashed_at, ''), ','), group_concat(COALESCE(r.failed_at, ''), ','),
       group_concat(r.rowid, ',')
     FROM replay_receipts r INDEXED BY ix_replay_receipts CROSS JOIN devices d ON d.id = r.device_id
     WHERE r.content = ?1`,
    [key, ...names],
  )[0]!.values[0]!;
  const n = row[0] as number;
  const raw: Columns = {
    ringOf: new Int32Array(n),
    recv: new Float64Array(n),
    crash: new Float64Array(n),
    fail: new Float64Array(n),
  };
  const rowid = new Float64Array(n);
  if (n > 0) {
    parseColumn(row[1] as string, raw.ringOf);
    parseColumn(row[2] as string, raw.recv);
    parseColumn(row[3] as string, raw.crash);
    parseColumn(row[4] as string, raw.fail);
    parseColumn(row[5] as string, rowid);
  }
  const cols = inReceiptOrder(raw, rowid);
  let crashed = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(cols.crash[i]!)) crashed++;
  let fleet = 0;
  for (const m of members.values()) fleet += m;
  ws.db.run(
    `INSERT INTO replay_packed(content, fingerprint, devices, crashed, rings, fleet, source, ring_of, received_at,
       crashed_at, failed_at, built_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
     ON CONFLICT(content) DO UPDATE SET fingerprint = excluded.fingerprint, devices = excluded.devices,
       crashed = excluded.crashed, rings = excluded.rings, fleet = excluded.fleet, source = excluded.source,
       ring_of = excluded.ring_of, received_at = excluded.received_at, crashed_at = excluded.crashed_at,
       failed_at = excluded.failed_at, built_at = excluded.built_at`,
    [
      key,
      fp,
      n,
      crashed,
      JSON.stringify(names.map((name) => ({ name, members: members.get(name) ?? 0 }))),
      fleet,
      source,
      bytes(cols.ringOf),
      bytes(cols.recv),
      bytes(cols.crash),
      bytes(cols.fail),
      ws.now(),
    ],
  );
}

/** Loads one content's rollout from its packed arrays (built when stale), grouped by imported ring. */
export function loadReplayData(ws: Workspace, wanted: { package: string; version: string } | null): ReplayData {
  const c = resolveContent(ws, wanted);
  const key = contentKey(c.package, c.version);
  ensurePacked(ws, c.package, c.version);
  const stmt = ws.db.prepare(
    `SELECT devices, crashed, rings, fleet, source, ring_of, received_at, crashed_at, failed_at
     FROM replay_packed WHERE content = ?`,
  );
  let row: ReturnType<typeof stmt.get>;
  try {
    stmt.bind([key]);
    if (!stmt.step()) throw new Error(`no packed rollout for ${key}`);
    row = stmt.get();
  } finally {
    stmt.free();
  }
  const count = row[0] as number;
  if (count === 0) throw new Error(`no device received ${key} in the rollout log`);
  const rings = JSON.parse(row[2] as string) as Array<{ name: string; members: number }>;
  const groupOf = i32(row[5] as Uint8Array);
  const recv = f64(row[6] as Uint8Array);
  const sizes = new Int32Array(rings.length);
  for (let j = 0; j < count; j++) sizes[groupOf[j]!]!++;
  const idx = Array.from(sizes, (s) => new Int32Array(s));
  const fill = new Int32Array(rings.length);
  for (let j = 0; j < count; j++) {
    const g = groupOf[j]!;
    idx[g]![fill[g]!++] = j;
  }
  const groups: RingGroup[] = rings.map((r, g) => ({
    name: r.name,
    // A ring seen only in events (no device rows) still has its recipients as members.
    members: Math.max(r.members, idx[g]!.length),
    idx: idx[g]!,
  }));
  const fleet = row[3] as number;
  return {
    content: {
      key,
      package: c.package,
      version: c.version,
      devices: count,
      crashed: row[1] as number,
      firstAt: recv[0]!,
      lastAt: recv[count - 1]!,
      source: (row[4] as string | null) ?? null,
    },
    t0: recv[0]!,
    dataTime: latestEventTime(ws),
    fleet: fleet || groups.reduce((s, g) => s + g.members, 0),
    recv,
    crash: f64(row[7] as Uint8Array),
    fail: f64(row[8] as Uint8Array),
    groups,
  };
}
