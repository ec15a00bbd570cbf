// Chart series for the replay: cumulative devices reached per ring over time, actual against simulated (a few hundred points).
import type { ReplayData } from './data.js';
import { upperBound } from './gates.js';

export interface SpreadChart {
  /** Series meta: ring names; point keys are `a<k>` (actual) and `s<k>` (simulated) for ring k. */
  rings: string[];
  /** Bucket width in minutes. */
  stepMinutes: number;
  points: Array<Record<string, number>>;
}

const NICE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080];
const MAX_POINTS = 300;

/** Buckets both curves on one time grid from the release to the last simulated or actual receipt. */
export function spreadChart(
  data: ReplayData,
  rings: Array<{ name: string; idx: Int32Array; simRecv: Float64Array }>,
): SpreadChart {
  const actual = rings.map((r) => {
    const a = new Float64Array(r.idx.length);
    for (let i = 0; i < a.length; i++) a[i] = data.recv[r.idx[i]!]!;
    return a;
  });
  let end = data.t0;
  for (const a of actual) if (a.length) end = Math.max(end, a[a.length - 1]!);
  for (const r of rings) if (r.simRecv.length) end = Math.max(end, r.simRecv[r.simRecv.length - 1]!);
  const spanMin = Math.max(1, (end - data.t0) / 60_000);
  const stepMinutes = NICE_STEPS.find((s) => spanMin / s <= MAX_POINTS) ?? NICE_STEPS[NICE_STEPS.length - 1]!;
  const step = stepMinutes * 60_000;
  const points: Array<Record<string, number>> = [];
  for (let t = data.t0; ; t += step) {
    const p: Record<string, number> = { t };
    rings.forEach((r, k) => {
      p[`a${k}`] = upperBound(actual[k]!, t);
      p[`s${k}`] = upperBound(r.simRecv, t);
    });
    points.push(p);
    if (t >= end) break;
  }
  return { rings: rings.map((r) => r.name), stepMinutes, points };
}
