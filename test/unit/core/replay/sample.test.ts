// The default policy on the built-in sample incident, checked against a hand calculation done in plain SQL.
import { beforeAll, describe, expect, it } from 'vitest';
import { handlers } from '../../../../core/api/handlers.js';
import type { Workspace } from '../../../../core/workspace.js';
import type { ReplayResult } from '../../../../core/replay/simulate.js';
import { workspace } from './helpers.js';

/*
 * Hand calculation (the replay code is not called for any of these numbers):
 *
 * 1. The content is channel-file-291@291-bad: every `installed 291-bad` event is a receipt; a device "crashed" when it
 *    has a `crashed` event at or after its receipt. Release T0 = the first receipt anywhere (04:09:00 UTC).
 * 2. The default policy's Test ring is 1 % of the fleet (real machines, stale records excluded):
 *    round(0.01 x 20,000) = 200 members. The imported Test ring has fewer (183 when this was written), so the ring takes
 *    all of them and fills the rest (17) from the next imported ring, First, keeping First's share of recipients:
 *    c = round(17 x R_first / M_first) recipients, picked evenly over First's receipt order at positions
 *    floor((j + 0.5) x R_first / c), j = 0 .. c-1 (ties in receipt time broken by device id).
 * 3. Ring 1 starts at T0, so the Test ring's simulated receipt and crash times are the actual ones.
 *    The next ring could start only at T0 + 4 h; every ring's receipts in the log end by 05:27, far earlier.
 * 4. Gate: crash rate >= 2 % among >= 10 devices, evaluated after every event. The trip time is the first receipt or
 *    crash time t in the Test ring with reached(t) >= 10 and 100 x crashed(t) >= 2 x reached(t).
 *    When written: t = 04:12:59, reached 10, crashed 3 (30 %).
 * 5. Pause with no latency: Test devices with a receipt at or before t are reached; nobody else (First, Fast and Broad
 *    never start). spared = all recipients - reached; crashes avoided = all crashed recipients - crashed reached ones.
 *    When written: 12,423 recipients, 10 reached, 12,413 spared; 10,518 crashed, 8 of the reached, 10,510 avoided.
 */
const HAND_SQL = `
WITH
recv AS (
  SELECT e.device_id, MIN(e.ts) AS t FROM events e
  WHERE e.kind = 'installed' AND e.package = 'channel-file-291' AND e.version = '291-bad' AND e.device_id IS NOT NULL
  GROUP BY e.device_id),
dev AS (
  SELECT r.device_id, r.t AS recv,
         (SELECT MIN(c.ts) FROM events c WHERE c.device_id = r.device_id AND c.kind = 'crashed' AND c.ts >= r.t) AS crash,
         COALESCE(d.ring_override, d.ring, '') AS ring
  FROM recv r JOIN devices d ON d.id = r.device_id),
fleet AS (SELECT COUNT(*) AS n FROM devices WHERE superseded_by IS NULL),
test_members AS (SELECT COUNT(*) AS n FROM devices WHERE superseded_by IS NULL AND COALESCE(ring_override, ring) = 'Test'),
first_members AS (SELECT COUNT(*) AS n FROM devices WHERE superseded_by IS NULL AND COALESCE(ring_override, ring) = 'First'),
want AS (SELECT CAST(ROUND(0.01 * (SELECT n FROM fleet)) AS INTEGER) - (SELECT n FROM test_members) AS n),
first_recv AS (
  SELECT device_id, recv, crash, ROW_NUMBER() OVER (ORDER BY recv, device_id) - 1 AS pos FROM dev WHERE ring = 'First'),
rf AS (SELECT COUNT(*) AS n FROM first_recv),
c AS (SELECT MIN((SELECT n FROM rf), MAX(CAST(((SELECT n FROM want) * (SELECT n FROM rf) * 1.0 / (SELECT n FROM first_members)) + 0.5 AS INTEGER),
                 (SELECT n FROM want) - ((SELECT n FROM first_members) - (SELECT n FROM rf)))) AS n),
j(v) AS (SELECT 0 UNION ALL SELECT v + 1 FROM j WHERE v + 1 < (SELECT n FROM c)),
picked AS (SELECT CAST((v + 0.5) * (SELECT n FROM rf) / (SELECT n FROM c) AS INTEGER) AS pos FROM j),
ring1 AS (
  SELECT recv, crash FROM dev WHERE ring = 'Test'
  UNION ALL SELECT recv, crash FROM first_recv WHERE pos IN (SELECT pos FROM picked)),
times AS (SELECT recv AS t FROM ring1 UNION SELECT crash FROM ring1 WHERE crash IS NOT NULL),
state AS (
  SELECT t, (SELECT COUNT(*) FROM ring1 WHERE recv <= t) AS reached,
            (SELECT COUNT(*) FROM ring1 WHERE crash <= t) AS crashed FROM times),
trip AS (SELECT t, reached, crashed FROM state WHERE reached >= 10 AND 100 * crashed >= 2 * reached ORDER BY t LIMIT 1)
SELECT (SELECT n FROM fleet) AS fleet, (SELECT n FROM want) AS borrowed, (SELECT n FROM c) AS borrowed_recipients,
       trip.t AS trip_at, trip.reached, trip.crashed,
       (SELECT COUNT(*) FROM dev) AS recipients, (SELECT COUNT(*) FROM dev WHERE crash IS NOT NULL) AS all_crashed,
       (SELECT COUNT(*) FROM ring1 WHERE recv <= trip.t AND crash IS NOT NULL) AS reached_crashed
FROM trip`;

interface Hand {
  fleet: number;
  borrowed: number;
  borrowed_recipients: number;
  trip_at: number;
  reached: number;
  crashed: number;
  recipients: number;
  all_crashed: number;
  reached_crashed: number;
}

describe('the default policy on the sample incident', () => {
  let ws: Workspace;
  let r: ReplayResult;
  let hand: Hand;

  beforeAll(async () => {
    ws = await workspace();
    await handlers.loadSample(ws, {});
    hand = ws.db.get<Hand>(HAND_SQL)!;
    r = handlers.replay(ws, handlers.defaultPolicy(ws));
  }, 600_000);

  it('trips in the Test ring when the hand calculation says, and spares exactly the devices it counts', () => {
    expect(hand.fleet).toBe(20_000);
    expect(r.content.key).toBe('channel-file-291@291-bad');
    expect(r.halt).toMatchObject({ ring: 'Test', at: hand.trip_at });
    expect(r.halt!.evaluation).toMatchObject({ population: hand.reached, bad: hand.crashed });
    const test = r.rings[0]!;
    expect(test).toMatchObject({ members: 200, reached: hand.reached, crashed: hand.reached_crashed });
    expect(r.rings.slice(1).every((x) => !x.started && x.reached === 0)).toBe(true);
    expect(r.totals).toMatchObject({
      actualReached: hand.recipients,
      actualCrashed: hand.all_crashed,
      reached: hand.reached,
      spared: hand.recipients - hand.reached,
      crashesAvoided: hand.all_crashed - hand.reached_crashed,
    });
    // The figures as written down above (seed of the built-in sample).
    expect([new Date(hand.trip_at).toISOString(), hand.reached, hand.crashed]).toEqual([
      '2024-07-19T04:12:59.000Z',
      10,
      3,
    ]);
    expect([r.totals.actualReached, r.totals.spared, r.totals.actualCrashed, r.totals.crashesAvoided]).toEqual([
      12_423, 12_413, 10_518, 10_510,
    ]);
  });

  it('live gates put Test over its threshold and recommend halting the unfinished rings with commands', () => {
    const live = handlers.liveGates(ws, handlers.defaultPolicy(ws));
    expect(live.rings.find((x) => x.name === 'Test')?.over).toBe(true);
    expect(live.halt.recommended).toBe(true);
    const target = live.halt.targets[0]!;
    expect(target.vendor).toBe('falcon-content');
    expect(target.commands?.commands.length ?? 0).toBeGreaterThan(0);
  });

  it('conformance lists Falcon with a failed bake check (all rings within minutes)', () => {
    const c = handlers.conformance(ws);
    const falcon = c.vendors.find((v) => v.vendor === 'falcon')!;
    expect(falcon.checks.find((x) => x.id === 'bake')?.status).toBe('fail');
    expect(falcon.checks.find((x) => x.id === 'canary')?.evidence).toMatch(/Test: 183 of/);
    expect(c.markdown).toMatch(/^# Safe-deployment conformance/);
    expect(c.markdown).toContain('| CrowdStrike Falcon |');
  });
});
