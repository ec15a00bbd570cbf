// The postmortem report's figures on five hand-built devices: every number below is counted by hand from the fixture.
import { describe, expect, it } from 'vitest';
import { report } from '../../../../core/report/report.js';
import { recompute } from '../../../../core/analysis/recompute.js';
import { addDevice, addEvent, crashedDevice, emptyWorkspace, T } from '../analysis/fixtures.js';

async function fiveDevices() {
  const ws = await emptyWorkspace();
  // Ring Test: A crashed 04:33 and came back at 05:45 (self-recovered); B crashed 04:33, fixed by hand 20 July 10:00.
  const a = crashedDevice(ws, { hostname: 'PC-A', ring: 'Test', site: 'LON' });
  addEvent(ws, a, 'recovered', T('05:45'));
  const b = crashedDevice(ws, { hostname: 'PC-B', ring: 'Test', site: 'NYC' });
  addEvent(ws, b, 'fixed', T('10:00', 20));
  // Ring Broad: C crashed 04:33 and nothing since (needs a fix by data time); D received the bad content, no crash;
  // E is a Mac (not the affected platform), whose event on 23 July 13:00 is the workspace's data time.
  crashedDevice(ws, { hostname: 'PC-C', ring: 'Broad', site: 'LON' });
  const d = addDevice(ws, { hostname: 'PC-D', ring: 'Broad', site: 'LON' });
  addEvent(ws, d, 'installed', T('04:20'), { version: '291-bad' });
  const e = addDevice(ws, { hostname: 'MAC-E', ring: 'Broad', site: 'LON', platform: 'mac' });
  addEvent(ws, e, 'online', T('13:00', 23));
  recompute(ws);
  return report(ws, Date.UTC(2024, 6, 24));
}

describe('report figures', () => {
  it('the summary sentence carries the counts and percentages', async () => {
    const r = await fiveDevices();
    // 5 devices; exposed A B C D = 4 (80 %); crashed A B C = 3 (3/4 = 75 % of exposed); recovered A; fixed B; down C.
    expect(r.markdown).toContain(
      'Of 5 devices, 4 (80 %) were exposed and 3 (75 % of exposed) crashed. 1 recovered by themselves, 1 were fixed by hand, and 1 remain down (0 need a reimage).',
    );
    expect(r.markdown).toContain('from workspace data as of 2024-07-23 13:00 UTC');
  });

  it('the ring and site tables hold each ring and site row', async () => {
    const r = await fiveDevices();
    // ring: devices, exposed, affected, recovered, fixed, remaining
    expect(r.markdown).toContain('| Test | 2 | 2 | 2 | 1 | 1 | 0 |');
    expect(r.markdown).toContain('| Broad | 3 | 2 | 1 | 0 | 0 | 1 |');
    expect(r.tables['by-ring.csv']!.split('\r\n')).toEqual(
      expect.arrayContaining(['Test,2,2,2,1,1,0', 'Broad,3,2,1,0,0,1']),
    );
    // site: LON has A C D E (exposed A C D; crashed A C; A recovered; C down), NYC has B.
    expect(r.markdown).toContain('| LON | 4 | 3 | 2 | 1 | 0 | 1 |');
    expect(r.markdown).toContain('| NYC | 1 | 1 | 1 | 0 | 1 | 0 |');
  });

  it('open work and the timeline name the devices still down and when things happened', async () => {
    const r = await fiveDevices();
    expect(r.openWork).toEqual([
      { state: 'needs_fix', label: 'Needs hands-on fix', n: 1 },
      { state: 'needs_reimage', label: 'Needs reimage', n: 0 },
      { state: 'fix_in_progress', label: 'Fix in progress', n: 0 },
      { state: 'crashed', label: 'Crashed / boot loop', n: 0 },
    ]);
    expect(r.markdown).toContain('| Needs hands-on fix | 1 |');
    expect(r.markdown).toContain('- **2024-07-19 04:09 UTC** — Bad content version goes live (exposure window opens).');
    expect(r.markdown).toContain('- **2024-07-19 05:27 UTC** — Bad content reverted (exposure window closes).');
    expect(r.markdown).toContain('- **2024-07-20 10:00 UTC** — First device fixed by hand.');
    expect(r.markdown).toContain('- **2024-07-23 13:00 UTC** — Data time of this report: 1 devices still down.');
    const states = Object.fromEntries(
      r.tables['states.csv']!.split('\r\n')
        .slice(1)
        .filter(Boolean)
        .map((l) => [l.split(',')[0], Number(l.split(',').at(-1))]),
    );
    expect(states).toMatchObject({
      not_exposed: 1,
      exposed_healthy: 1,
      self_recovered: 1,
      fixed: 1,
      needs_fix: 1,
      crashed: 0,
    });
  });
});
