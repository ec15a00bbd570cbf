// Crash-rate timeline: the cumulative % of each ring's devices crashed since the exposure window opened (summary tables).
import { CRASH_BUCKET_MS } from '../analysis/recompute.js';
import { readConfig } from '../analysis/config.js';
import { NONE, ringSort, type DashFilter } from '../analysis/filter.js';
import * as summaryTables from '../store/summary.js';
import type { Workspace } from '../workspace.js';
import type { Point } from './series.js';

export interface CrashRate {
  rings: Array<{ ring: string; devices: number }>;
  /** One point per bucket end: `t` and the cumulative crashed % per ring name. */
  points: Point[];
  bucketMs: number;
}

const MAX_POINTS = 720;

export function crashRate(ws: Workspace, filter: DashFilter = {}): CrashRate {
  const sizes = summaryTables
    .ringSizes(ws.db, filter)
    .map((r) => ({ ring: r.ring || NONE, devices: r.n }))
    .filter((r) => r.devices > 0)
    .sort((a, b) => ringSort(a.ring, b.ring));
  const rows = summaryTables.crashBuckets(ws.db, filter);
  if (!rows.length) return { rings: sizes, points: [], bucketMs: CRASH_BUCKET_MS };
  const start = Math.min(readConfig(ws).windowStart, rows[0]!.bucket);
  const end = rows[rows.length - 1]!.bucket + CRASH_BUCKET_MS;
  const factor = Math.max(1, Math.ceil((end - start) / CRASH_BUCKET_MS / MAX_POINTS));
  const step = CRASH_BUCKET_MS * factor;
  const size = new Map(sizes.map((s) => [s.ring, s.devices]));
  const total = new Map<string, number>();
  const points: Point[] = [{ t: start, ...Object.fromEntries(sizes.map((s) => [s.ring, 0])) } as Point];
  let i = 0;
  for (let t = start + step; ; t += step) {
    while (i < rows.length && rows[i]!.bucket < t) {
      const k = rows[i]!.ring || NONE;
      total.set(k, (total.get(k) ?? 0) + rows[i]!.n);
      i++;
    }
    const p = { t } as Point;
    for (const s of sizes) p[s.ring] = ((total.get(s.ring) ?? 0) / (size.get(s.ring) || 1)) * 100;
    points.push(p);
    if (t >= end) break;
  }
  return { rings: sizes, points, bucketMs: step };
}
