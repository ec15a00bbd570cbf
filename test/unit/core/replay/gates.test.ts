// Health-gate arithmetic at its edges: thresholds, minimum sample, the sliding window and same-millisecond events,
// on hand-made receipt and crash times whose expected rates are worked out in the comments.
import { describe, expect, it } from 'vitest';
import { badTimes, evaluateAt, sweep, trips, upperBound } from '../../../../core/replay/gates.js';
import type { Gate } from '../../../../core/replay/policy.js';

const H = 3_600_000;
const NEVER = Number.NaN;
const f64 = (xs: number[]) => Float64Array.from(xs);
const gate = (g: Partial<Gate>): Gate => ({
  metric: 'crash',
  thresholdPercent: 10,
  minSample: 1,
  windowHours: null,
  at: 'continuous',
  ...g,
});

describe('trips: crash and failure at or above the threshold, success strictly below', () => {
  it('crash 1 of 10 = 10 % trips a 10 % gate; 1 of 11 = 9.09 % does not', () => {
    expect(trips('crash', 10, 1, 10)).toBe(true);
    expect(trips('crash', 11, 1, 10)).toBe(false);
    expect(trips('failure', 10, 1, 10)).toBe(true);
    expect(trips('failure', 11, 1, 10)).toBe(false);
  });
  it('success: 9 good of 10 = 90 % on a 90 % gate passes; 8 of 9 = 88.9 % trips; 10 of 10 passes', () => {
    expect(trips('success', 10, 1, 90)).toBe(false);
    expect(trips('success', 9, 1, 90)).toBe(true);
    expect(trips('success', 10, 0, 90)).toBe(false);
  });
  it('0.7 % is exact: 7 of 1000 trips, 6 of 1000 does not (no floating-point 0.7 * 10 surprise)', () => {
    expect(trips('crash', 1000, 7, 0.7)).toBe(true);
    expect(trips('crash', 1000, 6, 0.7)).toBe(false);
  });
  it('a 0 % crash gate trips on nothing bad at all; a 100 % gate only when every device is bad', () => {
    expect(trips('crash', 5, 0, 0)).toBe(true);
    expect(trips('crash', 5, 4, 100)).toBe(false);
    expect(trips('crash', 5, 5, 100)).toBe(true);
  });
});

describe('evaluateAt: one instant, events at exactly that time included', () => {
  // Receipts at 0, 1 h, 2 h, 3 h; the device received at 1 h crashes at 2 h, the one at 3 h crashes at 5 h.
  const recv = f64([0, H, 2 * H, 3 * H]);
  const bad = f64([NEVER, 2 * H, NEVER, 5 * H]);

  it('at 2 h: three received, one crashed = 33.333 %, trips a 30 % gate', () => {
    const e = evaluateAt(gate({ thresholdPercent: 30 }), 0, 2 * H, recv, bad);
    expect(e).toMatchObject({ population: 3, bad: 1, ratePercent: 33.333, result: 'trip', time: 2 * H });
  });
  it('1 ms before 2 h: two received, no crash yet = 0 %, passes', () => {
    const e = evaluateAt(gate({ thresholdPercent: 30 }), 0, 2 * H - 1, recv, bad);
    expect(e).toMatchObject({ population: 2, bad: 0, ratePercent: 0, result: 'pass' });
  });
  it('minimum sample: 3 devices against minSample 3 evaluates; against 4 it is insufficient', () => {
    expect(evaluateAt(gate({ minSample: 3, thresholdPercent: 30 }), 0, 2 * H, recv, bad).result).toBe('trip');
    expect(evaluateAt(gate({ minSample: 4, thresholdPercent: 30 }), 0, 2 * H, recv, bad).result).toBe('insufficient');
  });
  it('a 2 h window at 3 h holds the receipts after 1 h (2 h, 3 h): the 1 h device and its crash have left', () => {
    const e = evaluateAt(gate({ windowHours: 2 }), 0, 3 * H, recv, bad);
    expect(e).toMatchObject({ population: 2, bad: 0, windowHours: 2 });
    // 1 ms earlier the 1 h receipt is still inside (after 3 h - 1 ms - 2 h = 59:59.999), with its crash at 2 h, and
    // the 3 h one has not arrived: 1 h and 2 h, one crashed.
    expect(evaluateAt(gate({ windowHours: 2 }), 0, 3 * H - 1, recv, bad)).toMatchObject({ population: 2, bad: 1 });
  });
  it('success rate counts the good ones: 2 good of 3 = 66.667 %', () => {
    const e = evaluateAt(gate({ metric: 'success', thresholdPercent: 50 }), 2, 2 * H, recv, bad);
    expect(e).toMatchObject({ gate: 2, metric: 'success', ratePercent: 66.667, result: 'pass' });
  });
  it('an empty population has rate 0 and is insufficient', () => {
    expect(evaluateAt(gate({}), 0, -1, recv, bad)).toMatchObject({
      population: 0,
      ratePercent: 0,
      result: 'insufficient',
    });
  });
});

describe('sweep: continuous evaluation after every event', () => {
  it('trips at the first crash that brings the rate to the threshold, with that moment and those numbers', () => {
    // 4 receipts at 0..3 ms; crashes of #1 at 10 ms and #2 at 20 ms. 25 % gate: at 10 ms 1 of 4 = 25 %, trip.
    const s = sweep(gate({ thresholdPercent: 25 }), 0, f64([0, 1, 2, 3]), f64([10, 20, NEVER, NEVER]));
    expect(s.trip).toMatchObject({ time: 10, population: 4, bad: 1, ratePercent: 25, result: 'trip' });
    expect(s.minSampleAt).toBe(0);
  });
  it('a receipt and a crash in the same millisecond are applied together before the gate looks', () => {
    // Receipts at 0 and 5; #1 crashes at 5 as #2 arrives. Applied together: 1 of 2 = 50 %, not 1 of 1 = 100 %.
    const s = sweep(gate({ thresholdPercent: 60 }), 0, f64([0, 5]), f64([5, NEVER]));
    expect(s.trip).toBeNull();
    expect(s.last).toMatchObject({ time: 5, population: 2, bad: 1, ratePercent: 50, result: 'pass' });
    expect(s.evaluations).toBe(2);
  });
  it('minimum sample: nothing trips before the population reaches it, and minSampleAt says when it did', () => {
    // 100 % crash rate from the first device, but minSample 3: the trip waits for the third receipt at 2 ms.
    const s = sweep(gate({ thresholdPercent: 50, minSample: 3 }), 0, f64([0, 1, 2]), f64([0, 1, 2]));
    expect(s.trip).toMatchObject({ time: 2, population: 3, bad: 3 });
    expect(s.minSampleAt).toBe(2);
  });
  it('never reaching the minimum sample ends insufficient, with no minSampleAt', () => {
    const s = sweep(gate({ minSample: 5 }), 0, f64([0, 1]), f64([NEVER, NEVER]));
    expect(s).toMatchObject({ trip: null, minSampleAt: null, last: { result: 'insufficient', population: 2 } });
  });
  it('window: a crash 1 ms inside the window counts; one exactly at its end does not', () => {
    const g = gate({ thresholdPercent: 100, windowHours: 1 });
    expect(sweep(g, 0, f64([0]), f64([H - 1])).trip).toMatchObject({ time: H - 1, bad: 1 });
    const late = sweep(g, 0, f64([0]), f64([H]));
    expect(late.trip).toBeNull();
  });
  it('a device leaves the window W after its receipt, with its crash; an emptied window after the sample is a pass', () => {
    // minSample 2, 1 h window. #1 at 0 crashes at 30 min; #2 at 1 h. At 30 min: 1 of 1 (below the sample).
    // At 1 h #1 leaves as #2 arrives: 1 device, no crash; #2 leaves at 2 h. Never 2 devices at one moment, so the
    // sample was never reached and the end is insufficient.
    const g = gate({ thresholdPercent: 50, minSample: 2, windowHours: 1 });
    const s = sweep(g, 0, f64([0, H]), f64([30 * 60_000, NEVER]));
    expect(s).toMatchObject({ trip: null, minSampleAt: null, last: { result: 'insufficient' } });
    // #2 arriving 1 ms earlier overlaps #1 (2 devices, 1 crashed = 50 %): trips at that moment.
    const s2 = sweep(g, 0, f64([0, H - 1]), f64([30 * 60_000, NEVER]));
    expect(s2.trip).toMatchObject({ time: H - 1, population: 2, bad: 1 });
    // Two healthy devices reach the sample, then both leave: the final state is a pass, not "insufficient".
    const s3 = sweep(g, 0, f64([0, 1]), f64([NEVER, NEVER]));
    expect(s3).toMatchObject({ trip: null, minSampleAt: 1, last: { result: 'pass', population: 0 } });
  });
});

describe('sweep: devices leave the window with their own crash, and only with it', () => {
  // Real epoch times (the window opens 04:09 UTC on 19 July 2024), so a sum of two times is never a small number.
  const B = Date.UTC(2024, 6, 19, 4, 9);
  const MIN = 60_000;
  it('five devices through a 1 h window: crashes inside count while the device is in, and leave with it', () => {
    // #1 crashes 10 min after receipt (inside its window); #2 and #3 stay healthy; #4 crashes 2 h after receipt and
    // #5 exactly 1 h after (both outside their windows: never counted). At 10 min: 1 bad of 5 = 20 %, under 50 %.
    // From B+1h the devices leave in receipt order; #1 takes its crash with it. Last event: #5 leaves at B+4m+1h,
    // an empty window after the sample of 3 was reached at B+2m: a pass with 0 devices and 0 bad.
    const recv = f64([B, B + MIN, B + 2 * MIN, B + 3 * MIN, B + 4 * MIN]);
    const bad = f64([B + 10 * MIN, NEVER, NEVER, B + 3 * MIN + 2 * H, B + 4 * MIN + H]);
    const s = sweep(gate({ thresholdPercent: 50, minSample: 3, windowHours: 1 }), 0, recv, bad);
    expect(s.trip).toBeNull();
    expect(s.minSampleAt).toBe(B + 2 * MIN);
    expect(s.last).toMatchObject({ time: B + 4 * MIN + H, population: 0, bad: 0, result: 'pass' });
  });
  it('crash times out of receipt order are applied in time order', () => {
    // #1 (received first) crashes at +30 ms, #2 at +20 ms. In time order: at +20, 1 of 3 = 33 % (no trip on a
    // 50 % gate); at +30, 2 of 3 = 66.667 %: the trip is at +30, not at +20.
    const s = sweep(gate({ thresholdPercent: 50 }), 0, f64([B, B + 1, B + 2]), f64([B + 30, B + 20, NEVER]));
    expect(s.trip).toMatchObject({ time: B + 30, population: 3, bad: 2, ratePercent: 66.667 });
  });
  it('a crash 1 ms inside the window counts at a late receipt time; exactly at the window end it does not', () => {
    const g = gate({ thresholdPercent: 100, windowHours: 1 });
    expect(sweep(g, 0, f64([B]), f64([B + H - 1])).trip).toMatchObject({ time: B + H - 1, bad: 1 });
    // #1's crash at its exit is not counted, so #2 arriving later sees 0 bad of 1.
    const s = sweep(gate({ thresholdPercent: 50, windowHours: 1 }), 0, f64([B, B + 90 * MIN]), f64([B + H, NEVER]));
    expect(s.trip).toBeNull();
    expect(s.last).toMatchObject({ population: 0, bad: 0 });
  });
});

describe('badTimes and upperBound', () => {
  it('crash and failure pass through; success takes the earlier of the two, NaN meaning never', () => {
    const crash = f64([5, NEVER, 3, NEVER]);
    const fail = f64([7, 4, 1, NEVER]);
    expect(badTimes('crash', crash, fail)).toBe(crash);
    expect(badTimes('failure', crash, fail)).toBe(fail);
    expect([...badTimes('success', crash, fail)]).toEqual([5, 4, 1, NEVER]);
  });
  it('upperBound is the count of values at or below t', () => {
    const a = f64([1, 2, 2, 3]);
    expect([0, 1, 2, 3, 4].map((t) => upperBound(a, t))).toEqual([0, 1, 3, 4, 4]);
    expect(upperBound(f64([]), 1)).toBe(0);
  });
});
