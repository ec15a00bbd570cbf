// Each state rule at its edges: a case just inside, on the edge and just outside every window, threshold and tie-break.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, writeConfig } from '../../../../core/analysis/config.js';
import { recompute } from '../../../../core/analysis/recompute.js';
import type { Workspace } from '../../../../core/workspace.js';
import { addDevice, addEvent, addResult, emptyWorkspace, T } from './fixtures.js';

const MIN = 60_000;
const H = 60 * MIN;
// The channel-file-291 window, written out by hand (formats.md: 04:09 to 05:27 UTC on 19 July 2024).
const WS = Date.UTC(2024, 6, 19, 4, 9);
const WE = Date.UTC(2024, 6, 19, 5, 27);

const stateOf = (ws: Workspace, id: number) =>
  ws.db.get<{ state: string; state_rule: string }>('SELECT state, state_rule FROM devices WHERE id = ?', [id])!;

/** A bystander whose only event sets the data time (states are computed as of the latest event). */
function dataTimeAt(ws: Workspace, t: number): void {
  // Its check-in is the data time too: the latest check-in counts as much as the latest event.
  const id = addDevice(ws, { hostname: 'CLOCK', platform: 'mac', lastSeen: t });
  addEvent(ws, id, 'online', t);
}

describe('the window and defaults the rules are measured against', () => {
  it('defaults to 04:09-05:27 UTC on 19 July 2024, two hours to self-recover, 3 unclean restarts in an hour', () => {
    expect(DEFAULT_CONFIG).toMatchObject({
      windowStart: WS,
      windowEnd: WE,
      selfRecoveryMs: 2 * H,
      burstCount: 3,
      burstMs: H,
      minVersion: '7.11',
      badVersion: '291-bad',
    });
  });
});

describe('recovery-time rule: crashed until more than the self-recovery time has passed since the last crash', () => {
  // One device that received the bad content at 04:20 and crashed at 04:30; the data time moves around it.
  async function crashedAsOf(sinceCrash: number, recoveryMs?: number) {
    const ws = await emptyWorkspace();
    if (recoveryMs) writeConfig(ws, { selfRecoveryMs: recoveryMs });
    // Last checked in as the bad content arrived: a crashing device stops checking in.
    const id = addDevice(ws, { hostname: 'PC-1', lastSeen: T('04:20') });
    addEvent(ws, id, 'installed', T('04:20'), { version: '291-bad' });
    addEvent(ws, id, 'crashed', T('04:30'));
    dataTimeAt(ws, T('04:30') + sinceCrash);
    recompute(ws);
    return stateOf(ws, id);
  }

  it('1 min inside the two hours: still crashed (may come back by itself)', async () => {
    expect((await crashedAsOf(2 * H - MIN)).state).toBe('crashed');
  });
  it('exactly two hours: still crashed ("more than" two hours is needed)', async () => {
    expect((await crashedAsOf(2 * H)).state).toBe('crashed');
  });
  it('1 ms past two hours: needs a hands-on fix', async () => {
    const s = await crashedAsOf(2 * H + 1);
    expect(s.state).toBe('needs_fix');
    expect(s.state_rule).toMatch(/last crash\/reboot 04:30, over 2 h before data time/);
  });
  it('the self-recovery window made ten times longer is caught: 2 h 1 min after the crash it needs a fix', async () => {
    // Rule: the window is 2 h, not 20 h. Twenty hours later is far outside either reading.
    expect((await crashedAsOf(2 * H + MIN)).state).toBe('needs_fix');
    expect((await crashedAsOf(20 * H + MIN)).state).toBe('needs_fix');
  });
  it('a configured window of 30 min moves the edge to 30 min', async () => {
    expect((await crashedAsOf(30 * MIN, 30 * MIN)).state).toBe('crashed');
    expect((await crashedAsOf(30 * MIN + 1, 30 * MIN)).state).toBe('needs_fix');
  });
  it('a later reboot of the loop restarts the clock', async () => {
    const ws = await emptyWorkspace();
    // Last checked in as the bad content arrived: a crashing device stops checking in.
    const id = addDevice(ws, { hostname: 'PC-1', lastSeen: T('04:20') });
    addEvent(ws, id, 'installed', T('04:20'), { version: '291-bad' });
    addEvent(ws, id, 'crashed', T('04:30'));
    addEvent(ws, id, 'rebooted', T('05:30'));
    // 3 h after the crash but 2 h after the reboot: on the edge, so still crashed.
    dataTimeAt(ws, T('07:30'));
    recompute(ws);
    expect(stateOf(ws, id).state).toBe('crashed');
  });
});

describe('exposure window: a bad-version receipt counts only from the window start to its end, both included', () => {
  async function receivedAt(t: number) {
    const ws = await emptyWorkspace();
    const id = addDevice(ws, { hostname: 'PC-1' });
    addEvent(ws, id, 'installed', t, { version: '291-bad' });
    recompute(ws);
    return stateOf(ws, id);
  }

  it('1 min before the end: exposed', async () => {
    expect((await receivedAt(WE - MIN)).state).toBe('exposed_healthy');
  });
  it('on the end (05:27:00.000): exposed', async () => {
    const s = await receivedAt(WE);
    expect(s.state).toBe('exposed_healthy');
    expect(s.state_rule).toMatch(/received 291-bad at 05:27 UTC/);
  });
  it('a bad-version receipt after the exposure window end does not count: 1 ms after the end is not exposed', async () => {
    const s = await receivedAt(WE + 1);
    expect(s.state).toBe('not_exposed');
    expect(s.state_rule).toMatch(/rollout data shows no 291-bad received in the window/);
  });
  it('an hour after the end: not exposed', async () => {
    expect((await receivedAt(WE + H)).state).toBe('not_exposed');
  });
  it('on the start (04:09:00.000): exposed; 1 ms before it: not exposed', async () => {
    expect((await receivedAt(WS)).state).toBe('exposed_healthy');
    expect((await receivedAt(WS - 1)).state).toBe('not_exposed');
  });
  it('a receipt of another version inside the window is not exposure', async () => {
    const ws = await emptyWorkspace();
    const id = addDevice(ws, { hostname: 'PC-1' });
    addEvent(ws, id, 'installed', WS + MIN, { version: '291-good' });
    recompute(ws);
    expect(stateOf(ws, id).state).toBe('not_exposed');
  });
});

describe('online in the window (no rollout data): first seen on or before the end, last seen on or after the start', () => {
  async function seen(firstSeen: number, lastSeen: number) {
    const ws = await emptyWorkspace();
    const id = addDevice(ws, { hostname: 'PC-1', firstSeen, lastSeen });
    recompute(ws);
    return stateOf(ws, id).state;
  }
  it('last seen on the window start: online, so exposed; 1 ms before: offline', async () => {
    expect(await seen(T('00:00', 1), WS)).toBe('exposed_healthy');
    expect(await seen(T('00:00', 1), WS - 1)).toBe('not_exposed');
  });
  it('first seen on the window end: online, so exposed; 1 ms after: not yet there', async () => {
    expect(await seen(WE, T('12:00', 23))).toBe('exposed_healthy');
    expect(await seen(WE + 1, T('12:00', 23))).toBe('not_exposed');
  });
});

describe('susceptible sensor: major.minor at or above 7.11, compared as numbers', () => {
  async function withAgent(agent: string) {
    const ws = await emptyWorkspace();
    const id = addDevice(ws, { hostname: 'PC-1', agent });
    addEvent(ws, id, 'installed', WS + MIN, { version: '291-bad' });
    recompute(ws);
    return stateOf(ws, id).state;
  }
  it('7.11.0.0 (on the edge) is susceptible; 7.10.99999.0 (just below) is not', async () => {
    expect(await withAgent('7.11.0.0')).toBe('exposed_healthy');
    expect(await withAgent('7.10.99999.0')).toBe('not_exposed');
  });
  it('7.2 is below 7.11 (a string comparison would say above); 8.0 is above', async () => {
    expect(await withAgent('7.2.1.0')).toBe('not_exposed');
    expect(await withAgent('8.0.1.0')).toBe('exposed_healthy');
  });
  it('6.99 is below whatever its minor', async () => {
    expect(await withAgent('6.99.0.0')).toBe('not_exposed');
  });
});

describe('boot-loop rule: 3 unclean restarts within 1 h, the first inside the exposure window', () => {
  async function restarts(times: number[]) {
    const ws = await emptyWorkspace();
    const id = addDevice(ws, { hostname: 'PC-1' });
    for (const t of times) addEvent(ws, id, 'rebooted', t, { detail: 'unclean restart (event 41, no stop code)' });
    recompute(ws);
    return stateOf(ws, id);
  }
  it('three within 59 min: a crash, dated at the first restart', async () => {
    const s = await restarts([WS + MIN, WS + 30 * MIN, WS + 60 * MIN]);
    expect(s.state).not.toBe('exposed_healthy');
    expect(s.state_rule).toMatch(/boot loop from 04:10: 3 unclean restarts .* within 60 min \(rule: 3 or more\)/);
  });
  it('the third exactly 1 h after the first: a crash (the hour includes its end)', async () => {
    expect((await restarts([WS, WS + 30 * MIN, WS + H])).state_rule).toMatch(/boot loop from 04:09/);
  });
  it('the third 1 ms more than an hour after the first: no crash', async () => {
    expect((await restarts([WS, WS + 30 * MIN, WS + H + 1])).state).toBe('exposed_healthy');
  });
  it('two restarts (one under the count): no crash', async () => {
    expect((await restarts([WS + MIN, WS + 2 * MIN])).state).toBe('exposed_healthy');
  });
  it('the first restart on the window end counts; 1 ms after the end it does not', async () => {
    expect((await restarts([WE, WE + MIN, WE + 2 * MIN])).state_rule).toMatch(/boot loop from 05:27/);
    expect((await restarts([WE + 1, WE + MIN, WE + 2 * MIN])).state).toBe('exposed_healthy');
  });
});

describe('field results: the latest time counts; equal times go to the later record', () => {
  async function results(rs: Array<[string, number]>) {
    const ws = await emptyWorkspace();
    // Last checked in as the bad content arrived: a crashing device stops checking in.
    const id = addDevice(ws, { hostname: 'PC-1', lastSeen: T('04:20') });
    addEvent(ws, id, 'installed', T('04:20'), { version: '291-bad' });
    addEvent(ws, id, 'crashed', T('04:30'));
    for (const [r, at] of rs) addResult(ws, id, r, at);
    recompute(ws);
    return stateOf(ws, id).state;
  }
  it('a result 1 ms later wins over an earlier one, whatever the insert order', async () => {
    expect(
      await results([
        ['fixed', T('09:00', 20)],
        ['failed', T('09:00', 20) + 1],
      ]),
    ).toBe('needs_fix');
    expect(
      await results([
        ['failed', T('09:00', 20) + 1],
        ['fixed', T('09:00', 20)],
      ]),
    ).toBe('needs_fix');
  });
  it('equal times: the record with the larger row id counts', async () => {
    expect(
      await results([
        ['fixed', T('09:00', 20)],
        ['in_progress', T('09:00', 20)],
      ]),
    ).toBe('fix_in_progress');
    expect(
      await results([
        ['in_progress', T('09:00', 20)],
        ['fixed', T('09:00', 20)],
      ]),
    ).toBe('fixed');
  });
  it('a "fixed" event after the latest field result wins; one before it does not', async () => {
    const ws = await emptyWorkspace();
    const a = addDevice(ws, { hostname: 'PC-A' });
    const b = addDevice(ws, { hostname: 'PC-B' });
    for (const id of [a, b]) {
      addEvent(ws, id, 'installed', T('04:20'), { version: '291-bad' });
      addEvent(ws, id, 'crashed', T('04:30'));
      addResult(ws, id, 'in_progress', T('09:00', 20));
    }
    addEvent(ws, a, 'fixed', T('09:00', 20) + 1);
    addEvent(ws, b, 'fixed', T('09:00', 20) - 1);
    recompute(ws);
    expect(stateOf(ws, a).state).toBe('fixed');
    expect(stateOf(ws, b).state).toBe('fix_in_progress');
  });
});
