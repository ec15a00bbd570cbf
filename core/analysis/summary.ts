// The dashboard numbers: per-ring and per-site counts and state totals, read from the summary tables only.
import {
  AFFECTED_STATES,
  DEVICE_STATES,
  REMAINING_STATES,
  type Counts,
  type DeviceState,
  type KeyCounts,
  type Summary,
} from '../contract/analysis.js';
import { meta, type Workspace } from '../workspace.js';
import * as summaryTables from '../store/summary.js';
import { readWindow, type ExposureWindow, type WindowOrigin } from './exposure-window.js';
import { NONE, ringSort, type DashFilter } from './filter.js';

export type StateCounts = Record<DeviceState, number>;

export interface SummaryEx extends Summary {
  /** The same counts over the whole (filtered) fleet. */
  totals: Counts;
  /** The totals split by how the deciding fact was found: confirmed (seen) or suspected (inferred). */
  confirmed: Counts;
  suspected: Counts;
  byRing: Array<
    Counts & { ring: string; states: StateCounts; suspectedStates: StateCounts; confirmed: Counts; suspected: Counts }
  >;
  bySite: Array<Counts & { site: string; states: StateCounts; suspectedStates: StateCounts }>;
  /** Data time the states were computed at (the latest event), epoch ms. */
  asOf: number | null;
  /**
   * The exposure window in force. `chosen`: set for this workspace; `playbook`: the playbook's default (channel file
   * 291), used once there is data; `none`: an empty workspace, which claims no incident yet.
   */
  /** The exposure window in force (null ends when none is chosen or derivable) and its origin, also in words. */
  window: {
    start: number | null;
    end: number | null;
    source: WindowOrigin;
    text: string;
    basis: 'receipts' | 'crashes' | null;
    devices: number;
  };
  filter: DashFilter;
  /** Values the filter bar offers (over the whole fleet). */
  options: { rings: string[]; sites: string[]; platforms: string[]; tags: string[] };
}

const EXPOSED_SET = new Set<DeviceState>(['exposed_healthy', ...AFFECTED_STATES]);
const AFFECTED_SET = new Set<DeviceState>(AFFECTED_STATES);
const REMAINING_SET = new Set<DeviceState>(REMAINING_STATES);

export function emptyStates(): StateCounts {
  return Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as StateCounts;
}

export function countsOf(states: StateCounts): Counts {
  const c: Counts = { devices: 0, exposed: 0, affected: 0, recovered: 0, fixed: 0, remaining: 0 };
  for (const s of DEVICE_STATES) {
    const n = states[s];
    c.devices += n;
    if (EXPOSED_SET.has(s)) c.exposed += n;
    if (AFFECTED_SET.has(s)) c.affected += n;
    if (REMAINING_SET.has(s)) c.remaining += n;
  }
  c.recovered = states.self_recovered;
  c.fixed = states.fixed;
  return c;
}

export function keyCounts(ws: Workspace): KeyCounts {
  const raw = meta(ws, 'analysis.keys');
  const zero = { total: 0, valid: 0, invalid: 0, devicesWithKey: 0, unmatched: 0 };
  if (!raw) return zero;
  try {
    return { ...zero, ...(JSON.parse(raw) as Partial<KeyCounts>) };
  } catch {
    return zero;
  }
}

function tagList(ws: Workspace): string[] {
  const set = new Set<string>();
  for (const tags of summaryTables.tagLists(ws.db)) {
    for (const t of tags.split(',')) if (t.trim()) set.add(t.trim());
  }
  return [...set].sort();
}

/** The window as the Overview, the report and the CLI show it: its ends, where it came from, and that in words. */
function windowOf(w: ExposureWindow) {
  return {
    start: w.start,
    end: w.end,
    source: w.origin,
    text: w.text,
    basis: w.basis ?? null,
    devices: w.devices ?? 0,
  };
}

export function summary(ws: Workspace, filter: DashFilter = {}): SummaryEx {
  const rows = summaryTables.counts(ws.db, filter);
  const rings = new Map<string, StateCounts>();
  const sites = new Map<string, StateCounts>();
  const states = emptyStates();
  for (const r of rows) {
    const ring = r.ring || NONE;
    const site = r.site || NONE;
    if (!rings.has(ring)) rings.set(ring, emptyStates());
    if (!sites.has(site)) sites.set(site, emptyStates());
    if (!(r.state in states)) continue;
    rings.get(ring)![r.state] += r.n;
    sites.get(site)![r.state] += r.n;
    states[r.state] += r.n;
  }
  const totals = countsOf(states);
  // Suspected devices per cell; confirmed is the rest, so the two always add up to the class.
  const sus = summaryTables.suspected(ws.db, filter);
  const susRing = new Map<string, StateCounts>();
  const susSite = new Map<string, StateCounts>();
  const susAll = emptyStates();
  for (const r of sus) {
    if (!(r.state in susAll)) continue;
    const ring = r.ring || NONE;
    const site = r.site || NONE;
    if (!susRing.has(ring)) susRing.set(ring, emptyStates());
    if (!susSite.has(site)) susSite.set(site, emptyStates());
    susRing.get(ring)![r.state] += r.n;
    susSite.get(site)![r.state] += r.n;
    susAll[r.state] += r.n;
  }
  const minus = (a: StateCounts, b: StateCounts) =>
    Object.fromEntries(DEVICE_STATES.map((k) => [k, a[k] - b[k]])) as StateCounts;
  const asOf = Number(meta(ws, 'analysis.as_of'));
  const dims = summaryTables.dimensions(ws.db);
  const uniq = (xs: string[]) => [...new Set(xs.map((x) => x || NONE))];
  return {
    devices: totals.devices,
    totals,
    confirmed: countsOf(minus(states, susAll)),
    suspected: countsOf(susAll),
    byRing: [...rings.entries()]
      .sort((a, b) => ringSort(a[0], b[0]))
      .map(([ring, st]) => {
        const su = susRing.get(ring) ?? emptyStates();
        return {
          ring,
          ...countsOf(st),
          states: st,
          suspectedStates: su,
          confirmed: countsOf(minus(st, su)),
          suspected: countsOf(su),
        };
      }),
    bySite: [...sites.entries()]
      .sort((a, b) => (a[0] === NONE ? 1 : b[0] === NONE ? -1 : a[0].localeCompare(b[0])))
      .map(([site, st]) => ({
        site,
        ...countsOf(st),
        states: st,
        suspectedStates: susSite.get(site) ?? emptyStates(),
      })),
    keys: keyCounts(ws),
    states,
    asOf: Number.isFinite(asOf) && asOf > 0 ? asOf : null,
    window: windowOf(readWindow(ws)),
    filter,
    options: {
      rings: uniq(dims.map((d) => d.ring)).sort(ringSort),
      sites: uniq(dims.map((d) => d.site)).sort(),
      platforms: uniq(dims.map((d) => d.platform)).sort(),
      tags: tagList(ws),
    },
  };
}
