// The device explorer: keyset-paged, filtered, sorted device lists; one device's full record; CSV export.
import type { DeviceState } from '../contract/analysis.js';
import { RawReader } from '../store/raw-rows.js';
import type { Workspace } from '../workspace.js';
import { toCsv } from './csv.js';
import { evidenceChain, type EvidenceChain } from './facts.js';
import { cubeWhere, inList, NONE, statesOf, TAG_MATCH, type DashFilter, type Where } from './filter.js';

export const SORT_KEYS = ['hostname', 'ring', 'site', 'state', 'platform', 'version', 'lastSeen', 'crashedAt'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface DeviceQuery extends DashFilter {
  /** A state name or a class: exposed, affected, remaining, fixed, recovered. */
  state?: string | null;
  /** Agent version prefix, e.g. "7.11" or "7.16.18605". */
  version?: string | null;
  /** Free text: hostname, serial, Falcon AID, Entra/Intune id, user. */
  text?: string | null;
  sort?: SortKey;
  dir?: 'asc' | 'desc';
  /** The nextCursor of the previous page. */
  cursor?: string | null;
  /** Rows to skip when there is no cursor: only for jumping far down a virtual table (keyset is used otherwise). */
  offset?: number;
  limit?: number;
  /** Stale records of reimaged machines are hidden unless asked for. */
  includeStale?: boolean;
  /** Only devices whose state rests on a confirmed fact, or only the suspected ones. */
  certainty?: 'confirmed' | 'suspected' | null;
}

export interface DeviceRow {
  id: number;
  hostname: string;
  ring: string;
  site: string;
  state: DeviceState;
  platform: string;
  version: string;
  type: string;
  tags: string;
  lastSeen: number | null;
  crashedAt: number | null;
  sources: string;
  stale: boolean;
  /** confirmed: the deciding fact was seen; suspected: inferred (online in the window only, or stopped reporting). */
  certainty: string;
}

export interface DevicePage {
  rows: DeviceRow[];
  total: number;
  nextCursor: string | null;
}

// A missing value sorts last in both directions (a never-crashed device is not the "earliest crash"): the sentinel
// for null or empty is above every value when ascending and below every value when descending.
const TOP_TEXT = 'char(1114111)';
const TOP_NUM = '9007199254740991';
const text = (col: string) => ({
  asc: `COALESCE(NULLIF(${col}, ''), ${TOP_TEXT})`,
  desc: `COALESCE(${col}, '')`,
});
const num = (col: string) => ({ asc: `COALESCE(${col}, ${TOP_NUM})`, desc: `COALESCE(${col}, -1)` });
const SORT_EXPR: Record<SortKey, { asc: string; desc: string }> = {
  hostname: { asc: 'd.hostname COLLATE NOCASE', desc: 'd.hostname COLLATE NOCASE' },
  ring: text('COALESCE(d.ring_override, d.ring)'),
  site: text('d.site'),
  state: { asc: 'd.state', desc: 'd.state' },
  platform: text('d.platform'),
  version: text('d.agent_version'),
  lastSeen: num('d.last_seen'),
  crashedAt: num('d.crashed_at'),
};

const SELECT = `SELECT d.id, d.hostname, COALESCE(d.ring_override, d.ring, '') AS ring, COALESCE(d.site, '') AS site,
  d.state, COALESCE(d.platform, '') AS platform, COALESCE(d.agent_version, '') AS version,
  COALESCE(d.device_type, '') AS type, d.tags, d.last_seen AS lastSeen, d.crashed_at AS crashedAt,
  (SELECT group_concat(source, ',') FROM (SELECT DISTINCT source FROM device_sources s WHERE s.device_id = d.id)) AS sources,
  d.superseded_by IS NOT NULL AS stale, d.certainty`;

const blank = (v: string | null | undefined) => v === undefined || v === null || v.trim() === '';
const dim = (v: string) => (v === NONE ? '' : v);

/** Device-table conditions; `cubeOnly` says whether the summary tables can give the total without a scan. */
export function deviceWhere(q: DeviceQuery): Where & { cubeOnly: boolean } {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  let cubeOnly = !q.includeStale;
  const add = (sql: string, v: string) => {
    parts.push(sql);
    params.push(v);
  };
  if (!q.includeStale) parts.push('d.superseded_by IS NULL');
  // The plain expression uses the effective-ring index; a missing ring needs the COALESCE to ''.
  if (q.ring === NONE) add("COALESCE(d.ring_override, d.ring, '') = ?", '');
  else if (!blank(q.ring)) add('COALESCE(d.ring_override, d.ring) = ?', q.ring!);
  if (!blank(q.site)) add("COALESCE(d.site, '') = ?", dim(q.site!));
  if (!blank(q.platform)) add("COALESCE(d.platform, '') = ?", dim(q.platform!));
  if (!blank(q.tag)) add(TAG_MATCH('d.tags'), q.tag!.trim().toLowerCase());
  if (!blank(q.state)) parts.push(`d.state IN ${inList(statesOf(q.state!.trim()))}`);
  if (q.certainty === 'confirmed' || q.certainty === 'suspected') {
    add('d.certainty = ?', q.certainty);
    cubeOnly = false;
  }
  if (!blank(q.version)) {
    parts.push("(d.agent_version = ? OR d.agent_version LIKE ? ESCAPE '\\')");
    const v = q.version!.trim();
    params.push(v, `${v.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`);
    cubeOnly = false;
  }
  if (!blank(q.text)) {
    const like = `%${q.text!.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    parts.push(
      `(d.hostname LIKE ? ESCAPE '\\' OR d.serial LIKE ? ESCAPE '\\' OR d.falcon_aid LIKE ? ESCAPE '\\'
        OR d.entra_id LIKE ? ESCAPE '\\' OR d.intune_id LIKE ? ESCAPE '\\' OR d.user LIKE ? ESCAPE '\\')`,
    );
    params.push(like, like, like, like, like, like);
    cubeOnly = false;
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params, cubeOnly };
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

/** The count from the summary tables when every condition is one of their dimensions, else null. */
function cubeTotal(ws: Workspace, q: DeviceQuery, w: Where & { cubeOnly: boolean }): number | null {
  if (!w.cubeOnly) return null;
  // Ring, site, platform, tag and state are summary-table dimensions: no scan of the device table.
  const c = cubeWhere(q, blank(q.state) ? [] : [`state IN ${inList(statesOf(q.state!.trim()))}`]);
  return ws.db.value<number>(`SELECT COALESCE(SUM(n), 0) FROM an_counts ${c.sql}`, c.params) ?? 0;
}

function total(ws: Workspace, w: Where, fromCube: number | null): number {
  return fromCube ?? ws.db.value<number>(`SELECT COUNT(*) FROM devices d ${w.sql}`, w.params) ?? 0;
}

/**
 * For the hostname order, walking the hostname index and stopping after one page beats sorting every match, unless
 * the filter keeps so few devices that the walk would read most of the index: then the planner's choice stands.
 */
function hostnameIndexHint(ws: Workspace, sort: SortKey, matches: number | null): string {
  if (sort !== 'hostname' || matches === null) return '';
  const all = ws.db.value<number>('SELECT COALESCE(SUM(n), 0) FROM an_counts') ?? 0;
  return all > 0 && matches >= all * 0.01 ? 'INDEXED BY ix_devices_hostname' : '';
}

export function devices(ws: Workspace, q: DeviceQuery = {}): DevicePage {
  const sort: SortKey = q.sort && SORT_KEYS.includes(q.sort) ? q.sort : 'hostname';
  const dir = q.dir === 'desc' ? 'DESC' : 'ASC';
  const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 100)), 5000);
  const expr = SORT_EXPR[sort][dir === 'ASC' ? 'asc' : 'desc'];
  const w = deviceWhere(q);
  const offset = q.cursor ? 0 : Math.max(0, Math.floor(q.offset ?? 0));
  let sql = w.sql;
  const params = [...w.params];
  if (q.cursor) {
    const [v, id] = decodeCursor(q.cursor);
    sql += `${sql ? ' AND' : 'WHERE'} (${expr}, d.id) ${dir === 'ASC' ? '>' : '<'} (?, ?)`;
    params.push(v, id);
  }
  const fromCube = cubeTotal(ws, q, w);
  const hint = hostnameIndexHint(ws, sort, fromCube);
  const rows = ws.db.all<DeviceRow & { sortv: string | number }>(
    `${SELECT}, ${expr} AS sortv FROM devices d ${hint} ${sql} ORDER BY ${expr} ${dir}, d.id ${dir} LIMIT ${limit + 1}${offset ? ` OFFSET ${offset}` : ''}`,
    params,
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page.map(({ sortv: _s, ...r }) => ({ ...r, sources: r.sources ?? '', stale: Boolean(r.stale) })),
    total: q.cursor || offset ? -1 : total(ws, w, fromCube),
    nextCursor: more && last ? encodeCursor(last.sortv, last.id) : null,
  };
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
  events: Array<{
    ts: number;
    kind: string;
    source: string;
    package: string | null;
    version: string | null;
    detail: string | null;
  }>;
  eventsTotal: number;
  results: Array<{
    at: number;
    result: string;
    method: string | null;
    technician: string | null;
    keyIdUsed: string | null;
    notes: string | null;
    origin: string;
  }>;
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
  return ws.db
    .all<{
      source: string;
      file: string | null;
      line: number;
      native_id: string | null;
      raw: string;
      import_id: number;
    }>(
      `SELECT s.source, i.file_name AS file, s.line, s.native_id, s.raw, s.import_id FROM device_sources s
       LEFT JOIN imports i ON i.id = s.import_id WHERE s.device_id = ? ORDER BY s.id`,
      [id],
    )
    .map((r) => ({
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
  const device = ws.db.get<Record<string, unknown>>(
    `SELECT id, hostname, host_key, falcon_aid, entra_id, intune_id, serial, site, ring, ring_override,
      COALESCE(ring_override, ring) AS effective_ring, ring_source, platform, os_version, device_type, agent_version,
      first_seen, last_seen, tags, user, model, superseded_by, state, state_rule, exposed, crashed_at, recovered_at, fixed_at,
      certainty, decided_by
     FROM devices WHERE id = ?`,
    [id],
  );
  if (!device) return null;
  const stale = ws.db.all<{ id: number; hostname: string; falcon_aid: string | null; last_seen: number | null }>(
    'SELECT id, hostname, falcon_aid, last_seen FROM devices WHERE superseded_by = ? ORDER BY id',
    [id],
  );
  const ids = [id, ...stale.map((s) => s.id)];
  const idList = `(${ids.join(',')})`;
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
    events: ws.db.all(
      `SELECT ts, kind, source, package, version, detail FROM events WHERE device_id IN ${idList} ORDER BY ts, id LIMIT ${MAX_DETAIL_EVENTS}`,
    ),
    eventsTotal: ws.db.value<number>(`SELECT COUNT(*) FROM events WHERE device_id IN ${idList}`) ?? 0,
    results: ws.db.all(
      `SELECT at, result, method, technician, key_id_used AS keyIdUsed, notes, origin FROM results
       WHERE device_id IN ${idList} ORDER BY at, id`,
    ),
    keys: ws.db
      .all<{
        keyId: string;
        valid: number;
        problem: string | null;
        volumeType: string | null;
        hostHint: string | null;
        createdAt: number | null;
      }>(
        `SELECT key_id AS keyId, valid, problem, volume_type AS volumeType, host_hint AS hostHint, created_at AS createdAt
         FROM keys WHERE device_id IN ${idList} ORDER BY id`,
      )
      .map((k) => ({ ...k, valid: Boolean(k.valid) })),
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

export interface CriticalRow {
  id: number;
  hostname: string;
  category: string;
  ring: string;
  site: string;
  state: DeviceState;
}

/** Critical devices still down (servers, domain controllers, clinical, kiosks…), most critical first. */
export function criticalDevices(
  ws: Workspace,
  filter: DashFilter = {},
  limit = 50,
): { rows: CriticalRow[]; byCategory: Array<{ category: string; remaining: number; total: number }> } {
  const w = cubeWhere(filter);
  const params = w.params;
  const base = w.sql ? w.sql.slice('WHERE '.length) : '1';
  const remaining = inList(statesOf('remaining'));
  return {
    rows: ws.db.all<CriticalRow>(
      `SELECT device_id AS id, hostname, category, ring, site, state FROM an_critical
       WHERE ${base} AND state IN ${remaining} ORDER BY rank, hostname LIMIT ${Math.max(1, Math.floor(limit))}`,
      params,
    ),
    byCategory: ws.db.all(
      `SELECT category, SUM(state IN ${remaining}) AS remaining, COUNT(*) AS total FROM an_critical WHERE ${base}
       GROUP BY category ORDER BY MIN(rank)`,
      params,
    ),
  };
}
