// On the sample incident (imported through the real import path): summary = ground truth = brute-force SQL counts.
import { beforeAll, describe, expect, it } from 'vitest';
import { analysisHandlers as h } from '../../../../core/analysis/handlers.js';
import { recompute } from '../../../../core/analysis/recompute.js';
import { loadSample, sampleTruth } from '../../../../core/sample/handlers.js';
import { REMAINING_STATES } from '../../../../core/contract/analysis.js';
import type { Workspace } from '../../../../core/workspace.js';
import { emptyWorkspace } from './fixtures.js';

let ws: Workspace;

beforeAll(async () => {
  ws = await emptyWorkspace();
  await loadSample(ws, { devices: 3000, seed: 11 });
}, 120_000);

const COUNT_KEYS = ['devices', 'exposed', 'affected', 'recovered', 'fixed', 'remaining'] as const;

describe('analysis on the sample incident', () => {
  it('matches the generator ground truth per ring, per site, per state and for keys', () => {
    const truth = sampleTruth(ws)!;
    const s = h.summary(ws);
    expect(s.devices).toBe(truth.devices);
    expect(s.states).toEqual(expect.objectContaining(truth.states));
    for (const r of truth.byRing) {
      const mine = s.byRing.find((x) => x.ring === r.ring)!;
      for (const k of COUNT_KEYS) expect(mine[k], `${r.ring}.${k}`).toBe(r[k]);
    }
    for (const r of truth.bySite) {
      const mine = s.bySite.find((x) => x.site === r.site)!;
      for (const k of COUNT_KEYS) expect(mine[k], `${r.site}.${k}`).toBe(r[k]);
    }
    expect(s.keys).toEqual({
      total: truth.keys.total,
      valid: truth.keys.valid,
      invalid: truth.keys.invalid,
      devicesWithKey: truth.keys.devicesWithKey,
      unmatched: truth.keys.unmatched,
    });
  });

  it('keeps every summary table equal to brute-force SQL over devices and events', () => {
    const cur = 'superseded_by IS NULL';
    const brute = ws.db.all(
      `SELECT COALESCE(ring_override, ring, '') AS ring, COALESCE(site, '') AS site, state, COUNT(*) AS n FROM devices
       WHERE ${cur} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    expect(ws.db.all('SELECT ring, site, state, SUM(n) AS n FROM an_counts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3')).toEqual(
      brute,
    );
    // First crash per device straight from the raw events equals the crash timeline's total per ring.
    const crashes = ws.db.all(
      `SELECT COALESCE(d.ring_override, d.ring, '') AS ring, COUNT(*) AS n FROM devices d
       WHERE d.${cur} AND d.exposed = 1 AND EXISTS (SELECT 1 FROM events e WHERE e.device_id = d.id AND e.kind = 'crashed')
       GROUP BY 1 ORDER BY 1`,
    );
    expect(ws.db.all('SELECT ring, SUM(n) AS n FROM an_crash GROUP BY 1 ORDER BY 1')).toEqual(crashes);
    const remaining = ws.db.value<number>(
      `SELECT COUNT(*) FROM devices WHERE ${cur} AND state IN ('${REMAINING_STATES.join("','")}')`,
    );
    expect(ws.db.value('SELECT SUM(delta) FROM an_burn')).toBe(remaining);
    expect(h.devices(ws, { state: 'remaining' }).total).toBe(remaining);
    const matches = ws.db.value<number>(
      `SELECT COUNT(*) FROM devices WHERE ${cur} AND state IN ('${REMAINING_STATES.join("','")}')
       AND (hostname LIKE '%a%' OR serial LIKE '%a%' OR falcon_aid LIKE '%a%' OR entra_id LIKE '%a%' OR intune_id LIKE '%a%' OR user LIKE '%a%')`,
    );
    // A first page that holds every match counts them; the table's later count (deviceTotal) agrees.
    expect(h.devices(ws, { state: 'remaining', text: 'a', limit: 5000 }).total).toBe(matches);
    expect(h.deviceTotal(ws, { state: 'remaining', text: 'a' })).toEqual({ total: matches, capped: false });
  });

  it('is idempotent: a second recompute changes nothing', () => {
    const before = ws.db.all('SELECT * FROM an_counts ORDER BY 1, 2, 3, 4, 5');
    expect(recompute(ws).changed).toBe(0);
    expect(ws.db.all('SELECT * FROM an_counts ORDER BY 1, 2, 3, 4, 5')).toEqual(before);
  });
});
