// The packed replay arrays (one row per content) against the per-device path, and when the packed arrays are rebuilt.
import { beforeAll, describe, expect, it } from 'vitest';
import { handlers } from '../../../../core/api/handlers.js';
import type { Workspace } from '../../../../core/workspace.js';
import { loadReplayDataRows, type ReplayData } from '../../../../core/replay/data.js';
import { loadReplayData } from '../../../../core/replay/packed.js';
import { simulate, type ReplayResult } from '../../../../core/replay/simulate.js';
import { defaultPolicy, type Policy } from '../../../../core/replay/policy.js';
import { HOUR, MIN, T0, policy, workspace, writeLog } from './helpers.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Everything but the timing, which differs from run to run. */
function comparable(r: ReplayResult): Omit<ReplayResult, 'elapsedMs'> {
  const { elapsedMs: _elapsed, ...rest } = r;
  return rest;
}

function expectSameData(packed: ReplayData, rows: ReplayData): void {
  expect(packed.content).toEqual(rows.content);
  expect([packed.t0, packed.dataTime, packed.fleet]).toEqual([rows.t0, rows.dataTime, rows.fleet]);
  expect(Array.from(packed.recv)).toEqual(Array.from(rows.recv));
  // toEqual treats NaN as equal to NaN, so "no crash" slots must line up too.
  expect(Array.from(packed.crash)).toEqual(Array.from(rows.crash));
  expect(Array.from(packed.fail)).toEqual(Array.from(rows.fail));
  expect(packed.groups.map((g) => [g.name, g.members, Array.from(g.idx)])).toEqual(
    rows.groups.map((g) => [g.name, g.members, Array.from(g.idx)]),
  );
}

describe('packed arrays and the per-device path on the sample incident', () => {
  let ws: Workspace;
  const content = { package: 'channel-file-291', version: '291-bad' };

  beforeAll(async () => {
    ws = await workspace();
    await handlers.loadSample(ws, {});
  }, 600_000);

  it('read the same devices, times and rings', () => {
    const packed = loadReplayData(ws, content);
    expect(packed.content.devices).toBe(12_423);
    expectSameData(packed, loadReplayDataRows(ws, content));
  });

  const windowed = (): Policy => ({
    ...defaultPolicy(),
    id: 'windowed',
    rings: [
      { name: 'Test', size: { kind: 'count', devices: 150 }, bakeHours: 1, delay: { source: 'none' } },
      { name: 'First', size: { kind: 'asImported' }, bakeHours: 2, delay: { source: 'none' } },
      { name: 'Fast', size: { kind: 'share', percent: 5 }, bakeHours: 2, delay: { source: 'none' } },
      { name: 'Broad', size: { kind: 'asImported' }, bakeHours: 0, delay: { source: 'none' } },
    ],
    gates: [
      { metric: 'crash', thresholdPercent: 60, minSample: 20, windowHours: 0.25, at: 'continuous' },
      { metric: 'failure', thresholdPercent: 1, minSample: 5, windowHours: 1, at: 'bakeEnd' },
    ],
  });

  it.each([
    ['the default policy', defaultPolicy],
    ['a policy with gate windows and resized rings', windowed],
  ])('give identical replays under %s', (_name, make) => {
    const p = make();
    const packed = simulate(loadReplayData(ws, p.content), p);
    const rows = simulate(loadReplayDataRows(ws, p.content), p);
    expect(comparable(packed)).toEqual(comparable(rows));
    // The replay handler (the path the UI, CLI and bench use) reads the packed arrays.
    expect(comparable(handlers.replay(ws, p))).toEqual(comparable(packed));
  });
});

describe('packed arrays are rebuilt when what they depend on changes', () => {
  // Only Test is watched, so the crashes in First stop nothing until devices move to Test.
  const gate = { metric: 'crash', thresholdPercent: 10, minSample: 1, rings: ['Test'] } as const;
  const twoRings = policy({
    name: 'two rings',
    rings: [
      { name: 'Test', bakeHours: 1 },
      { name: 'First', bakeHours: 0 },
    ],
    gates: [{ ...gate, rings: [...gate.rings] }],
  });

  it('a ring override (no new events or imports) moves the device on the next replay', async () => {
    const ws = await workspace();
    writeLog(ws, [
      ...range(10).map((i) => ({ ring: 'Test', recv: T0 + i * MIN })),
      ...range(10).map((i) => ({ ring: 'First', recv: T0 + i * MIN, crash: T0 + (i + 1) * MIN })),
    ]);
    const before = h(ws, twoRings);
    expect(before.halt).toBeNull();
    expect(before.rings[0]).toMatchObject({ members: 10, actual: { reached: 10, crashed: 0 } });
    // Devices 11 and 12 (First, received at T0 and T0 + 1 min, crash 1 min later) move to Test. At T0 + 1 min Test
    // has 4 recipients (Test 0, 1 and devices 11, 12) and 1 crash: 25 % >= 10 % -> trip.
    ws.db.run("UPDATE devices SET ring_override = 'Test' WHERE id IN (11, 12)");
    const after = h(ws, twoRings);
    expect(after.rings[0]).toMatchObject({ members: 12, actual: { reached: 12, crashed: 2 } });
    expect(after.halt).toMatchObject({ ring: 'Test', at: T0 + MIN });
    expectSameData(loadReplayData(ws, null), loadReplayDataRows(ws, null));
    // Writing the same value again changes nothing, so it does not invalidate.
    const gen = ws.db.value<number>('SELECT gen FROM replay_ring_gen');
    ws.db.run("UPDATE devices SET ring_override = 'Test' WHERE id IN (11, 12)");
    expect(ws.db.value<number>('SELECT gen FROM replay_ring_gen')).toBe(gen);
  });

  it('new events and new devices are in the next replay', async () => {
    const ws = await workspace();
    writeLog(
      ws,
      range(10).map((i) => ({ ring: 'Test', recv: T0 + i * MIN })),
    );
    expect(h(ws, twoRings).totals.actualReached).toBe(10);
    // A late device with a receipt and a crash (and a failure) 5 h after the release.
    ws.db.run(
      "INSERT INTO devices(id, hostname, host_key, ring, platform) VALUES (11, 'PC-11', 'PC-11', 'First', 'windows')",
    );
    expect(h(ws, twoRings).rings[1]!.members).toBe(1);
    ws.db.run(
      `INSERT INTO events(device_id, host_key, ts, kind, ring, source, package, version) VALUES
         (11, 'PC-11', ?, 'installed', 'First', 'falcon', 'channel-file-291', '291-bad'),
         (11, 'PC-11', ?, 'crashed', 'First', 'falcon', NULL, NULL),
         (11, 'PC-11', ?, 'failed', 'First', 'falcon', NULL, NULL)`,
      [T0 + 5 * HOUR, T0 + 5 * HOUR + MIN, T0 + 6 * HOUR],
    );
    const r = h(ws, twoRings);
    expect(r.totals).toMatchObject({ actualReached: 11, actualCrashed: 1 });
    const data = loadReplayData(ws, null);
    expect(data.fail[10]).toBe(T0 + 6 * HOUR);
    expect(data.dataTime).toBe(T0 + 6 * HOUR);
    expectSameData(data, loadReplayDataRows(ws, null));
  });
});

function h(ws: Workspace, p: Policy): ReplayResult {
  return handlers.replay(ws, p);
}
