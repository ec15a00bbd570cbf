// The replay's fast path: one content's receipts packed once into binary columns (ring, received, crashed, failed)
// and loaded as typed arrays in one read; data.ts's per-device path is the reference they are checked against.
import * as replayTable from '../store/replay.js';
import type { Workspace } from '../workspace.js';
import {
  contentKey,
  ensureCache,
  latestEventTime,
  resolveContent,
  ringGroups,
  ringNames,
  type ReplayData,
} from './data.js';

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
  const fp = replayTable.packedFingerprint(ws.db);
  const have = replayTable.packedFingerprintOf(ws.db, key);
  if (have === fp) return;
  const { source } = ensureCache(ws, pkg, version);
  const { names, members } = ringNames(ws, key);
  // Same rows as the per-device path: receipts joined to existing devices, one group_concat per column; the index
  // walk gives receipt order, which is checked below, not assumed.
  const row = replayTable.packedColumns(ws.db, key, names);
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
  replayTable.savePacked(ws.db, {
    key,
    fingerprint: fp,
    devices: n,
    crashed,
    rings: JSON.stringify(names.map((name) => ({ name, members: members.get(name) ?? 0 }))),
    fleet,
    source,
    ringOf: bytes(cols.ringOf),
    receivedAt: bytes(cols.recv),
    crashedAt: bytes(cols.crash),
    failedAt: bytes(cols.fail),
    builtAt: ws.now(),
  });
}

/** Loads one content's rollout from its packed arrays (built when stale), grouped by imported ring. */
export function loadReplayData(ws: Workspace, wanted: { package: string; version: string } | null): ReplayData {
  const c = resolveContent(ws, wanted);
  const key = contentKey(c.package, c.version);
  ensurePacked(ws, c.package, c.version);
  const row = replayTable.packed(ws.db, key);
  if (!row) throw new Error(`no packed rollout for ${key}`);
  const count = row[0] as number;
  if (count === 0) throw new Error(`no device received ${key} in the rollout log`);
  const rings = JSON.parse(row[2] as string) as Array<{ name: string; members: number }>;
  const groupOf = i32(row[5] as Uint8Array);
  const recv = f64(row[6] as Uint8Array);
  const groups = ringGroups(rings, groupOf, count);
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
