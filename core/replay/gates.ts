// Health-gate arithmetic over one ring's sorted receipt times: the continuous sweep and the point evaluation.
import type { Gate } from './policy.js';

export type GateResult = 'trip' | 'pass' | 'insufficient';

/** One gate evaluation with its arithmetic: population, bad devices, rate and threshold at a time. */
export interface GateEvaluation {
  /** Index in policy.gates; -1 for the ConfigMgr success criterion. */
  gate: number;
  metric: Gate['metric'];
  at: Gate['at'];
  time: number;
  /** Devices that had received the content by `time` (within the window, when the gate has one). */
  population: number;
  /** Of those: crashed (crash), failed (failure), or crashed or failed (success) by `time`. */
  bad: number;
  /** crash/failure: bad / population; success: (population - bad) / population; in percent. */
  ratePercent: number;
  thresholdPercent: number;
  minSample: number;
  windowHours: number | null;
  result: GateResult;
}

export interface SweepOutcome {
  /** The first evaluation that trips, or null. */
  trip: GateEvaluation | null;
  /** When the population first reached the minimum sample (null: never). */
  minSampleAt: number | null;
  /** The state after the ring's last event when nothing tripped (pass or insufficient). */
  last: GateEvaluation | null;
  evaluations: number;
}

/** Threshold in units of 0.0001 %, so comparisons are exact integer arithmetic (no 0.7 * 10 surprises). */
function thresholdUnits(thresholdPercent: number): number {
  return Math.round(thresholdPercent * 1e4);
}

/**
 * Whether the gate trips. "At the threshold" trips for crash and failure (rate >= threshold); success trips only
 * strictly below its threshold (rate < threshold), like ConfigMgr's "success % reached" promotion rule.
 */
export function trips(metric: Gate['metric'], population: number, bad: number, thresholdPercent: number): boolean {
  const units = thresholdUnits(thresholdPercent);
  if (metric === 'success') return (population - bad) * 1e6 < units * population;
  return bad * 1e6 >= units * population;
}

function evaluation(gate: Gate, index: number, time: number, population: number, bad: number): GateEvaluation {
  const good = gate.metric === 'success';
  const rate = population === 0 ? 0 : ((good ? population - bad : bad) / population) * 100;
  const enough = population >= gate.minSample;
  return {
    gate: index,
    metric: gate.metric,
    at: gate.at,
    time,
    population,
    bad,
    ratePercent: Math.round(rate * 1000) / 1000,
    thresholdPercent: gate.thresholdPercent,
    minSample: gate.minSample,
    windowHours: gate.windowHours,
    result: !enough ? 'insufficient' : trips(gate.metric, population, bad, gate.thresholdPercent) ? 'trip' : 'pass',
  };
}

/** The per-device bad time for a metric: crash, failure, or the earlier of the two (success). */
export function badTimes(metric: Gate['metric'], crash: Float64Array, fail: Float64Array): Float64Array {
  if (metric === 'crash') return crash;
  if (metric === 'failure') return fail;
  const out = new Float64Array(crash.length);
  for (let i = 0; i < out.length; i++) {
    const c = crash[i]!;
    const f = fail[i]!;
    out[i] = Number.isNaN(c) ? f : Number.isNaN(f) ? c : Math.min(c, f);
  }
  return out;
}

/**
 * Continuous evaluation: after every receipt, bad event (and window exit) of the ring, all events at the same
 * millisecond applied first. recv is sorted; bad[i] (NaN = never) belongs to recv[i] and is >= recv[i].
 */
export function sweep(gate: Gate, index: number, recv: Float64Array, bad: Float64Array): SweepOutcome {
  const n = recv.length;
  const windowMs = gate.windowHours === null ? Infinity : gate.windowHours * 3_600_000;
  // Bad events that count: those inside the device's window (a device leaves the window at recv + W).
  let m = 0;
  const badSorted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const b = bad[i]!;
    if (!Number.isNaN(b) && b - recv[i]! < windowMs) badSorted[m++] = b;
  }
  const bs = badSorted.subarray(0, m).sort();
  let i = 0; // receipts applied
  let j = 0; // bad events applied
  let x = 0; // window exits applied (in recv order, at recv + W)
  let population = 0;
  let badCount = 0;
  let minSampleAt: number | null = null;
  let evaluations = 0;
  let lastTime = NaN;
  for (;;) {
    const tr = i < n ? recv[i]! : Infinity;
    const tb = j < m ? bs[j]! : Infinity;
    const te = windowMs !== Infinity && x < n ? recv[x]! + windowMs : Infinity;
    const t = Math.min(tr, tb, te);
    if (t === Infinity) break;
    while (i < n && recv[i]! === t) {
      population++;
      i++;
    }
    while (j < m && bs[j]! === t) {
      badCount++;
      j++;
    }
    while (windowMs !== Infinity && x < i && recv[x]! + windowMs === t) {
      population--;
      const b = bad[x]!;
      if (!Number.isNaN(b) && b - recv[x]! < windowMs) badCount--;
      x++;
    }
    evaluations++;
    lastTime = t;
    if (population >= gate.minSample) {
      minSampleAt ??= t;
      if (trips(gate.metric, population, badCount, gate.thresholdPercent))
        return { trip: evaluation(gate, index, t, population, badCount), minSampleAt, last: null, evaluations };
    }
  }
  const last = Number.isNaN(lastTime) ? null : evaluation(gate, index, lastTime, population, badCount);
  if (last && minSampleAt !== null && last.result === 'insufficient') {
    // The window emptied after the sample was reached; report the final state as passing, not as too small.
    last.result = 'pass';
  }
  return { trip: null, minSampleAt, last, evaluations };
}

function upperBound(a: Float64Array, t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Evaluation at one instant (a bake end, or "now" for live gates): events at exactly `time` are included. */
export function evaluateAt(
  gate: Gate,
  index: number,
  time: number,
  recv: Float64Array,
  bad: Float64Array,
): GateEvaluation {
  const end = upperBound(recv, time);
  const windowMs = gate.windowHours === null ? Infinity : gate.windowHours * 3_600_000;
  const start = windowMs === Infinity ? 0 : upperBound(recv, time - windowMs);
  let badCount = 0;
  for (let i = start; i < end; i++) {
    const b = bad[i]!;
    if (!Number.isNaN(b) && b <= time) badCount++;
  }
  return evaluation(gate, index, time, end - start, badCount);
}

export { upperBound };
