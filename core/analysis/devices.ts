// The device explorer: keyset-paged, filtered, sorted device lists; one device's full record; CSV export.
import { RawReader } from '../store/raw-rows.js';
import * as detailTable from '../store/device-detail.js';
import type { EventRow, ResultRow } from '../store/device-detail.js';
import * as deviceTable from '../store/devices.js';
import { SORT_KEYS, TEXT_COUNT_CAP, type DeviceQuery, type SortKey } from '../store/devices.js';
import * as summaryTables from '../store/summary.js';
import type { CriticalRow } from '../store/summary.js';
import type { Workspace } from '../workspace.js';
import { toCsv } from '../shared/csv.js';
import { evidenceChain, type EvidenceChain } from './facts.js';
import { statesOf, type DashFilter } from './filter.js';

// The query and row shapes are the repository's; the features and the renderer import them from here.
export { SORT_KEYS, TEXT_COUNT_CAP, type DeviceQuery, type DeviceRow, type SortKey } from '../store/devices.js';
export type { CriticalRow } from '../store/summary.js';

const blank = (v: string | null | undefined) => v === undefined || v === null || v.trim() === '';

export interface DevicePage {
  rows: deviceTable.DeviceRow[];
  total: number;
  /** A text search whose matches fill more than this page: total is -1 and deviceTotal counts them (capped). */
  countPending: boolean;
  nextCursor: string | null;
}

function encodeCursor(v: unknown, id: number): string {
  return JSON.stringify([v, id]);
}

function decodeCursor(c: string): [string | number, number] {
  const parsed = JSON.parse(c) as unknown;
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[1] !== 'number')
    throw new Error('invalid page cursor');
  return [parsed[0] as string | number, parsed[1]];
}

export function devices(ws: Workspace, q: DeviceQuery = {}): DevicePage {
  const sort: SortKey = q.sort && SORT_KEYS.includes(q.sort) ? q.sort : 'hostname';
  const dir = q.dir === 'desc' ? 'DESC' : 'ASC';
  const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 100)), 5000);
  const states = blank(q.state) ? null : statesOf(q.state!.trim());
  const offset = q.cursor ? 0 : Math.max(0, Math.floor(q.offset ?? 0));
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const { rows, total, countPending } = deviceTable.page(ws.db, q, { sort, dir, limit, offset, states, after });
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page.map(({ sortv: _s, ...r }) => ({ ...r, sources: r.sources ?? '', stale: Boolean(r.stale) })),
    total,
    countPending,
    nextCursor: more && last ? encodeCursor(last.sortv, last.id) : null,
  };
}

/**
 * How many devices a query matches, counted up to TEXT_COUNT_CAP (capped: more match): the count a text search's
 * first page leaves pending. Filters the summary tables answer are counted in full, as the first page counts them.
 */
export function deviceTotal(ws: Workspace, q: DeviceQuery = {}): { total: number; capped: boolean } {
  return deviceTable.countCapped(ws.db, q, blank(q.state) ? null : statesOf(q.state!.trim()), TEXT_COUNT_CAP);
}

export interface SourceRecord {
  source: string;
  file: string | null;
  line: number;
  nativeId: string | null;
  raw: Record<string, string>;
}

export interface DeviceDetail {
  device: Record<string, unknown>;
  rule: string;
  /** Every fact on file for the device, with source file, line and time, and the one that decided its state. */
  evidence: EvidenceChain | null;
  sources: SourceRecord[];
  staleRecords: Array<{
    id: number;
    hostname: string;
    falconAid: string | null;
    lastSeen: number | null;
    sources: SourceRecord[];
  }>;
  events: EventRow[];
  eventsTotal: number;
  results: ResultRow[];
  /** Key IDs and their validity only: the recovery passwords never leave the vault here. */
  keys: Array<{
    keyId: string;
    valid: boolean;
    problem: string | null;
    volumeType: string | null;
    hostHint: string | null;
    createdAt: number | null;
  }>;
}

function sourcesOf(ws: Workspace, id: number): SourceRecord[] {
  const reader = new RawReader(ws);
  return detailTable.sourceRows(ws.db, id).map((r) => ({
    source: r.source,
    file: r.file,
    line: r.line,
    nativeId: r.native_id,
    // Rows are stored compressed as cell arrays with the header once per import; the reader gives header -> text.
    raw: reader.row(r.import_id, r.line, r.raw),
  }));
}

export const MAX_DETAIL_EVENTS = 500;

export function deviceDetail(ws: Workspace, id: number): DeviceDetail | null {
  const device = detailTable.record(ws.db, id);
  if (!device) return null;
  const stale = detailTable.staleRecords(ws.db, id);
  const ids = [id, ...stale.map((s) => s.id)];
  return {
    device,
    rule: String(device.state_rule ?? ''),
    evidence: evidenceChain(ws, id),
    sources: sourcesOf(ws, id),
    staleRecords: stale.map((s) => ({
      id: s.id,
      hostname: s.hostname,
      falconAid: s.falcon_aid,
      lastSeen: s.last_seen,
      sources: sourcesOf(ws, s.id),
    })),
    events: detailTable.events(ws.db, ids, MAX_DETAIL_EVENTS),
    eventsTotal: detailTable.eventCount(ws.db, ids),
    results: detailTable.results(ws.db, ids),
    keys: detailTable.keyInfo(ws.db, ids).map((k) => ({ ...k, valid: Boolean(k.valid) })),
  };
}

const iso = (t: number | null) => (t === null || t === undefined ? '' : new Date(t).toISOString());

export const CSV_HEADER = [
  'hostname',
  'ring',
  'site',
  'state',
  'platform',
  'sensor_version',
  'device_type',
  'tags',
  'last_seen_utc',
  'crashed_at_utc',
  'sources',
  'stale',
];

/** Every device the query matches (all pages), as rows in CSV_HEADER's order (for the CSV and XLSX exports). */
export function deviceExportRows(ws: Workspace, q: DeviceQuery = {}, max = Infinity): unknown[][] {
  const rows: unknown[][] = [];
  let cursor: string | null = null;
  do {
    const page: DevicePage = devices(ws, { ...q, cursor, limit: 5000 });
    for (const r of page.rows)
      rows.push([
        r.hostname,
        r.ring,
        r.site,
        r.state,
        r.platform,
        r.version,
        r.type,
        r.tags,
        iso(r.lastSeen),
        iso(r.crashedAt),
        r.sources,
        r.stale ? 'yes' : 'no',
      ]);
    cursor = page.nextCursor;
  } while (cursor && rows.length < max);
  return rows;
}

/** Every device the query matches (all pages), as CSV text with formula-injection protection. */
export function exportDevicesCsv(ws: Workspace, q: DeviceQuery = {}): string {
  return toCsv(CSV_HEADER, deviceExportRows(ws, q));
}

/** Critical devices still down (servers, domain controllers, clinical, kiosks…), most critical first. */
export function criticalDevices(
  ws: Workspace,
  filter: DashFilter = {},
  limit = 50,
): { rows: CriticalRow[]; byCategory: Array<{ category: string; remaining: number; total: number }> } {
  return summaryTables.critical(ws.db, filter, statesOf('remaining'), limit);
}
