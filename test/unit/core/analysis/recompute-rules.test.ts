// What a recompute reports and stores besides the states: data time fallbacks, device and change counts, phase timings, key counts.
import { describe, expect, it } from 'vitest';
import { recompute, refreshKeyCounts } from '../../../../core/analysis/recompute.js';
import { meta, setMeta, type Workspace } from '../../../../core/workspace.js';
import { addDevice, addEvent, addResult, crashedDevice, emptyWorkspace, T } from './fixtures.js';

const FULL_PHASES = ['prepare', 'facts', 'evidence', 'dataTime', 'states', 'update', 'an_dev', 'cubes', 'critical'];
const PARTIAL_PHASES = ['prepare', 'facts', 'evidence', 'dataTime', 'states', 'update'];

function addKey(ws: Workspace, deviceId: number | null, keyId: string, valid: boolean): void {
  ws.db.run('INSERT INTO keys(device_id, key_id, secret, fingerprint, valid) VALUES (?,?,?,?,?)', [
    deviceId,
    keyId,
    new Uint8Array([1, 2, 3]),
    `fp-${keyId}`,
    valid ? 1 : 0,
  ]);
}

/** Three unclean restarts 15 min apart from 04:30, after the bad content at 04:15: a boot loop. */
function bootLoopOf(ws: Workspace, id: number): void {
  addEvent(ws, id, 'installed', T('04:15'), { version: '291-bad' });
  for (const t of ['04:30', '04:45', '05:00']) addEvent(ws, id, 'rebooted', T(t), { detail: 'unclean restart' });
}

describe('the data time when the facts say little', () => {
  it('with no fact at all it is the exposure window end (05:27), never the host clock', async () => {
    const ws = await emptyWorkspace();
    const r = recompute(ws);
    expect(r.asOf).toBe(T('05:27'));
    expect(meta(ws, 'analysis.as_of')).toBe(String(T('05:27')));
    // The host clock of this workspace says 24 July: it is recorded as when the analysis ran, nothing more.
    expect(meta(ws, 'analysis.computed_at')).toBe(String(Date.UTC(2024, 6, 24)));
  });

  it('an event that makes no fact (an offer of the content) still moves the data time when it is the latest', async () => {
    const ws = await emptyWorkspace();
    const id = addDevice(ws, { hostname: 'A', lastSeen: T('06:00') });
    addEvent(ws, id, 'offered', T('09:15'), { version: '291-bad' });
    expect(recompute(ws).asOf).toBe(T('09:15'));
  });

  it('a fleet fact outside the evidence classes (a sensor version as of 08:10) is the data time when latest', async () => {
    const ws = await emptyWorkspace();
    const id = addDevice(ws, { hostname: 'A', lastSeen: T('06:00') });
    const fact = (cls: string, type: string, ts: number) =>
      ws.db.run(
        `INSERT INTO stored_facts(device_id, class, type, value, ts, source) VALUES (?, ?, ?, 'v', ?, 'falcon')`,
        [id, cls, type, ts],
      );
    fact('version', 'sensor', T('08:10'));
    // A field result later still is a technician's clock, never the data time.
    fact('result', 'fixed', T('11:00'));
    expect(recompute(ws).asOf).toBe(T('08:10'));
    // The same for a device redone alone: its version fact is newer than the stored time.
    fact('ring', 'falcon group', T('08:40'));
    expect(recompute(ws, { deviceIds: [id] }).asOf).toBe(T('08:40'));
  });

  it('a partial recompute keeps the stored data time, unless a device of it has a later fact', async () => {
    const ws = await emptyWorkspace();
    const a = crashedDevice(ws, { hostname: 'A', lastSeen: T('04:00') }, '04:20');
    const b = addDevice(ws, { hostname: 'B', lastSeen: T('07:00') });
    expect(recompute(ws).asOf).toBe(T('07:00'));
    // A's latest fact (its crash at 04:22) is older than the stored 07:00: the stored time holds.
    addResult(ws, a, 'in_progress', T('08:00'));
    expect(recompute(ws, { deviceIds: [a] }).asOf).toBe(T('07:00'));
    // B's new event at 07:30 is newer than the stored time: the later one is the data time.
    addEvent(ws, b, 'online', T('07:30'));
    expect(recompute(ws, { deviceIds: [b] }).asOf).toBe(T('07:30'));
  });
});

describe('the data time of a partial recompute', () => {
  it('is the stored one when it is later than every fact of the devices redone (a full run set it)', async () => {
    const ws = await emptyWorkspace();
    const a = crashedDevice(ws, { hostname: 'A', lastSeen: T('04:00') }, '04:20');
    recompute(ws);
    // A stored data time of 10:00, later than any fact: a partial run keeps it (the larger of the two).
    setMeta(ws, 'analysis.as_of', String(T('10:00')));
    expect(recompute(ws, { deviceIds: [a] }).asOf).toBe(T('10:00'));
  });

  it('with none stored yet, a partial run computes it from the facts like a full one', async () => {
    const ws = await emptyWorkspace();
    const a = crashedDevice(ws, { hostname: 'A', lastSeen: T('04:00') }, '04:20');
    addDevice(ws, { hostname: 'B', lastSeen: T('07:00') });
    // By hand: the latest fact is B's check-in at 07:00.
    expect(recompute(ws, { deviceIds: [a] }).asOf).toBe(T('07:00'));
  });

  it('a full run recomputes it from the facts: it goes back when the latest fact is gone', async () => {
    const ws = await emptyWorkspace();
    crashedDevice(ws, { hostname: 'A', lastSeen: T('04:00') }, '04:20');
    const b = addDevice(ws, { hostname: 'B', lastSeen: T('07:00') });
    expect(recompute(ws).asOf).toBe(T('07:00'));
    ws.db.run('DELETE FROM stored_facts WHERE device_id = ?', [b]);
    ws.db.run('DELETE FROM devices WHERE id = ?', [b]);
    // By hand: A's crash event 2 min after the 04:20 receipt is now the latest fact.
    expect(recompute(ws).asOf).toBe(T('04:22'));
  });
});

describe('derived facts', () => {
  const derived = (ws: Workspace) =>
    ws.db.all<{ device_id: number; type: string; value: string }>(
      'SELECT device_id, type, value FROM facts WHERE derived = 1 ORDER BY device_id, type',
    );

  it('a boot loop is one crash fact in words, kept once over repeated runs and through a partial run of another device', async () => {
    const ws = await emptyWorkspace();
    const a = addDevice(ws, { hostname: 'A', lastSeen: T('04:15') });
    const b = crashedDevice(ws, { hostname: 'B', lastSeen: T('04:00') }, '04:20');
    bootLoopOf(ws, a);
    recompute(ws);
    const one = [
      {
        device_id: a,
        type: 'boot_loop',
        value: '3 unclean restarts within 60 min (rule: 3 or more, the first in the window)',
      },
    ];
    expect(derived(ws)).toEqual(one);
    recompute(ws);
    expect(derived(ws)).toEqual(one);
    addResult(ws, b, 'fixed', T('06:00'));
    recompute(ws, { deviceIds: [b] });
    expect(derived(ws)).toEqual(one);
  });
});

describe('a partial recompute redoes only the devices named', () => {
  it("leaves every other device's state, rule and times as the full run set them", async () => {
    const ws = await emptyWorkspace();
    const a = crashedDevice(ws, { hostname: 'A', lastSeen: T('04:00') }, '04:20');
    crashedDevice(ws, { hostname: 'B', lastSeen: T('04:00') }, '04:25');
    const c = addDevice(ws, { hostname: 'C', lastSeen: T('04:15') });
    bootLoopOf(ws, c);
    addDevice(ws, { hostname: 'D', lastSeen: T('09:00') });
    recompute(ws);
    const others = () =>
      ws.db.all('SELECT hostname, state, state_rule, crashed_at, certainty FROM devices WHERE id <> ? ORDER BY id', [
        a,
      ]);
    const before = others();
    // B and C crashed (a crash event, a boot loop); D was online in the window and is healthy.
    expect(before.map((r) => r.state)).toEqual(['needs_fix', 'needs_fix', 'exposed_healthy']);
    addResult(ws, a, 'fixed', T('08:00'));
    recompute(ws, { deviceIds: [a] });
    expect(ws.db.value('SELECT state FROM devices WHERE id = ?', [a])).toBe('fixed');
    expect(others()).toEqual(before);
  });
});

describe('the counts a recompute returns', () => {
  it('devices counts current records only; changed counts the devices whose state moved, and 0 on a repeat', async () => {
    const ws = await emptyWorkspace();
    const cur = crashedDevice(ws, { hostname: 'CUR', lastSeen: T('04:00') }, '04:20');
    addDevice(ws, { hostname: 'OLD', supersededBy: cur });
    addDevice(ws, { hostname: 'MAC', platform: 'mac' });
    const first = recompute(ws);
    // By hand: CUR and MAC are machines; OLD is the stale record of CUR. Every one of the three gets a state.
    expect(first.devices).toBe(2);
    expect(first.changed).toBe(3);
    expect(recompute(ws).changed).toBe(0);
    // One field result moves one device.
    addResult(ws, cur, 'fixed', T('06:00'));
    expect(recompute(ws, { deviceIds: [cur] }).changed).toBe(1);
  });

  it('a rule with a time it cannot print is stored empty, and a repeat run counts its device unchanged', async () => {
    const ws = await emptyWorkspace();
    // Online in the window, last seen past year 9999: SQLite's strftime gives NULL, so the whole rule is NULL.
    const far = addDevice(ws, { hostname: 'FAR', lastSeen: Date.UTC(12000, 0, 1) });
    expect(recompute(ws).changed).toBe(1);
    expect(ws.db.get('SELECT state, state_rule FROM devices WHERE id = ?', [far])).toEqual({
      state: 'exposed_healthy',
      state_rule: '',
    });
    expect(recompute(ws).changed).toBe(0);
  });

  it('times every phase in whole milliseconds: all of them on a full run, the patch phases on a partial one', async () => {
    const ws = await emptyWorkspace();
    const id = crashedDevice(ws, { hostname: 'A' });
    const full: Record<string, number> = {};
    const before = performance.now();
    const r = recompute(ws, { timings: full });
    const spent = performance.now() - before;
    // Keys with a colon are parts of a phase (the fact sync's steps, `facts:<step>`, and its index builds).
    const phases = Object.fromEntries(Object.entries(full).filter(([k]) => !k.includes(':')));
    expect(Object.keys(phases)).toEqual(FULL_PHASES);
    expect(Object.keys(full).filter((k) => k.includes(':'))).toEqual(expect.arrayContaining(['facts:orphans']));
    for (const v of Object.values(full)) {
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(Math.ceil(spent));
    }
    // The phases follow each other: together they take no longer than the whole (one rounding each).
    expect(Object.values(phases).reduce((s, v) => s + v, 0)).toBeLessThanOrEqual(Math.ceil(spent) + FULL_PHASES.length);
    expect(Number.isInteger(r.ms)).toBe(true);
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(r.ms).toBeLessThanOrEqual(Math.ceil(spent));
    const part: Record<string, number> = {};
    recompute(ws, { deviceIds: [id], timings: part });
    expect(Object.keys(part).filter((k) => !k.includes(':'))).toEqual(PARTIAL_PHASES);
  });
});

describe('key counts', () => {
  it('counts keys, valid and invalid, devices with a key (a stale record counts as its current one), and unmatched keys', async () => {
    const ws = await emptyWorkspace();
    const cur = addDevice(ws, { hostname: 'CUR' });
    const old = addDevice(ws, { hostname: 'OLD', supersededBy: cur });
    const other = addDevice(ws, { hostname: 'OTHER' });
    addDevice(ws, { hostname: 'NOKEY' });
    addKey(ws, cur, 'k1', true);
    addKey(ws, old, 'k2', true);
    addKey(ws, other, 'k3', false);
    addKey(ws, null, 'k4', true);
    addKey(ws, null, 'k5', false);
    recompute(ws);
    // By hand: 5 keys; k1, k2, k4 valid; k3, k5 invalid; CUR (with OLD's key) and OTHER hold keys; k4 and k5 unmatched.
    // An unmatched key has no device, so it adds no device with a key.
    expect(JSON.parse(meta(ws, 'analysis.keys')!)).toEqual({
      total: 5,
      valid: 3,
      invalid: 2,
      devicesWithKey: 2,
      unmatched: 2,
    });
  });

  it('with no keys every count is 0; a refresh after a key import counts again without a recompute', async () => {
    const ws = await emptyWorkspace();
    const id = addDevice(ws, { hostname: 'A' });
    recompute(ws);
    expect(JSON.parse(meta(ws, 'analysis.keys')!)).toEqual({
      total: 0,
      valid: 0,
      invalid: 0,
      devicesWithKey: 0,
      unmatched: 0,
    });
    addKey(ws, id, 'k1', true);
    refreshKeyCounts(ws);
    expect(JSON.parse(meta(ws, 'analysis.keys')!)).toEqual({
      total: 1,
      valid: 1,
      invalid: 0,
      devicesWithKey: 1,
      unmatched: 0,
    });
  });
});
