// The analysis handlers against brute-force SQL on a generated fleet: summary, filters, keyset paging, series, report.
import { describe, expect, it } from 'vitest';
import { handlers as h } from '../../../../core/api/handlers.js';
import { recompute } from '../../../../core/analysis/recompute.js';
import { REMAINING_STATES } from '../../../../core/contract/analysis.js';
import type { Workspace } from '../../../../core/workspace.js';
import { addDevice, addEvent, addResult, emptyWorkspace, T } from './fixtures.js';

/** A deterministic little fleet: every ring, several sites, a mix of fates, some stale records and keys. */
async function fleet(n = 600): Promise<Workspace> {
  const ws = await emptyWorkspace();
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const rings = ['Test', 'First', 'Fast', 'Broad'];
  const sites = ['LON', 'NYC', 'FRA', 'SIN'];
  ws.db.tx(() => {
    for (let i = 0; i < n; i++) {
      const plat = rnd() < 0.85 ? 'windows' : rnd() < 0.5 ? 'mac' : 'linux';
      const id = addDevice(ws, {
        hostname: `PC-${String(i).padStart(4, '0')}`,
        platform: plat,
        agent: rnd() < 0.15 ? '7.10.17706.0' : rnd() < 0.5 ? '7.11.18110.0' : '7.16.18605.0',
        ring: rings[Math.floor(rnd() ** 3 * 4)]!,
        site: sites[i % sites.length]!,
        tags: i % 17 === 0 ? 'falcongroupingtags/critical-clinical' : i % 11 === 0 ? 'sensorgroupingtags/kiosk' : '',
        type: i % 23 === 0 ? 'server' : 'workstation',
      });
      if (rnd() < 0.1) continue; // no rollout data: exposure from first/last seen
      const rx = T('04:09') + Math.floor(rnd() * 78 * 60_000);
      addEvent(ws, id, 'installed', rx, { version: rnd() < 0.9 ? '291-bad' : '291-good' });
      const fate = rnd();
      if (fate < 0.1) continue;
      addEvent(ws, id, 'crashed', rx + 60_000, { detail: 'BugCheck 0x50' });
      addEvent(ws, id, 'rebooted', rx + 180_000);
      if (fate < 0.35) addEvent(ws, id, 'recovered', rx + 3600_000);
      else if (fate < 0.75) addEvent(ws, id, 'fixed', T('09:00', 20) + Math.floor(rnd() * 3 * 86400_000));
      else if (fate < 0.78) addEvent(ws, id, 'failed', T('12:00', 21), { detail: 'needs reimage' });
      else if (fate < 0.82) addResult(ws, id, 'in_progress', T('12:00', 22));
    }
    // Stale records of reimaged machines: same hostname, old, never counted.
    for (let i = 0; i < 6; i++)
      addDevice(ws, { hostname: `PC-${String(i).padStart(4, '0')}`, supersededBy: i + 1, lastSeen: T('12:00', 2) });
  });
  recompute(ws);
  return ws;
}

const brute = (ws: Workspace, where: string, params: (string | number)[] = []) =>
  ws.db.value<number>(`SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL AND ${where}`, params)!;

describe('analysis handlers', () => {
  it('summary equals brute-force counts per ring and per site, filtered or not', async () => {
    const ws = await fleet();
    for (const filter of [
      {},
      { site: 'NYC' },
      { ring: 'Broad', platform: 'windows' },
      { tag: 'sensorgroupingtags/kiosk' },
    ]) {
      const s = h.summary(ws, filter);
      const f = (filter as { site?: string }).site;
      const cond = [
        f ? `site = '${f}'` : '1',
        'ring' in filter ? `COALESCE(ring_override, ring) = '${filter.ring}'` : '1',
        'platform' in filter ? `platform = '${filter.platform}'` : '1',
        'tag' in filter ? `tags LIKE '%${filter.tag}%'` : '1',
      ].join(' AND ');
      expect(s.devices).toBe(brute(ws, cond));
      for (const r of s.byRing) {
        const rc = `${cond} AND COALESCE(ring_override, ring) = '${r.ring}'`;
        expect(r.devices).toBe(brute(ws, rc));
        expect(r.affected).toBe(brute(ws, `${rc} AND crashed_at IS NOT NULL`));
        expect(r.exposed).toBe(brute(ws, `${rc} AND exposed = 1`));
        expect(r.fixed).toBe(brute(ws, `${rc} AND state = 'fixed'`));
        expect(r.recovered).toBe(brute(ws, `${rc} AND state = 'self_recovered'`));
        expect(r.remaining).toBe(brute(ws, `${rc} AND state IN ('${REMAINING_STATES.join("','")}')`));
        expect(r.remaining).toBe(r.affected - r.recovered - r.fixed);
      }
      for (const r of s.bySite) expect(r.devices).toBe(brute(ws, `${cond} AND site = '${r.site}'`));
    }
    expect(h.summary(ws).devices).toBe(600);
  });

  it('uses the effective ring after an override, once the device is recomputed', async () => {
    const ws = await fleet(200);
    const before = h.summary(ws).byRing.find((r) => r.ring === 'Test')?.devices ?? 0;
    const id = ws.db.value<number>("SELECT id FROM devices WHERE ring = 'Broad' AND superseded_by IS NULL LIMIT 1")!;
    ws.db.run("UPDATE devices SET ring_override = 'Test' WHERE id = ?", [id]);
    recompute(ws, { deviceIds: [id] });
    expect(h.summary(ws).byRing.find((r) => r.ring === 'Test')!.devices).toBe(before + 1);
    expect(h.devices(ws, { ring: 'Test' }).total).toBe(before + 1);
  });

  it('pages the device table by keyset with every filter, in both directions, without gaps or repeats', async () => {
    const ws = await fleet();
    const queries = [
      {},
      { state: 'remaining' },
      { state: 'needs_fix', site: 'LON' },
      { ring: 'Broad', sort: 'state' as const, dir: 'desc' as const },
      { text: 'PC-01', sort: 'crashedAt' as const },
      { version: '7.11', platform: 'windows' },
      { tag: 'falcongroupingtags/critical-clinical', sort: 'lastSeen' as const },
    ];
    for (const q of queries) {
      const seen: number[] = [];
      let page = h.devices(ws, { ...q, limit: 37 });
      // A text search whose matches fill more than a page leaves its count to deviceTotal.
      const total = page.countPending ? h.deviceTotal(ws, q).total : page.total;
      if (q.text) expect(page.countPending, JSON.stringify(q)).toBe(true);
      for (;;) {
        seen.push(...page.rows.map((r) => r.id));
        if (!page.nextCursor) break;
        page = h.devices(ws, { ...q, limit: 37, cursor: page.nextCursor });
      }
      expect(new Set(seen).size, JSON.stringify(q)).toBe(seen.length);
      expect(seen.length, JSON.stringify(q)).toBe(total);
    }
    expect(h.devices(ws, { state: 'affected' }).total).toBe(brute(ws, 'crashed_at IS NOT NULL'));
    expect(h.devices(ws, { version: '7.11' }).total).toBe(brute(ws, "agent_version LIKE '7.11.%'"));
    const sorted = h.devices(ws, { limit: 50 }).rows.map((r) => r.hostname);
    expect(sorted).toEqual([...sorted].sort());
    expect(() => h.devices(ws, { state: 'brokn' })).toThrow(/unknown state "brokn"/);
  });

  it('sorts missing crash and last-seen times and empty sites last in both directions, across keyset pages', async () => {
    const ws = await emptyWorkspace();
    addDevice(ws, { hostname: 'NEVER-1', lastSeen: null, site: '' });
    addDevice(ws, { hostname: 'EARLY', lastSeen: T('01:00'), site: 'AMS' });
    addDevice(ws, { hostname: 'NEVER-2', lastSeen: null, site: '' });
    addDevice(ws, { hostname: 'LATE', lastSeen: T('09:00'), site: 'ZRH' });
    const walk = (q: Parameters<typeof h.devices>[1]) => {
      const names: string[] = [];
      let page = h.devices(ws, { ...q, limit: 1 });
      for (;;) {
        names.push(...page.rows.map((r) => r.hostname));
        if (!page.nextCursor) return names;
        page = h.devices(ws, { ...q, limit: 1, cursor: page.nextCursor });
      }
    };
    // By hand: the two dated devices in order, then the two undated ones (by id in the sort's direction).
    expect(walk({ sort: 'lastSeen', dir: 'asc' })).toEqual(['EARLY', 'LATE', 'NEVER-1', 'NEVER-2']);
    expect(walk({ sort: 'lastSeen', dir: 'desc' })).toEqual(['LATE', 'EARLY', 'NEVER-2', 'NEVER-1']);
    expect(walk({ sort: 'site', dir: 'asc' })).toEqual(['EARLY', 'LATE', 'NEVER-1', 'NEVER-2']);
    expect(walk({ sort: 'site', dir: 'desc' })).toEqual(['LATE', 'EARLY', 'NEVER-2', 'NEVER-1']);
  });

  it('shows a device with its stale record, events and key IDs, never a key', async () => {
    const ws = await fleet(50);
    ws.db.run(
      `INSERT INTO keys(device_id, key_id, secret, fingerprint, valid) VALUES (1, 'aaaaaaaa-0000-0000-0000-000000000001', x'00', 'fp', 1)`,
    );
    const d = h.deviceDetail(ws, 1)!;
    expect(d.staleRecords).toHaveLength(1);
    expect(d.events.length).toBeGreaterThan(0);
    expect(d.keys).toEqual([expect.objectContaining({ keyId: 'aaaaaaaa-0000-0000-0000-000000000001', valid: true })]);
    expect(JSON.stringify(d)).not.toMatch(/secret|fingerprint/);
    expect(h.deviceDetail(ws, 99999)).toBeNull();
  });

  it('builds series small enough for charts whose burn-down ends at the remaining count', async () => {
    const ws = await fleet();
    const s = h.series(ws, {});
    const total = h.summary(ws).totals;
    const crashes = s.crashTimeline.points.reduce((a, p) => a + s.crashTimeline.keys.reduce((b, k) => b + p[k]!, 0), 0);
    expect(crashes).toBe(total.affected);
    const last = s.burnDownByRing.points.at(-1)!;
    expect(s.burnDownByRing.keys.reduce((a, k) => a + last[k]!, 0)).toBe(total.remaining);
    const lastSite = s.burnDownBySite.points.at(-1)!;
    expect(s.burnDownBySite.keys.reduce((a, k) => a + lastSite[k]!, 0)).toBe(total.remaining);
    expect(s.burnDownByRing.points.length).toBeLessThanOrEqual(1000);
    const ttr = s.timeToRecover.reduce((a, r) => a + r.n, 0);
    expect(ttr).toBe(total.recovered + total.fixed);
    const nyc = h.series(ws, { site: 'NYC' });
    expect(nyc.burnDownBySite.keys).toEqual(['NYC']);
  });

  it('writes a report with every section and CSV tables', async () => {
    const ws = await fleet(200);
    const r = h.report(ws);
    for (const section of [
      '## Summary',
      '## Impact by ring',
      '## Impact by site',
      '## Timeline (UTC)',
      '## Open work',
      '## Recovery',
    ])
      expect(r.markdown).toContain(section);
    expect(r.markdown).toContain('2024-07-19 04:09 UTC');
    expect(Object.keys(r.tables)).toContain('by-ring.csv');
    expect(r.tables['by-ring.csv']!.split('\r\n')[0]).toBe('ring,devices,exposed,affected,recovered,fixed,remaining');
  });
});
