// Times from the data, not the host clock: the data time, first-crash times versus bucket starts, late result clocks.
import { describe, expect, it } from 'vitest';
import { writeConfig } from '../../../../core/analysis/config.js';
import { recompute } from '../../../../core/analysis/recompute.js';
import { report } from '../../../../core/report/report.js';
import { summary } from '../../../../core/analysis/summary.js';
import { series } from '../../../../core/charts/series.js';
import { openWorkspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { addDevice, addEvent, addResult, crashedDevice, PUBLISHED_WINDOW, T } from './fixtures.js';

/** A workspace whose host clock says 2031: nothing the analysis shows may come from it. */
async function farFutureWs(window = true) {
  const ws = await openWorkspace({
    SQL: await loadSqlJs(),
    keyMaterial: new Uint8Array(32).fill(9),
    now: () => Date.UTC(2031, 0, 1),
  });
  if (window) writeConfig(ws, PUBLISHED_WINDOW);
  return ws;
}

describe('time handling', () => {
  it('the data time is the latest check-in when a device was last seen after the last event', async () => {
    const ws = await farFutureWs();
    const a = crashedDevice(ws, { hostname: 'A', lastSeen: T('10:00', 20) }, '04:20');
    addDevice(ws, { hostname: 'B', lastSeen: T('08:30', 21) });
    addEvent(ws, a, 'rebooted', T('06:00', 19));
    recompute(ws);
    // By hand: events end at 06:00 on the 19th, check-ins at 08:30 on the 21st (B); the later of the two.
    expect(summary(ws).asOf).toBe(T('08:30', 21));
  });

  it('the data time is the latest event when an event came after every check-in', async () => {
    const ws = await farFutureWs();
    const a = crashedDevice(ws, { hostname: 'A', lastSeen: T('04:00') }, '04:20');
    addDevice(ws, { hostname: 'B', lastSeen: T('03:00') });
    addEvent(ws, a, 'rebooted', T('07:45'));
    recompute(ws);
    // By hand: check-ins end at 04:00 on the 19th; the reboot at 07:45 the same day is later.
    expect(summary(ws).asOf).toBe(T('07:45'));
  });

  it('a field result with a later clock moves neither the data time nor the states that hang on it', async () => {
    const ws = await farFutureWs();
    const a = crashedDevice(ws, { hostname: 'A', lastSeen: T('04:00') }, '04:20');
    const b = crashedDevice(ws, { hostname: 'B', lastSeen: T('04:00') }, '04:20');
    addEvent(ws, a, 'rebooted', T('05:00'));
    recompute(ws);
    // By hand: the reboot at 05:00 is the latest fact; B crashed at 04:22, 38 min before: may still self-recover.
    expect(summary(ws).asOf).toBe(T('05:00'));
    const stateOfB = () => ws.db.value<string>('SELECT state FROM devices WHERE id = ?', [b]);
    expect(stateOfB()).toBe('crashed');
    // A technician's result stamped by a laptop clock years later: a fact about a fix, not about the fleet.
    addResult(ws, a, 'fixed', Date.UTC(2026, 11, 6, 10, 0));
    recompute(ws);
    expect(summary(ws).asOf).toBe(T('05:00'));
    // Had the 2026 clock counted, B would be years past the two hours and "needs a fix".
    expect(stateOfB()).toBe('crashed');
    recompute(ws, { deviceIds: [a] });
    expect(summary(ws).asOf).toBe(T('05:00'));
  });

  it('the report timeline gives the first crash time itself, never the start of its 15-minute bucket', async () => {
    const ws = await farFutureWs();
    // Crash facts at 04:20+2 min (first) and 04:31+2 min, both inside the 04:15 bucket.
    crashedDevice(ws, { hostname: 'A', ring: 'Test' }, '04:20');
    crashedDevice(ws, { hostname: 'B', ring: 'Test' }, '04:31');
    recompute(ws);
    const tl = report(ws).timeline;
    const first = tl.find((e) => e.what.startsWith('First crash in ring Test'))!;
    expect(first.at).toBe(T('04:22'));
    const live = tl.find((e) => e.what.startsWith('Bad content version goes live'))!;
    expect(tl.indexOf(first)).toBeGreaterThan(tl.indexOf(live));
    // The peak is a period, and says so.
    const peak = tl.find((e) => e.what.startsWith('Peak of new crashes'))!;
    expect(peak.bucket).toBe(true);
    expect(peak.what).toContain('in the 15 minutes from 04:15 UTC');
  });

  it('a merged result with a later clock neither stretches the burn-down axis nor changes its peak', async () => {
    const ws = await farFutureWs();
    const ids = [0, 1, 2, 3, 4].map((i) =>
      crashedDevice(ws, { hostname: `PC-${i}`, lastSeen: T('09:00', 19) }, '04:20'),
    );
    // The data time: a reboot seen at 09:00, so the burn-down spans 04:00 to 09:00.
    addEvent(ws, ids[1]!, 'rebooted', T('09:00'));
    recompute(ws);
    const before = series(ws).burnDownByRing;
    const peakOf = (s: typeof before) => Math.max(...s.points.map((p) => s.keys.reduce((n, k) => n + (p[k] ?? 0), 0)));
    // By hand: five devices crashed and none came back, so five are down at once.
    expect(peakOf(before)).toBe(5);
    const end = before.points[before.points.length - 1]!.t;

    addResult(ws, ids[0]!, 'fixed', Date.UTC(2026, 11, 6, 10, 0));
    recompute(ws);
    const after = series(ws).burnDownByRing;
    expect(after.points[after.points.length - 1]!.t).toBe(end);
    expect(after.bucketMs).toBe(before.bucketMs);
    expect(peakOf(after)).toBe(5);
    // The late fix still counts: the last point is the remaining count.
    const last = after.points[after.points.length - 1]!;
    expect(after.keys.reduce((n, k) => n + (last[k] ?? 0), 0)).toBe(summary(ws).totals.remaining);
    expect(summary(ws).totals.remaining).toBe(4);
  });

  it('a new empty workspace claims no exposure window; one crash derives none; a chosen one is marked', async () => {
    const ws = await farFutureWs(false);
    expect(summary(ws).window).toMatchObject({ source: 'none', start: null, end: null });
    expect(summary(ws).asOf).toBeNull();
    crashedDevice(ws, { hostname: 'A' }, '04:20');
    recompute(ws);
    // One device's crash is under the three devices a window is derived from: still not set, never the playbook's.
    expect(summary(ws).window).toMatchObject({ source: 'none', start: null, end: null });
    writeConfig(ws, { windowStart: Date.UTC(2025, 0, 2, 8), windowEnd: Date.UTC(2025, 0, 2, 9) });
    expect(summary(ws).window).toMatchObject({
      start: Date.UTC(2025, 0, 2, 8),
      end: Date.UTC(2025, 0, 2, 9),
      source: 'chosen',
    });
  });
});
