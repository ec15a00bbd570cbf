// The exposure window is chosen or derived from the workspace's own facts (receipts, else the crash cluster), never assumed.
import { describe, expect, it } from 'vitest';
import { writeConfig } from '../../../../core/analysis/config.js';
import {
  CRASH_CLUSTER_GAP_MS,
  crashCluster,
  MIN_DEVICES_TO_DERIVE,
} from '../../../../core/analysis/exposure-window.js';
import { recompute } from '../../../../core/analysis/recompute.js';
import { report } from '../../../../core/report/report.js';
import { stateRules } from '../../../../core/analysis/rules.js';
import { summary } from '../../../../core/analysis/summary.js';
import { applyAction, replayJournal } from '../../../../core/session.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { addDevice, addEvent, T } from './fixtures.js';

/** A new workspace: nothing chosen, so whatever window it shows comes from its facts. */
async function newWorkspace(): Promise<Workspace> {
  return openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(5), now: () => T('00:00', 24) });
}

const state = (ws: Workspace, id: number) =>
  ws.db.get<{ state: string; rule: string }>('SELECT state, state_rule AS rule FROM devices WHERE id = ?', [id])!;

/** Three devices received 291-bad at 04:12, 04:40 and 05:20; the first got 291-good at `fix`. */
function receipts(ws: Workspace, fix = '05:31') {
  const a = addDevice(ws, { hostname: 'A' });
  const b = addDevice(ws, { hostname: 'B' });
  const c = addDevice(ws, { hostname: 'C' });
  addEvent(ws, a, 'installed', T('04:12'), { version: '291-bad' });
  addEvent(ws, b, 'installed', T('04:40'), { version: '291-bad' });
  addEvent(ws, c, 'installed', T('05:20'), { version: '291-bad' });
  addEvent(ws, a, 'installed', T(fix), { version: '291-good' });
  return { a, b, c };
}

describe('the exposure window of a workspace', () => {
  it('a new empty workspace shows "not set", never the July 2024 playbook window', async () => {
    const ws = await newWorkspace();
    recompute(ws);
    const w = summary(ws).window;
    expect(w).toMatchObject({ source: 'none', start: null, end: null });
    expect(w.text).toMatch(/^not set: fewer than 3 devices .*; choose it$/);
    expect(report(ws).markdown).not.toContain('2024-07-19');
  });

  it('is derived from receipts: first receipt to the fix received after the last one', async () => {
    const ws = await newWorkspace();
    const { c } = receipts(ws);
    // First seen exactly at the derived end (05:31): online in the window. A minute later: not there yet.
    const onEnd = addDevice(ws, { hostname: 'ON-END', firstSeen: T('05:31') });
    const after = addDevice(ws, { hostname: 'AFTER', firstSeen: T('05:32') });
    recompute(ws);
    // By hand: receipts of 291-bad on A, B, C (3 devices) from 04:12 to 05:20; A's 291-good at 05:31 is later than
    // the last bad receipt, so the fix closes the window at 05:31.
    expect(summary(ws).window).toMatchObject({
      source: 'derived',
      basis: 'receipts',
      devices: 3,
      start: T('04:12'),
      end: T('05:31'),
      text: "derived from 3 devices' receipts of 291-bad (first 2024-07-19 04:12 UTC, last 2024-07-19 05:20 UTC, closed by the fix received 2024-07-19 05:31 UTC)",
    });
    expect(state(ws, c).state).toBe('exposed_healthy');
    expect(state(ws, onEnd).state).toBe('exposed_healthy');
    expect(state(ws, after).state).toBe('not_exposed');
  });

  it('a fix received before the last bad receipt does not cut the window: it ends at the last receipt', async () => {
    const ws = await newWorkspace();
    receipts(ws, '05:00');
    recompute(ws);
    // By hand: A's 291-good at 05:00 comes before C's 291-bad at 05:20, so the last receipt (05:20) is the end.
    expect(summary(ws).window).toMatchObject({ start: T('04:12'), end: T('05:20') });
    expect(summary(ws).window.text).not.toContain('fix');
  });

  it('only a device that received the bad content can close the window with a fix', async () => {
    const ws = await newWorkspace();
    const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((hostname) => addDevice(ws, { hostname }));
    addEvent(ws, a!, 'installed', T('04:12'), { version: '291-bad' });
    addEvent(ws, b!, 'installed', T('04:40'), { version: '291-bad' });
    addEvent(ws, c!, 'installed', T('05:20'), { version: '291-bad' });
    // D never received 291-bad: its 291-good at 05:40 says nothing about when the bad rollout stopped.
    addEvent(ws, d!, 'installed', T('05:40'), { version: '291-good' });
    recompute(ws);
    // By hand: bad receipts on A, B, C from 04:12 to 05:20 and no fix on any of them, so the window ends at the last
    // bad receipt, 05:20, not at D's 05:40.
    expect(summary(ws).window).toMatchObject({ devices: 3, start: T('04:12'), end: T('05:20') });
  });

  it('a receipt exactly at the derived end keeps it; one a minute after moves the end to that receipt', async () => {
    const ws = await newWorkspace();
    receipts(ws);
    const d = addDevice(ws, { hostname: 'D' });
    addEvent(ws, d, 'installed', T('05:31'), { version: '291-bad' });
    recompute(ws);
    // By hand: last bad receipt 05:31 equals the fix time 05:31 (not later), so the end is 05:31; D is inside.
    expect(summary(ws).window).toMatchObject({ devices: 4, start: T('04:12'), end: T('05:31') });
    expect(state(ws, d).rule).toContain('received 291-bad at 05:31 UTC');
    const e = addDevice(ws, { hostname: 'E' });
    addEvent(ws, e, 'installed', T('05:32'), { version: '291-bad' });
    recompute(ws);
    // By hand: the last receipt 05:32 is now later than the fix (05:31): the window runs to it, and E is exposed.
    expect(summary(ws).window).toMatchObject({ devices: 5, end: T('05:32') });
    expect(state(ws, e).state).toBe('exposed_healthy');
  });

  it('a device with several receipts: the window runs to the last of any; a chosen one counts the first inside it', async () => {
    const ws = await newWorkspace();
    const [a, b, c] = ['A', 'B', 'C'].map((hostname) => addDevice(ws, { hostname }));
    addEvent(ws, a!, 'installed', T('04:12'), { version: '291-bad' });
    addEvent(ws, a!, 'received', T('05:50'), { version: '291-bad' });
    addEvent(ws, b!, 'installed', T('04:40'), { version: '291-bad' });
    addEvent(ws, c!, 'installed', T('05:20'), { version: '291-bad' });
    recompute(ws);
    // By hand: 3 devices received 291-bad, the first at 04:12 (A), the last at 05:50 (A again, its second receipt),
    // and no fix: the window is 04:12 to 05:50, and A was exposed by its first receipt.
    expect(summary(ws).window).toMatchObject({ devices: 3, start: T('04:12'), end: T('05:50') });
    expect(state(ws, a!).rule).toContain('received 291-bad at 04:12 UTC');
    writeConfig(ws, { windowStart: T('04:30'), windowEnd: T('06:00') });
    recompute(ws);
    // By hand: A's receipt at 04:12 is before the chosen start, its 05:50 one inside: the rule names 05:50.
    expect(state(ws, a!).rule).toContain('received 291-bad at 05:50 UTC');
    expect(state(ws, b!).rule).toContain('received 291-bad at 04:40 UTC');
    writeConfig(ws, { windowStart: T('04:00'), windowEnd: T('05:30') });
    recompute(ws);
    // By hand: now A's 05:50 is after the chosen end and its 04:12 inside.
    expect(state(ws, a!).rule).toContain('received 291-bad at 04:12 UTC');
    expect(state(ws, c!).rule).toContain('received 291-bad at 05:20 UTC');
  });

  it('a device that got other content before the bad one too: its first other receipt after the bad one is the fix', async () => {
    const ws = await newWorkspace();
    const { a, b } = receipts(ws, '05:35');
    // A had 290-old at 03:00 (before its bad receipt at 04:12) and 291-good at 05:35: the fix is 05:35, not 03:00.
    addEvent(ws, a, 'installed', T('03:00'), { version: '290-old' });
    recompute(ws);
    expect(summary(ws).window).toMatchObject({ devices: 3, start: T('04:12'), end: T('05:35') });
    // A stored receipt of other content at 05:25 on B comes first.
    ws.db.run(
      `INSERT INTO stored_facts(device_id, class, type, value, ts, source)
      VALUES (?, 'content', 'installed', '291-good', ?, 'x')`,
      [b, T('05:25')],
    );
    recompute(ws);
    expect(summary(ws).window).toMatchObject({ devices: 3, start: T('04:12'), end: T('05:25') });
  });

  it('with no receipts it is derived from the crash cluster; a crash over an hour after the rest is not in it', async () => {
    const ws = await newWorkspace();
    const crashAt = ['04:15', '04:50', '05:45', '09:00'];
    for (const [i, t] of crashAt.entries()) {
      const id = addDevice(ws, { hostname: `C${i}` });
      addEvent(ws, id, 'crashed', T(t), { detail: 'BugCheck 0x50' });
    }
    recompute(ws);
    // By hand: gaps 35 min and 55 min (≤ 60) join 04:15, 04:50, 05:45; 09:00 is 3 h 15 min later, a cluster of one.
    // The window opens 15 min before the first crash: 04:00.
    expect(summary(ws).window).toMatchObject({
      source: 'derived',
      basis: 'crashes',
      devices: 3,
      start: T('04:00'),
      end: T('05:45'),
    });
    expect(summary(ws).window.text).toContain('crash cluster of 3 devices (first crash 2024-07-19 04:15 UTC');
  });

  it('the crash cluster: a gap of exactly an hour joins, an hour and a minute splits; the larger run wins', () => {
    const m = 60_000;
    expect(CRASH_CLUSTER_GAP_MS).toBe(60 * m);
    expect(crashCluster([0, 60 * m, 120 * m])).toEqual({ first: 0, last: 120 * m, devices: 3 });
    // By hand: 0 → 61 min splits (61 > 60); 61 → 121 joins (exactly 60); 121 → 122 joins: the run of three wins.
    expect(crashCluster([0, 61 * m, 121 * m, 122 * m])).toEqual({ first: 61 * m, last: 122 * m, devices: 3 });
    // On a tie, the earliest run.
    expect(crashCluster([0, m, 200 * m, 201 * m])).toEqual({ first: 0, last: m, devices: 2 });
    expect(crashCluster([])).toBeNull();
  });

  it('must not derive from too few facts: the window stays not set and no device is decided by time', async () => {
    expect(MIN_DEVICES_TO_DERIVE).toBe(3);
    const ws = await newWorkspace();
    // Two devices with receipts (one short of three), and a third that only crashed: neither rule has 3 devices.
    const a = addDevice(ws, { hostname: 'A' });
    const b = addDevice(ws, { hostname: 'B' });
    const c = addDevice(ws, { hostname: 'C' });
    addEvent(ws, a, 'installed', T('04:12'), { version: '291-bad' });
    addEvent(ws, b, 'installed', T('04:40'), { version: '291-bad' });
    addEvent(ws, a, 'crashed', T('04:14'), { detail: 'BugCheck 0x50' });
    addEvent(ws, c, 'crashed', T('04:45'), { detail: 'BugCheck 0x50' });
    recompute(ws);
    expect(summary(ws).window).toMatchObject({ source: 'none', start: null, end: null });
    for (const id of [a, b, c]) {
      expect(state(ws, id).state).toBe('unknown');
      expect(state(ws, id).rule).toContain('No exposure window');
    }
    expect(summary(ws).totals.exposed).toBe(0);
    // The rules in words name no window either (not the 1970 that an unset time would print).
    expect(stateRules(ws).exposure).toContain('during the exposure window (not set yet');
    expect(stateRules(ws).exposure).not.toContain('1970');
    // A third device with a receipt reaches the threshold: 04:12 to 05:01.
    const d = addDevice(ws, { hostname: 'D' });
    addEvent(ws, d, 'installed', T('05:01'), { version: '291-bad' });
    recompute(ws);
    expect(summary(ws).window).toMatchObject({ source: 'derived', devices: 3, start: T('04:12'), end: T('05:01') });
    expect(state(ws, a).state).not.toBe('unknown');
  });

  it('a chosen window wins over a derived one, and can be given back to the derived one', async () => {
    const ws = await newWorkspace();
    const { c } = receipts(ws);
    recompute(ws);
    writeConfig(ws, { windowStart: T('04:00'), windowEnd: T('04:30') });
    recompute(ws);
    expect(summary(ws).window).toMatchObject({ source: 'chosen', start: T('04:00'), end: T('04:30'), text: 'chosen' });
    // C received 291-bad at 05:20, after the chosen end: not exposed.
    expect(state(ws, c).state).toBe('not_exposed');
    // Changing a version later does not turn the window into another chosen one, nor forget it.
    writeConfig(ws, { minVersion: '7.10' });
    expect(summary(ws).window).toMatchObject({ source: 'chosen', end: T('04:30') });
    await applyAction(ws, { type: 'window.set', start: null, end: null, at: T('00:00', 24) });
    expect(summary(ws).window).toMatchObject({ source: 'derived', start: T('04:12'), end: T('05:31') });
    expect(state(ws, c).state).toBe('exposed_healthy');
  });

  it('a chosen window is a journalled action: replay on open chooses it again and recomputes every device', async () => {
    const ws = await newWorkspace();
    const { c } = receipts(ws);
    recompute(ws);
    const action = { type: 'window.set' as const, start: T('04:00'), end: T('04:30'), at: T('00:00', 24) };
    await replayJournal(ws, [{ seq: 1, action }]);
    expect(summary(ws).window).toMatchObject({ source: 'chosen', start: T('04:00'), end: T('04:30') });
    expect(state(ws, c).state).toBe('not_exposed');
    // A window that ends before it starts is skipped (recorded), not applied, and the workspace still opens.
    const bad = { type: 'window.set' as const, start: T('05:00'), end: T('04:00'), at: T('00:00', 24) };
    await replayJournal(ws, [{ seq: 2, action: bad }]);
    expect(summary(ws).window).toMatchObject({ source: 'chosen', start: T('04:00') });
  });
});
