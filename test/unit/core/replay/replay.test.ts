// Replay on hand-built rollout logs whose right answers are worked out by hand in the comments.
import { describe, expect, it } from 'vitest';
import { replayHandlers as h } from '../../../../core/replay/handlers.js';
import { HOUR, MIN, T0, policy, workspace, writeLog, type LogDevice } from './helpers.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const twoRings = (gate: object, bakeHours = 4) =>
  policy({
    name: 'two rings',
    rings: [
      { name: 'Test', bakeHours },
      { name: 'First', bakeHours: 0 },
    ],
    gates: [gate as never],
  });

describe('gate threshold: "at" the threshold trips (>=) for crash rates', () => {
  // Test: 100 devices, device i receives at T0 + i min; device 0 crashes at T0 + 45.5 min.
  // First: 100 devices received at T0 + i min in reality, no crashes.
  // Gate: crash >= 2 %, min sample 50, continuous.
  // At T0 + 49 min device 49 arrives: population 50, 1 crashed = 2 % >= 2 % -> trip at T0 + 49 min.
  // Test reached = devices 0..49 = 50, spared 50; First starts at T0 + 4 h > trip -> never starts: spared 100.
  const log: LogDevice[] = [
    ...range(100).map((i) => ({ ring: 'Test', recv: T0 + i * MIN, ...(i === 0 ? { crash: T0 + 45.5 * MIN } : {}) })),
    ...range(100).map((i) => ({ ring: 'First', recv: T0 + i * MIN })),
  ];
  const gate = { metric: 'crash', thresholdPercent: 2, minSample: 50 };

  it('trips exactly when the rate equals the threshold', async () => {
    const ws = await workspace();
    writeLog(ws, log);
    const r = h.replay(ws, twoRings(gate));
    expect(r.halt?.at).toBe(T0 + 49 * MIN);
    expect(r.halt?.evaluation).toMatchObject({ population: 50, bad: 1, ratePercent: 2, result: 'trip' });
    const [test, first] = r.rings;
    expect(test).toMatchObject({ reached: 50, spared: 50, crashed: 1, crashesAvoided: 0, tripAt: T0 + 49 * MIN });
    expect(first).toMatchObject({ started: false, reached: 0, spared: 100, start: null });
    expect(r.totals).toMatchObject({ actualReached: 200, reached: 50, spared: 150 });
  });

  it('does not trip just above the rate (2.0001 %): everything is reached', async () => {
    const ws = await workspace();
    writeLog(ws, log);
    const r = h.replay(ws, twoRings({ ...gate, thresholdPercent: 2.0001 }));
    expect(r.halt).toBeNull();
    expect(r.totals).toMatchObject({ reached: 200, spared: 0 });
    expect(r.rings[1]!.start).toBe(T0 + 4 * HOUR);
    // The rate only falls after T0 + 49 min, so the final state is a pass at 1 %.
    expect(r.rings[0]!.evaluations.find((e) => e.at === 'continuous')).toMatchObject({
      result: 'pass',
      bad: 1,
      population: 100,
    });
  });

  it('success trips strictly below its threshold', async () => {
    const ws = await workspace();
    writeLog(ws, log);
    // Population 100 (all received by T0 + 99 min), 1 crashed -> 99 % success at the bake end.
    const at = { metric: 'success', minSample: 1, at: 'bakeEnd' };
    expect(h.replay(ws, twoRings({ ...at, thresholdPercent: 99 })).halt).toBeNull();
    const r = h.replay(ws, twoRings({ ...at, thresholdPercent: 99.5 }));
    expect(r.halt).toMatchObject({ at: T0 + 4 * HOUR, ring: 'Test' });
    expect(r.halt?.evaluation).toMatchObject({ population: 100, bad: 1, ratePercent: 99 });
  });
});

describe('a ring too small for the minimum sample', () => {
  // Test: 5 devices at T0 + i min, all crash 1 min after receipt: 100 % crashes but 5 < min sample 10.
  // First: 100 devices at T0 + i min in reality; every tenth (i % 10 == 0) crashes 30 s after receipt.
  // First starts at T0 + 1 h (Test's bake). Its device i arrives at T0 + 1 h + i min.
  // Population reaches 10 at device 9 (T0 + 1 h + 9 min) with 1 crash (device 0) = 10 % >= 2 % -> trip there.
  it('does not evaluate the small ring and trips in the next one', async () => {
    const ws = await workspace();
    writeLog(ws, [
      ...range(5).map((i) => ({ ring: 'Test', recv: T0 + i * MIN, crash: T0 + (i + 1) * MIN })),
      ...range(100).map((i) => ({
        ring: 'First',
        recv: T0 + i * MIN,
        ...(i % 10 === 0 ? { crash: T0 + i * MIN + 30_000 } : {}),
      })),
    ]);
    const r = h.replay(ws, twoRings({ metric: 'crash', thresholdPercent: 2, minSample: 10 }, 1));
    const [test, first] = r.rings;
    expect(test).toMatchObject({ reached: 5, crashed: 5, spared: 0, tripAt: null, minSampleAt: null });
    expect(test!.evaluations.every((e) => e.result === 'insufficient')).toBe(true);
    expect(test!.notes.join(' ')).toMatch(/minimum sample of 10|never had 10/);
    expect(first).toMatchObject({ start: T0 + HOUR, tripAt: T0 + HOUR + 9 * MIN, reached: 10, spared: 90 });
    // Crashes among First's first 10 devices: only device 0; in reality 10 crashed -> 9 avoided.
    expect(first).toMatchObject({ crashed: 1, crashesAvoided: 9 });
    expect(r.halt?.ring).toBe('First');
  });
});

describe('bake-time boundaries', () => {
  // Test: 10 devices at T0 + i min; bake 1 h; gate crash >= 5 % (min 5) evaluated at the bake end only.
  // First: 10 devices at T0 + i min in reality; in the simulation device 0 arrives exactly at First's start.
  const build = (crashAt: number): LogDevice[] => [
    ...range(10).map((i) => ({ ring: 'Test', recv: T0 + i * MIN, ...(i === 0 ? { crash: crashAt } : {}) })),
    ...range(10).map((i) => ({ ring: 'First', recv: T0 + i * MIN })),
  ];
  const bakeEndGate = { metric: 'crash', thresholdPercent: 5, minSample: 5, at: 'bakeEnd' };

  it('a crash exactly at the bake end counts and keeps the next ring from starting', async () => {
    const ws = await workspace();
    writeLog(ws, build(T0 + HOUR));
    const r = h.replay(ws, twoRings(bakeEndGate, 1));
    expect(r.halt).toMatchObject({ at: T0 + HOUR, ring: 'Test' });
    expect(r.halt?.evaluation).toMatchObject({ population: 10, bad: 1, ratePercent: 10 });
    expect(r.rings[1]).toMatchObject({ started: false, reached: 0, spared: 10 });
  });

  it('a crash 1 ms after the bake end does not count; the next ring starts at the bake end and its first device is reached', async () => {
    const ws = await workspace();
    writeLog(ws, build(T0 + HOUR + 1));
    const r = h.replay(ws, twoRings(bakeEndGate, 1));
    expect(r.halt).toBeNull();
    expect(r.rings[0]!.evaluations[0]).toMatchObject({ time: T0 + HOUR, bad: 0, result: 'pass' });
    expect(r.rings[1]).toMatchObject({ started: true, start: T0 + HOUR, reached: 10, spared: 0 });
  });

  it('a continuous trip at the same millisecond the next ring would start keeps it from starting', async () => {
    const ws = await workspace();
    writeLog(ws, build(T0 + HOUR));
    const r = h.replay(ws, twoRings({ metric: 'crash', thresholdPercent: 5, minSample: 5 }, 1));
    expect(r.halt?.at).toBe(T0 + HOUR);
    expect(r.rings[1]).toMatchObject({ started: false, spared: 10 });
  });
});

describe('windows, rollback, sizes and vendor delays', () => {
  it('a window excludes a device received exactly W before the evaluation', async () => {
    // Test devices at T0 + 5i min; device 0 crashes at T0 + 1 min. Gate crash >= 30 %, min 3.
    // Cumulative: at T0 + 10 min population 3 (devices 0,1,2), 1 crash = 33 % -> trip.
    // 10-minute window: at T0 + 10 min the window (T0, T0 + 10 min] holds devices 1 and 2 only -> never 3 -> no trip.
    const ws = await workspace();
    writeLog(
      ws,
      range(20).map((i) => ({ ring: 'Test', recv: T0 + 5 * i * MIN, ...(i === 0 ? { crash: T0 + MIN } : {}) })),
    );
    const one = (windowHours: number | null) =>
      policy({
        name: 'w',
        rings: [{ name: 'Test', bakeHours: 1 }],
        gates: [{ metric: 'crash', thresholdPercent: 30, minSample: 3, windowHours }],
      });
    expect(h.replay(ws, one(null)).halt?.at).toBe(T0 + 10 * MIN);
    expect(h.replay(ws, one(10 / 60)).halt).toBeNull();
  });

  it('rollback rescues devices that had not crashed when it reached them', async () => {
    // 20 devices at T0 + i min, each crashes 30 min after receipt. First crash T0 + 30 min, population 20 -> trip.
    // Rollback reaches devices at T0 + 40 min: device i crashes at T0 + (30 + i) min -> i = 0..10 crashed (11), 9 rescued.
    const ws = await workspace();
    writeLog(
      ws,
      range(20).map((i) => ({ ring: 'Test', recv: T0 + i * MIN, crash: T0 + (30 + i) * MIN })),
    );
    const p = (kind: 'pause' | 'rollback') =>
      policy({
        name: kind,
        rings: [{ name: 'Test', bakeHours: 1 }],
        gates: [{ metric: 'crash', thresholdPercent: 2, minSample: 5 }],
        action: { kind, latencyMinutes: 10 },
      });
    expect(h.replay(ws, p('rollback')).rings[0]).toMatchObject({
      reached: 20,
      crashed: 11,
      rescued: 9,
      crashesAvoided: 9,
    });
    expect(h.replay(ws, p('pause')).rings[0]).toMatchObject({ reached: 20, crashed: 20, rescued: 0 });
  });

  it('a sized ring takes its imported members first, then an evenly spread share of the next ring', async () => {
    // Fleet 100: Test 10 members (5 received), First 90 (all received at T0 + i min).
    // Test at 20 % = 20 devices: all 10 Test members + 10 First recipients spread evenly over First's 90.
    const ws = await workspace();
    writeLog(ws, [
      ...range(10).map((i) => ({ ring: 'Test', recv: i < 5 ? T0 + i * MIN : null })),
      ...range(90).map((i) => ({ ring: 'First', recv: T0 + i * MIN })),
    ]);
    const r = h.replay(
      ws,
      policy({
        name: 's',
        rings: [
          { name: 'Test', size: { kind: 'share', percent: 20 }, bakeHours: 1 },
          { name: 'First', bakeHours: 0 },
        ],
        gates: [],
      }),
    );
    expect(r.rings[0]).toMatchObject({ members: 20, imported: ['Test', 'First'], actual: { reached: 15 } });
    expect(r.rings[1]).toMatchObject({ members: 80, actual: { reached: 80 } });
    expect(r.rings[0]!.sizeRule).toBe('20 % of 100 devices = 20');
  });

  it('Falcon delays: ga + delay_hours holds a ring back, pause never delivers', async () => {
    const ws = await workspace();
    writeLog(ws, [
      ...range(5).map((i) => ({ ring: 'Test', recv: T0 + i * MIN })),
      ...range(5).map((i) => ({ ring: 'First', recv: T0 + i * MIN })),
      ...range(5).map((i) => ({ ring: 'Broad', recv: T0 + i * MIN })),
    ]);
    const r = h.replay(
      ws,
      policy({
        name: 'falcon',
        rings: [
          { name: 'Test', bakeHours: 1, delay: { source: 'falcon', assignment: 'ea' } },
          { name: 'First', bakeHours: 1, delay: { source: 'falcon', assignment: 'ga', delayHours: 4 } },
          { name: 'Broad', bakeHours: 0, delay: { source: 'falcon', assignment: 'pause' } },
        ],
        gates: [],
      }),
    );
    expect(r.rings.map((x) => x.start)).toEqual([T0, T0 + 4 * HOUR, null]);
    expect(r.rings[2]).toMatchObject({ reached: 0, spared: 5 });
  });
});
