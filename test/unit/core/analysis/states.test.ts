// The state rules on hand-built devices: every state is reachable and each rule sentence names its evidence.
import { describe, expect, it } from 'vitest';
import { DEVICE_STATES } from '../../../../core/contract/analysis.js';
import { writeConfig } from '../../../../core/analysis/config.js';
import { recompute } from '../../../../core/analysis/recompute.js';
import { addDevice, addEvent, addResult, crashedDevice, emptyWorkspace, T } from './fixtures.js';

async function build() {
  const ws = await emptyWorkspace();
  const ids: Record<string, number> = {};
  ids.mac = addDevice(ws, { hostname: 'MAC-1', platform: 'mac', agent: '7.16.1.0' });
  ids.old = addDevice(ws, { hostname: 'OLD-1', agent: '7.10.17706.0' });
  ids.noPlatform = addDevice(ws, { hostname: 'NOPLAT', platform: null, agent: null });
  ids.noVersion = addDevice(ws, { hostname: 'NOVER', agent: null });
  ids.good = addDevice(ws, { hostname: 'GOOD-1' });
  addEvent(ws, ids.good, 'installed', T('06:00'), { version: '291-good' });
  ids.offline = addDevice(ws, { hostname: 'OFFLINE', lastSeen: T('12:00', 17) });
  ids.onlineNoData = addDevice(ws, { hostname: 'ONLINE-ND', agent: '7.11.18110.0' });
  ids.noSeen = addDevice(ws, { hostname: 'NOSEEN', firstSeen: null, lastSeen: null });
  ids.healthy = addDevice(ws, { hostname: 'HEALTHY' });
  addEvent(ws, ids.healthy, 'installed', T('04:20'), { version: '291-bad' });
  ids.recovered = crashedDevice(ws, { hostname: 'RECOVERED', ring: 'Test' });
  addEvent(ws, ids.recovered, 'rebooted', T('04:40'));
  addEvent(ws, ids.recovered, 'recovered', T('05:45'));
  ids.needsFix = crashedDevice(ws, { hostname: 'NEEDSFIX', site: 'NYC', tags: 'falcongroupingtags/critical-clinical' });
  addEvent(ws, ids.needsFix, 'rebooted', T('04:50'));
  addEvent(ws, ids.needsFix, 'crashed', T('04:51'));
  ids.fixedEv = crashedDevice(ws, { hostname: 'FIXED-EV', type: 'server' });
  addEvent(ws, ids.fixedEv, 'fixed', T('10:00', 20));
  ids.reimage = crashedDevice(ws, { hostname: 'REIMAGE' });
  addEvent(ws, ids.reimage, 'failed', T('11:00', 21), { detail: 'needs reimage' });
  ids.fixedRes = crashedDevice(ws, { hostname: 'FIXED-RES' });
  addResult(ws, ids.fixedRes, 'fixed', T('09:00', 20));
  // A field result alone (no crash on file) still says the device went down: its time is the crash time.
  ids.fixedResOnly = addDevice(ws, { hostname: 'FIXED-RES-ONLY' });
  addEvent(ws, ids.fixedResOnly, 'installed', T('04:20'), { version: '291-bad' });
  addResult(ws, ids.fixedResOnly, 'fixed', T('09:00', 20));
  ids.inProgress = crashedDevice(ws, { hostname: 'INPROG' });
  addResult(ws, ids.inProgress, 'in_progress', T('08:00', 20));
  ids.resReimage = crashedDevice(ws, { hostname: 'RES-REIMAGE' });
  addResult(ws, ids.resReimage, 'needs_reimage', T('08:00', 20));
  // A late crash, within two hours of the latest event in the workspace: may still come back by itself.
  ids.stillCrashed = crashedDevice(ws, { hostname: 'LATE' }, '05:20');
  addEvent(ws, ids.stillCrashed, 'crashed', T('13:00', 23));
  // The data time is the last event (23 July 13:00): a recovered device later closes the books.
  addEvent(ws, ids.recovered, 'online', T('13:30', 23));
  // A stale record of NEEDSFIX's machine: never counted.
  ids.stale = crashedDevice(ws, { hostname: 'NEEDSFIX', supersededBy: ids.needsFix, lastSeen: T('12:00', 10) });
  const stats = recompute(ws);
  const state = (id: number) =>
    ws.db.get<{ state: string; state_rule: string; exposed: number; crashed_at: number | null }>(
      'SELECT state, state_rule, exposed, crashed_at FROM devices WHERE id = ?',
      [id],
    )!;
  return { ws, ids, state, stats };
}

describe('device state rules', () => {
  it('reaches every state with the rule that gave it', async () => {
    const { ids, state } = await build();
    const expect_ = (name: string, st: string, rule: RegExp) => {
      const s = state(ids[name]!);
      expect(s.state, `${name}: ${s.state_rule}`).toBe(st);
      expect(s.state_rule).toMatch(rule);
    };
    expect_('mac', 'not_exposed', /not the affected platform/);
    expect_('old', 'not_exposed', /sensor 7\.10\.17706\.0 < 7\.11: not susceptible/);
    expect_('noPlatform', 'unknown', /No platform/);
    expect_('noVersion', 'unknown', /no sensor version/);
    expect_('noSeen', 'unknown', /≥ 7\.11, no rollout data and no first\/last seen: cannot tell whether it was online/);
    expect_('good', 'not_exposed', /no 291-bad received/);
    expect_('offline', 'not_exposed', /not online in the window/);
    expect_('onlineNoData', 'exposed_healthy', /online in the window.*; no crash/);
    expect_('healthy', 'exposed_healthy', /received 291-bad at 04:20 UTC; no crash/);
    expect_('recovered', 'self_recovered', /crashed 04:33; self-recovered 05:45/);
    expect_('needsFix', 'needs_fix', /crashed 04:33 \(2 crashes\); no recovery or fix; last crash\/reboot 04:51/);
    expect_('fixedEv', 'fixed', /fixed by hand 07-20 10:00/);
    expect_('reimage', 'needs_reimage', /needs reimage/);
    expect_('fixedRes', 'fixed', /field result/);
    expect_('fixedResOnly', 'fixed', /04:20 UTC; crashed 07-20 09:00; fixed by hand 07-20 09:00 \(field result\)$/);
    expect_('inProgress', 'fix_in_progress', /fix in progress/);
    expect_('resReimage', 'needs_reimage', /field result 07-20 08:00: needs reimage/);
    expect_('stillCrashed', 'crashed', /may still self-recover/);
    expect(state(ids.stale!).state_rule).toMatch(/^Stale record/);
    const reached = new Set(Object.values(ids).map((id) => state(id).state));
    for (const s of DEVICE_STATES) expect(reached.has(s), s).toBe(true);
  });

  it("names each outcome after a boot loop, and a failed hands-on fix, in the rule's words", async () => {
    const ws = await emptyWorkspace();
    // Three unclean restarts from 04:30 after the bad content at 04:15: a boot loop, its last reboot at 05:00.
    const loop = (hostname: string) => {
      const id = addDevice(ws, { hostname });
      addEvent(ws, id, 'installed', T('04:15'), { version: '291-bad' });
      for (const t of ['04:30', '04:45', '05:00']) addEvent(ws, id, 'rebooted', T(t), { detail: 'unclean restart' });
      return id;
    };
    const recovered = loop('LOOP-RECOVERED');
    addEvent(ws, recovered, 'recovered', T('06:00'));
    const backOnline = loop('LOOP-ONLINE');
    addEvent(ws, backOnline, 'online', T('07:00'));
    const stuck = loop('LOOP-STUCK');
    const failed = crashedDevice(ws, { hostname: 'FIX-FAILED' });
    addResult(ws, failed, 'failed', T('08:00', 20));
    // The data time (the latest check-in or event) is long past every loop.
    addEvent(ws, addDevice(ws, { hostname: 'CLOCK' }), 'online', T('09:00', 20));
    recompute(ws);
    const rule = (id: number) =>
      ws.db.get<{ state: string; state_rule: string }>('SELECT state, state_rule FROM devices WHERE id = ?', [id])!;
    const boot = '; boot loop from 04:30: 3 unclean restarts';
    expect(rule(recovered).state).toBe('self_recovered');
    expect(rule(recovered).state_rule).toContain(boot);
    expect(rule(recovered).state_rule).toMatch(/ or more\); self-recovered 06:00$/);
    // Recovered at the recovery event, or at the check-in after the last crash.
    const recoveredAt = (id: number) => ws.db.value('SELECT recovered_at FROM devices WHERE id = ?', [id]);
    expect(recoveredAt(recovered)).toBe(T('06:00'));
    expect(recoveredAt(backOnline)).toBe(T('07:00'));
    expect(rule(backOnline).state).toBe('self_recovered');
    expect(rule(backOnline).state_rule).toMatch(/ or more\); back online 07:00 \(a check-in after its last crash\)$/);
    expect(rule(stuck).state).toBe('needs_fix');
    expect(rule(stuck).state_rule).toMatch(
      / or more\); no recovery or fix; last crash\/reboot 05:00, over 2 h before data time$/,
    );
    // Each state names the fact that decided it: the check-in after the loop, the field result.
    const decided = (id: number, cls: string, ts: number) => {
      const fact = ws.db.value<number>('SELECT MIN(id) FROM facts WHERE device_id = ? AND class = ? AND ts = ?', [
        id,
        cls,
        ts,
      ]);
      expect(fact).not.toBeNull();
      expect(ws.db.value('SELECT decided_by FROM devices WHERE id = ?', [id])).toBe(fact);
    };
    decided(backOnline, 'seen', T('07:00'));
    decided(failed, 'result', T('08:00', 20));
    expect(rule(failed).state).toBe('needs_fix');
    expect(rule(failed).state_rule).toMatch(/; hands-on fix failed 07-20 08:00: needs another visit$/);
    // Within two hours of the data time, the same loop may still come back by itself.
    const near = await emptyWorkspace();
    const crashed = addDevice(near, { hostname: 'LOOP-NEAR', lastSeen: T('04:20') });
    addEvent(near, crashed, 'installed', T('04:15'), { version: '291-bad' });
    for (const t of ['04:30', '04:45', '05:00'])
      addEvent(near, crashed, 'rebooted', T(t), { detail: 'unclean restart' });
    addEvent(near, addDevice(near, { hostname: 'CLOCK', lastSeen: T('06:00') }), 'online', T('06:00'));
    recompute(near);
    const n = near.db.get<{ state: string; state_rule: string }>('SELECT state, state_rule FROM devices WHERE id = ?', [
      crashed,
    ])!;
    expect(n.state).toBe('crashed');
    expect(n.state_rule).toMatch(
      / or more\); last crash\/reboot 05:00, within 2 h of data time: may still self-recover$/,
    );
  });

  it('counts real machines only and keeps the summary tables equal to brute-force counts', async () => {
    const { ws, stats } = await build();
    expect(stats.devices).toBe(ws.db.value('SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL'));
    const cube = ws.db.all('SELECT state, SUM(n) AS n FROM an_counts GROUP BY state ORDER BY state');
    const brute = ws.db.all(
      'SELECT state, COUNT(*) AS n FROM devices WHERE superseded_by IS NULL GROUP BY state ORDER BY state',
    );
    expect(cube).toEqual(brute);
    const crashes = ws.db.value<number>('SELECT SUM(n) FROM an_crash');
    expect(crashes).toBe(
      ws.db.value('SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL AND crashed_at IS NOT NULL'),
    );
    // The burn-down ends at the number still down.
    expect(ws.db.value('SELECT SUM(delta) FROM an_burn')).toBe(
      ws.db.value(
        `SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL AND state IN ('crashed','needs_fix','fix_in_progress','needs_reimage')`,
      ),
    );
  });

  it('patches one device after a field result, with summaries equal to a full recompute', async () => {
    const { ws, ids, state } = await build();
    addResult(ws, ids.needsFix!, 'fixed', T('15:00', 23));
    recompute(ws, { deviceIds: [ids.needsFix!] });
    expect(state(ids.needsFix!).state).toBe('fixed');
    const snap = () =>
      ['an_counts', 'an_crash', 'an_burn', 'an_ttr', 'an_critical'].map((t) =>
        ws.db.all(`SELECT * FROM ${t} ORDER BY 1,2,3,4,5`),
      );
    const patched = snap();
    recompute(ws);
    expect(snap()).toEqual(patched);
  });

  it('follows a configured window', async () => {
    const { ws, ids, state } = await build();
    writeConfig(ws, { windowStart: Date.UTC(2024, 6, 19, 4, 25) });
    recompute(ws);
    expect(state(ids.healthy!).state).toBe('not_exposed');
    expect(state(ids.recovered!).state).toBe('self_recovered');
  });
});
