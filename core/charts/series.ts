// Chart-ready series built from the summary tables: crash timeline, burn-down by ring and site, time to recover.
import { meta, type Workspace } from '../workspace.js';
import { BURN_BUCKET_MS, CRASH_BUCKET_MS } from '../analysis/recompute.js';
import { NONE, ringSort, type DashFilter } from '../analysis/filter.js';
import * as summaryTables from '../store/summary.js';
import { exportPoints, type ExportPoint } from '../analysis/freshness.js';

/** One x value with one number per series key (recharts' data shape). */
export type Point = { t: number } & Record<string, number>;

export interface Series {
  keys: string[];
  points: Point[];
  bucketMs: number;
}

export interface TimeToRecover {
  ring: string;
  /** Devices back up (self-recovered or fixed). */
  n: number;
  meanHours: number | null;
  medianHours: number | null;
  p90Hours: number | null;
}

export interface ChartSeries {
  crashTimeline: Series;
  burnDownByRing: Series;
  burnDownBySite: Series;
  /** The remaining level at each export's as-of time: one point per import (or group of same-time imports). */
  exportPoints: ExportPoint[];
  timeToRecover: TimeToRecover[];
}

/** Lines stay under ~1,000 x values (recharts slows sharply past that); see the performance notes. */
export const MAX_POINTS = 720;

/** Counts per bucket: coarsened (summed) when the span would exceed MAX_POINTS. */
function countSeries(rows: { k: string; bucket: number; v: number }[], bucketMs: number, keys: string[]): Series {
  if (!rows.length) return { keys, points: [], bucketMs };
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    lo = Math.min(lo, r.bucket);
    hi = Math.max(hi, r.bucket);
  }
  const factor = Math.max(1, Math.ceil((hi - lo) / bucketMs / MAX_POINTS));
  const step = bucketMs * factor;
  const start = Math.floor(lo / step) * step;
  const n = Math.floor((hi - start) / step) + 1;
  const points: Point[] = Array.from({ length: n }, (_, i) => {
    const p = { t: start + i * step } as Point;
    for (const k of keys) p[k] = 0;
    return p;
  });
  for (const r of rows) points[Math.floor((r.bucket - start) / step)]![r.k]! += r.v;
  return { keys, points, bucketMs: step };
}

/** Running totals of deltas, sampled at the end of each bucket up to `until`: a level, never summed when coarsened. */
function levelSeries(rows: { k: string; bucket: number; v: number }[], keys: string[], until: number): Series {
  if (!rows.length) return { keys, points: [], bucketMs: BURN_BUCKET_MS };
  // The axis ends at the data time: a field result stamped by a technician's clock (days later, or "now") lands in
  // the last bucket instead of stretching the axis and coarsening every bucket before it. Without a data time the
  // latest bucket ends it.
  let lo = Infinity;
  let hi = until > 0 ? until : -Infinity;
  for (const r of rows) {
    lo = Math.min(lo, r.bucket);
    if (until <= 0) hi = Math.max(hi, r.bucket);
  }
  hi = Math.max(hi, lo);
  const hours = Math.floor((hi - lo) / BURN_BUCKET_MS) + 1;
  const factor = Math.max(1, Math.ceil(hours / MAX_POINTS));
  const deltas = new Map<number, Map<string, number>>();
  for (const r of rows) {
    const i = Math.min(hours - 1, Math.floor((r.bucket - lo) / BURN_BUCKET_MS));
    const m = deltas.get(i) ?? new Map<string, number>();
    m.set(r.k, (m.get(r.k) ?? 0) + r.v);
    deltas.set(i, m);
  }
  const level: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
  const points: Point[] = [];
  for (let i = 0; i < hours; i++) {
    for (const [k, v] of deltas.get(i) ?? []) level[k] = (level[k] ?? 0) + v;
    if ((i + 1) % factor === 0 || i === hours - 1) points.push({ t: lo + (i + 1) * BURN_BUCKET_MS, ...level } as Point);
  }
  return { keys, points, bucketMs: BURN_BUCKET_MS * factor };
}

function quantile(hist: { hours: number; n: number }[], total: number, q: number): number | null {
  if (!total) return null;
  let seen = 0;
  for (const h of hist) {
    seen += h.n;
    if (seen >= q * total) return h.hours + 0.5;
  }
  return hist[hist.length - 1]!.hours + 0.5;
}

export function series(ws: Workspace, filter: DashFilter = {}): ChartSeries {
  const asOf = Number(meta(ws, 'analysis.as_of')) || 0;
  const crash = summaryTables.crashByRing(ws.db, filter);
  const burnRing = summaryTables.burnByRing(ws.db, filter);
  const burnSite = summaryTables.burnBySite(ws.db, filter);
  const ttr = summaryTables.recoveryHours(ws.db, filter);
  const named = <T extends { k: string }>(rows: T[]) => rows.map((r) => ({ ...r, k: r.k || NONE }));
  const ringKeys = (rows: { k: string }[]) => [...new Set(rows.map((r) => r.k))].sort(ringSort);
  const crashRows = named(crash);
  const ringRows = named(burnRing);
  const siteRows = named(burnSite);
  const byRing = new Map<string, { hours: number; n: number; sum_ms: number }[]>();
  for (const r of ttr) {
    const k = r.ring || NONE;
    if (!byRing.has(k)) byRing.set(k, []);
    byRing.get(k)!.push(r);
  }
  return {
    crashTimeline: countSeries(crashRows, CRASH_BUCKET_MS, ringKeys(crashRows)),
    burnDownByRing: levelSeries(ringRows, ringKeys(ringRows), asOf),
    burnDownBySite: levelSeries(siteRows, [...new Set(siteRows.map((r) => r.k))].sort(), asOf),
    exportPoints: exportPoints(ws, burnRing),
    timeToRecover: [...byRing.entries()]
      .sort((a, b) => ringSort(a[0], b[0]))
      .map(([ring, hist]) => {
        const n = hist.reduce((s, h) => s + h.n, 0);
        const sum = hist.reduce((s, h) => s + h.sum_ms, 0);
        const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
        return {
          ring,
          n,
          meanHours: n ? r1(sum / n / 3600_000) : null,
          medianHours: r1(quantile(hist, n, 0.5)),
          p90Hours: r1(quantile(hist, n, 0.9)),
        };
      }),
  };
}
