// Bulk loads: when a file is big enough to drop its tables' indexes and build them again after, and which ones.
import type { ImportKind } from '../contract/ingest.js';
import { orphanEventsExist } from '../store/event-writes.js';
import { KEY_UNIQUE_INDEX } from '../store/keys.js';
import { dropIndex, indexesOf, tableSize, type IndexDef } from '../store/staging.js';
import type { Workspace } from '../workspace.js';

/** Below this many (estimated) rows a file never triggers an index rebuild. */
const BULK_MIN_ROWS = 5_000;

/**
 * Whether a load is big enough, against what the table already holds, that dropping its indexes and building them
 * again afterwards (one sort each) beats maintaining them row by row (random B-tree inserts for every row).
 */
export function isBulk(ws: Workspace, kind: ImportKind, bytes: number, columns: number): boolean {
  const table = kind === 'fleet' ? 'devices' : kind === 'rollout' ? 'events' : 'keys';
  // Export rows run about a dozen bytes per column; MAX(id) is the table's size without a scan.
  const rows = bytes / Math.max(48, columns * 12);
  if (rows < BULK_MIN_ROWS) return false;
  const have = tableSize(ws.db, table);
  return rows * 4 >= have;
}

/**
 * Indexes the load itself reads: linking a reimaged machine's records (`superseded_by = ?`) scans the whole device
 * table once per stale record without it; a chunk of duplicate keys is dropped by ix_keys_chunk (appended in order,
 * so cheap to keep).
 */
const KEEP_INDEXES = new Set(['ix_devices_superseded', 'ix_keys_chunk']);
/** Device indexes over the columns the analysis writes (state). */
const STATE_INDEXES = ['ix_devices_state'];
/**
 * Unique indexes that may be rebuilt after a load: DeviceIndex's maps already keep these IDs unique while it runs,
 * KeyInserts its keys, and rebuilding them fails (rolling the import back) if that were ever not so.
 */
const REBUILD_UNIQUE = new Set(['ux_devices_falcon', 'ux_devices_entra', 'ux_devices_intune', KEY_UNIQUE_INDEX]);

/** The indexes identity reads in lookup mode (DeviceIndex with `lookup`): a load that looks devices up keeps them. */
const LOOKUP_INDEXES = new Set([
  'ux_devices_falcon',
  'ux_devices_entra',
  'ux_devices_intune',
  'ix_devices_host_key',
  'ix_devices_serial_key',
]);

/**
 * Drops the indexes of the tables a bulk load writes, returning their definitions to recreate after; `lookup`: the
 * load finds devices through the devices table's indexes, which stay.
 */
export function dropIndexes(ws: Workspace, kind: ImportKind, lookup = false): IndexDef[] {
  const tables = kind === 'fleet' ? ['devices', 'device_sources'] : kind === 'rollout' ? ['events'] : ['keys'];
  // After a large event load the analysis rewrites most devices' state: indexes over state would be updated row by
  // row, so they are rebuilt afterwards as well.
  const extra = kind === 'rollout' ? STATE_INDEXES : [];
  const rows = indexesOf(ws.db, tables, extra).filter(
    (r) =>
      !KEEP_INDEXES.has(r.name) &&
      !(lookup && LOOKUP_INDEXES.has(r.name)) &&
      (!/^\s*CREATE\s+UNIQUE/i.test(r.sql) || REBUILD_UNIQUE.has(r.name)),
  );
  for (const r of rows) dropIndex(ws.db, r.name);
  return rows;
}

/** The index linking orphan events reads: each one's device by host key. */
const ORPHAN_INDEX = 'ix_devices_host_key';

/**
 * Which dropped indexes a file's end builds again at once (`now`), and which of its own wait for the batch's end
 * (`later`): a fleet file links the events that wait for their device by host key, so that index comes back first
 * when there are such events, whether this file (`mine`) or an earlier one of the batch (`pending`) dropped it. With
 * none (the usual order: devices, then their events), it is built once at the batch's end like the rest, not once
 * per fleet file.
 */
export function indexesNow(
  ws: Workspace,
  kind: ImportKind,
  mine: IndexDef[],
  pending: IndexDef[],
): { now: IndexDef[]; later: IndexDef[] } {
  const link = [...mine, ...pending].filter((d) => d.name === ORPHAN_INDEX);
  const now = kind === 'fleet' && link.length && orphanEventsExist(ws.db) ? link : [];
  return { now, later: mine.filter((d) => !now.includes(d)) };
}
