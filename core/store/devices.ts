// Named queries for the devices table: the explorer's filtered, keyset-paged lists, one device's record, and the
// device lists the script generator and the rollback planner select from.
import type { DeviceState } from '../contract/analysis.js';
import type { Db } from './db.js';
import { textMatch } from './device-text.js';
import { bigramRuns, countRuns, firstOfRuns, runIds, textRuns, type TextRun } from './device-text-search.js';
import { cubeWhere, inList, NONE, TAG_MATCH, type DashFilter, type Where } from './where.js';

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
  /**
   * Count every match of a text search on its first page (the CLI's total). Otherwise a text search's first page
   * leaves the count to countCapped when more rows follow.
   */
  exactTotal?: boolean;
}

/** The device table counts a text search's matches up to this many, then says "10,000+". */
export const TEXT_COUNT_CAP = 10_000;

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

const blank = (v: string | null | undefined) => v === undefined || v === null || v.trim() === '';
const dim = (v: string) => (v === NONE ? '' : v);

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

/**
 * Device-table conditions (states: what q.state stands for, resolved by the caller); `cubeOnly` says whether the
 * summary tables can give the total without a scan. `runs`: a text search's index runs, or false to leave the
 * candidates out (a caller that narrows the rows itself).
 */
function deviceWhere(
  db: Db,
  q: DeviceQuery,
  states: readonly string[] | null,
  runs?: TextRun[] | null | false,
): Where & { cubeOnly: boolean; text: boolean; candidates: number | null } {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  let cubeOnly = !q.includeStale;
  let candidateCount: number | null = null;
  const add = (sql: string, v: string) => {
    parts.push(sql);
    params.push(v);
  };
  if (!q.includeStale) parts.push('d.superseded_by IS NULL');
  // The plain expression uses the effective-ring index; a missing ring needs the COALESCE to ''.
  if (q.ring === NONE) add("COALESCE(d.ring_override, d.ring, '') = ?", '');
  else if (!blank(q.ring)) add('COALESCE(d.ring_override, d.ring) = ?', q.ring!);
  // Likewise the site index serves the plain column; only "no site" needs the COALESCE.
  if (q.site === NONE) add("COALESCE(d.site, '') = ?", '');
  else if (!blank(q.site)) add('d.site = ?', q.site!);
  if (!blank(q.platform)) add("COALESCE(d.platform, '') = ?", dim(q.platform!));
  if (!blank(q.tag)) add(TAG_MATCH('d.tags'), q.tag!.trim().toLowerCase());
  if (states) parts.push(`d.state IN ${inList(states)}`);
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
    const term = q.text!.trim();
    // The trigram index narrows the rows to its candidates; the exact match still decides, so the matches, their
    // order and the paging are what the scan gave. A term of one or two characters has no trigram: it scans.
    const r = runs === undefined ? textRuns(db, term) : runs;
    const candidates = r ? runIds(r) : null;
    if (candidates) {
      parts.push('d.id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(candidates));
      candidateCount = candidates.length;
    }
    const m = textMatch(term);
    parts.push(m.sql);
    params.push(...m.params);
    cubeOnly = false;
  }
  return {
    sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '',
    params,
    cubeOnly,
    text: !blank(q.text),
    candidates: candidateCount,
  };
}

/** The count from the summary tables when every condition is one of their dimensions, else null. */
function cubeTotal(
  db: Db,
  q: DeviceQuery,
  states: readonly string[] | null,
  w: Where & { cubeOnly: boolean },
): number | null {
  if (!w.cubeOnly) return null;
  // Ring, site, platform, tag and state are summary-table dimensions: no scan of the device table.
  const c = cubeWhere(q, states ? [`state IN ${inList(states)}`] : []);
  return db.value<number>(`SELECT COALESCE(SUM(n), 0) FROM an_counts ${c.sql}`, c.params) ?? 0;
}

function total(db: Db, w: Where, fromCube: number | null): number {
  return fromCube ?? db.value<number>(`SELECT COUNT(*) FROM devices d ${w.sql}`, w.params) ?? 0;
}

/**
 * For the hostname order, walking the hostname index and stopping after one page beats sorting every match, unless
 * the filter keeps so few devices that the walk would read most of the index: then the planner's choice stands.
 * A text search's matches are estimated by its trigram candidates; a term too short for a trigram has no estimate,
 * and there the walk is chosen only when the first page's capped count found the term broad. One site's devices
 * are in hostname order in the site index (migration 41): without a text search (whose candidates are fewer), a
 * page of them is read from there, not found by walking every hostname before the site's (names start with its code).
 */
function hostnameIndexHint(db: Db, q: DeviceQuery, sort: SortKey, matches: number | null): string {
  if (sort !== 'hostname') return '';
  if (blank(q.text) && q.site !== NONE && !blank(q.site)) return 'INDEXED BY ix_devices_site';
  if (matches === null) return '';
  const all = db.value<number>('SELECT COALESCE(SUM(n), 0) FROM an_counts') ?? 0;
  return all > 0 && matches >= all * 0.01 ? 'INDEXED BY ix_devices_hostname' : '';
}

export interface PageRequest {
  sort: SortKey;
  dir: 'ASC' | 'DESC';
  limit: number;
  offset: number;
  /** The device states q.state stands for, or null for any state. */
  states: readonly string[] | null;
  /** The sort value and id of the last row of the previous page (keyset paging). */
  after: [string | number, number] | null;
}

export type PagedRow = Omit<DeviceRow, 'stale' | 'sources'> & {
  sources: string | null;
  stale: number;
  sortv: string | number;
};

/**
 * One page of the device table (limit + 1 rows, so the caller sees whether more follow) and the total matches
 * (-1 when paging on from a cursor or an offset, where the first page already gave it). A text search's first page
 * does not count beyond itself unless q.exactTotal: when more rows follow, countPending says the total is left to
 * countCapped, which the table asks for once the page is shown (counting half a million matches took a second).
 */
export function page(
  db: Db,
  q: DeviceQuery,
  r: PageRequest,
): { rows: PagedRow[]; total: number; countPending: boolean } {
  const expr = SORT_EXPR[r.sort][r.dir === 'ASC' ? 'asc' : 'desc'];
  const runs = blank(q.text) ? null : textRuns(db, q.text!.trim());
  // Hostname order from the index's runs (no offset to skip): only the few devices that can be on the page are read.
  // A two-character term has no trigram, but the grams starting with it hold every match (bigramRuns).
  const byName = r.sort === 'hostname' && !r.offset;
  const short = byName && !runs && !blank(q.text) ? bigramRuns(db, q.text!.trim()) : null;
  const ordered = byName && (runs ?? short) !== null;
  const w = deviceWhere(db, q, r.states, ordered ? false : runs);
  const first = !r.after && !r.offset;
  let sql = w.sql;
  const params = [...w.params];
  if (r.after) {
    sql += `${sql ? ' AND' : 'WHERE'} (${expr}, d.id) ${r.dir === 'ASC' ? '>' : '<'} (?, ?)`;
    params.push(...r.after);
  }
  if (ordered) {
    const inIds = (where: string) => `${where ? `${where} AND` : 'WHERE'} d.id IN (SELECT value FROM json_each(?))`;
    const keep = (ids: number[]) =>
      db
        .all<{ id: number }>(`SELECT d.id FROM devices d ${inIds(sql)}`, [...params, JSON.stringify(ids)])
        .map((x) => x.id);
    const ids = firstOfRuns((runs ?? short)!, r.limit + 1, r.dir === 'DESC', keep);
    sql = inIds(sql);
    params.push(JSON.stringify(ids));
  }
  const lazy = w.text && !q.exactTotal;
  const fromCube = lazy ? null : cubeTotal(db, q, r.states, w);
  // A text search's matches are estimated by its trigram candidates; a term too short for a trigram is taken as broad.
  const matches = ordered ? 0 : w.text ? (w.candidates ?? Number.MAX_SAFE_INTEGER) : fromCube;
  const hint = hostnameIndexHint(db, q, r.sort, matches);
  const rows = db.all<PagedRow>(
    `${SELECT}, ${expr} AS sortv FROM devices d ${hint} ${sql} ORDER BY ${expr} ${r.dir}, d.id ${r.dir} LIMIT ${r.limit + 1}${r.offset ? ` OFFSET ${r.offset}` : ''}`,
    params,
  );
  if (!first) return { rows, total: -1, countPending: false };
  // A first page that holds every match has counted them already.
  if (lazy)
    return rows.length <= r.limit
      ? { rows, total: rows.length, countPending: false }
      : { rows, total: -1, countPending: true };
  return { rows, total: total(db, ordered ? deviceWhere(db, q, r.states, runs) : w, fromCube), countPending: false };
}

/**
 * The devices a query matches, counted up to `cap` (a text search's capped count: the table shows "10,000+"): the
 * total, and whether more than `cap` match (then the total is `cap`).
 */
export function countCapped(
  db: Db,
  q: DeviceQuery,
  states: readonly string[] | null,
  cap: number,
): { total: number; capped: boolean } {
  const runs = blank(q.text) ? null : textRuns(db, q.text!.trim());
  if (runs) {
    // A text search through the index: its candidates checked a batch at a time, until more than cap pass.
    const w = deviceWhere(db, q, states, false);
    const sql = `SELECT COUNT(*) FROM devices d ${w.sql ? `${w.sql} AND` : 'WHERE'} d.id IN (SELECT value FROM json_each(?))`;
    const n = countRuns(runs, cap, (ids) => db.value<number>(sql, [...w.params, JSON.stringify(ids)]) ?? 0);
    return n > cap ? { total: cap, capped: true } : { total: n, capped: false };
  }
  const w = deviceWhere(db, q, states, null);
  const fromCube = cubeTotal(db, q, states, w);
  const n =
    fromCube ??
    db.value<number>(`SELECT COUNT(*) FROM (SELECT 1 FROM devices d ${w.sql} LIMIT ${cap + 1})`, w.params) ??
    0;
  return n > cap ? { total: cap, capped: true } : { total: n, capped: false };
}

/** The first crash per effective ring, earliest first (the report's timeline). */
export function firstCrashByRing(db: Db): Array<{ ring: string; at: number }> {
  return db.all<{ ring: string; at: number }>(
    `SELECT COALESCE(ring_override, ring, '(no ring)') AS ring, MIN(crashed_at) AS at FROM devices
     WHERE crashed_at IS NOT NULL AND superseded_by IS NULL GROUP BY 1 ORDER BY at`,
  );
}

/** The first and the latest hands-on fix among current devices. */
export function fixRange(db: Db): { first: number | null; last: number | null } | undefined {
  return db.get<{ first: number | null; last: number | null }>(
    "SELECT MIN(fixed_at) AS first, MAX(fixed_at) AS last FROM devices WHERE state = 'fixed' AND superseded_by IS NULL",
  );
}

export function count(db: Db): number {
  return db.value<number>('SELECT COUNT(*) FROM devices') ?? 0;
}

/** What a script target selects: the playbook's platforms and, when given, a site, ring, ids, host keys and states. */
export interface TargetSelection {
  platforms: readonly string[];
  site?: string;
  ring?: string;
  deviceIds?: readonly number[];
  hostKeys?: readonly string[];
  states: readonly string[];
}

/** Current devices matching a script target, by site and hostname. */
export function forTarget(
  db: Db,
  t: TargetSelection,
): Array<{ id: number; hostname: string; site: string | null; ring: string | null; state: string }> {
  const where = ['d.superseded_by IS NULL'];
  const args: (string | number)[] = [];
  where.push(`d.platform IN (${t.platforms.map(() => '?').join(',')})`);
  args.push(...t.platforms);
  if (t.site) {
    where.push('d.site = ?');
    args.push(t.site);
  }
  if (t.ring) {
    where.push('COALESCE(d.ring_override, d.ring) = ?');
    args.push(t.ring);
  }
  if (t.deviceIds?.length) {
    where.push(`d.id IN (${t.deviceIds.map(() => '?').join(',')})`);
    args.push(...t.deviceIds);
  }
  if (t.hostKeys?.length) {
    where.push(`d.host_key IN (${t.hostKeys.map(() => '?').join(',')})`);
    args.push(...t.hostKeys);
  }
  if (t.states.length) {
    where.push(`d.state IN (${t.states.map(() => '?').join(',')})`);
    args.push(...t.states);
  }
  return db.all<{ id: number; hostname: string; site: string | null; ring: string | null; state: string }>(
    `SELECT d.id, d.hostname, d.site, COALESCE(d.ring_override, d.ring) AS ring, d.state FROM devices d
     WHERE ${where.join(' AND ')} ORDER BY d.site, d.hostname, d.id`,
    args,
  );
}

/** Sites among current devices with their device counts, by name. */
export function sites(db: Db): Array<{ value: string; devices: number }> {
  return db.all<{ value: string; devices: number }>(
    "SELECT site AS value, count(*) AS devices FROM devices WHERE superseded_by IS NULL AND site IS NOT NULL AND site <> '' GROUP BY site ORDER BY site",
  );
}

/** Effective rings among current devices with their device counts (unordered: callers sort in rollout order). */
export function rings(db: Db): Array<{ value: string; devices: number }> {
  return db.all<{ value: string; devices: number }>(
    'SELECT COALESCE(ring_override, ring) AS value, count(*) AS devices FROM devices WHERE superseded_by IS NULL AND COALESCE(ring_override, ring) IS NOT NULL GROUP BY 1',
  );
}

/** The effective rings present among current devices. */
export function ringNames(db: Db): string[] {
  return db
    .all<{ ring: string }>(
      'SELECT DISTINCT COALESCE(ring_override, ring) AS ring FROM devices WHERE superseded_by IS NULL AND COALESCE(ring_override, ring) IS NOT NULL',
    )
    .map((r) => r.ring);
}

/** A ring's current devices (optionally of one platform): how many, per site, and the first 50 hostnames. */
export function ringMembers(db: Db, ring: string, platform: string | null) {
  const where = `superseded_by IS NULL AND COALESCE(ring_override, ring) = ?${platform ? ' AND platform = ?' : ''}`;
  const args = platform ? [ring, platform] : [ring];
  const devices = db.value<number>(`SELECT count(*) FROM devices WHERE ${where}`, args) ?? 0;
  const bySite = db.all<{ site: string; devices: number }>(
    `SELECT COALESCE(site, '-') AS site, count(*) AS devices FROM devices WHERE ${where} GROUP BY 1 ORDER BY 2 DESC, 1`,
    args,
  );
  const hostnames = db
    .all<{ hostname: string }>(`SELECT hostname FROM devices WHERE ${where} ORDER BY hostname LIMIT 50`, args)
    .map((r) => r.hostname);
  return { devices, bySite, hostnames };
}
