// Reads a content's rollout from the workspace into typed arrays (one slot per receiving device, in receipt order).
import { readConfig } from '../analysis/config.js';
import * as replayTable from '../store/replay.js';
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

/**
 * Each ring's recipients as indices in receipt order, from the ring index of every recipient (two counting passes,
 * no per-recipient arrays). Shared by the row path and the packed path so both group the same way.
 */
export function ringGroups(
  rings: readonly { name: string; members: number }[],
  groupOf: Int32Array,
  count: number,
): RingGroup[] {
  const sizes = new Int32Array(rings.length);
  for (let j = 0; j < count; j++) sizes[groupOf[j]!]!++;
  const idx = Array.from(sizes, (s) => new Int32Array(s));
  const fill = new Int32Array(rings.length);
  for (let j = 0; j < count; j++) {
    const g = groupOf[j]!;
    idx[g]![fill[g]!++] = j;
  }
  return rings.map((r, g) => ({
    name: r.name,
    // A ring seen only in events (no device rows) still has its recipients as members.
    members: Math.max(r.members, idx[g]!.length),
    idx: idx[g]!,
  }));
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

/** A content's key in the caches: package@version. */
export function contentKey(pkg: string, version: string): string {
  return `${pkg}@${version}`;
}

/** Builds (or reuses) the receipt cache of one content: one row per device, in receipt order. */
export function ensureCache(ws: Workspace, pkg: string, version: string): { devices: number; source: string | null } {
  const key = contentKey(pkg, version);
  const derived = pkg === DERIVED_PACKAGE;
  // Derived receipts follow the analysis (exposure, crash times), which field results and config changes also move.
  const fp = derived
    ? `${replayTable.fingerprint(ws.db)}:d:${replayTable.derivedFingerprint(ws.db)}:${readConfig(ws).windowStart}`
    : replayTable.fingerprint(ws.db);
  const cached = replayTable.cacheEntry(ws.db, key);
  if (cached && cached.fingerprint === fp) return { devices: cached.devices, source: cached.source };
  const c = derived ? readConfig(ws) : null;
  const src: replayTable.ReceiptSource = c
    ? { derived: true, windowStart: c.windowStart, windowEnd: c.windowEnd }
    : { derived: false, package: pkg, version };
  return replayTable.rebuildReceipts(ws.db, key, src, fp, ws.now);
}

/**
 * The data's "now", by the analysis's rule: the latest time among the fleet and crash sources (every event, every
 * device's last check-in), never a field result nor the host clock. Memoised per fingerprint (an import moves it).
 */
export function latestEventTime(ws: Workspace): number {
  const fp = replayTable.fingerprint(ws.db);
  const memo = replayTable.dataTimeMemo(ws.db);
  if (memo) {
    const m = JSON.parse(memo) as { fp: string; t: number };
    if (m.fp === fp) return m.t;
  }
  const t = replayTable.latestEventOrCheckIn(ws.db);
  replayTable.saveDataTimeMemo(ws.db, JSON.stringify({ fp, t }));
  return t;
}

/** The contents in the rollout log, most crashes first (the incident's bad content is the first). */
export function listContents(ws: Workspace): ContentInfo[] {
  const rows = replayTable.contents(ws.db);
  if (!rows.length) {
    // No rollout log: one derived content, when the analysis finds any exposed device.
    const c = readConfig(ws);
    const exposed = replayTable.exposedDevices(ws.db);
    if (exposed > 0)
      rows.push({ package: DERIVED_PACKAGE, version: c.badVersion, first_at: c.windowStart, last_at: c.windowEnd });
  }
  const out: ContentInfo[] = rows.map((r) => {
    const { devices, source } = ensureCache(ws, r.package, r.version);
    const crashed = replayTable.crashedReceipts(ws.db, contentKey(r.package, r.version));
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
  const memo = replayTable.defaultContentMemo(ws.db);
  const fp = replayTable.fingerprint(ws.db);
  if (memo) {
    const m = JSON.parse(memo) as { fp: string; package: string; version: string };
    if (m.fp === fp) return { package: m.package, version: m.version };
  }
  const first = listContents(ws)[0];
  if (!first)
    throw new Error(
      'nothing to replay: no rollout events and no exposed device (import a fleet export such as Falcon hosts or Intune devices, or a rollout log)',
    );
  replayTable.saveDefaultContentMemo(ws.db, JSON.stringify({ fp, package: first.package, version: first.version }));
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
  let i = 0;
  let crashed = 0;
  replayTable.eachReceipt(ws.db, key, names, (row) => {
    if (i >= n) return false;
    groupOf[i] = row[0] as number;
    recv[i] = row[1] as number;
    const cr = row[2];
    crash[i] = cr === null ? NaN : (cr as number);
    if (cr !== null) crashed++;
    const fa = row[3];
    fail[i] = fa === null ? NaN : (fa as number);
    i++;
    return true;
  });
  const count = i;
  const groups = ringGroups(
    names.map((name) => ({ name, members: members.get(name) ?? 0 })),
    groupOf,
    count,
  );
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
export function ringNames(ws: Workspace, key: string): { names: string[]; members: Map<string, number> } {
  const members = new Map<string, number>();
  for (const r of replayTable.fleetRings(ws.db)) members.set(r.ring, r.n);
  const names: string[] = [...members.keys()];
  for (const ring of replayTable.receiptRings(ws.db, key)) if (!names.includes(ring)) names.push(ring);
  if (!names.includes('')) names.push('');
  return { names, members };
}
