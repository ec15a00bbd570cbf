// Share-of-ring values on the real sample: each state's share equals the summary's count divided by the ring size.
import { beforeAll, describe, expect, it } from 'vitest';
import { summary } from '../../../../core/analysis/summary.js';
import { shareRows } from '../../../../core/charts/share.js';
import { DEVICE_STATES } from '../../../../core/contract/analysis.js';
import { loadSample } from '../../../../core/sample/handlers.js';
import type { Workspace } from '../../../../core/workspace.js';
import { emptyWorkspace } from '../analysis/fixtures.js';

let ws: Workspace;

beforeAll(async () => {
  ws = await emptyWorkspace();
  await loadSample(ws, { devices: 2000, seed: 7 });
}, 120_000);

describe('share of ring', () => {
  it('equals summary counts / ring sizes for every ring, and sums to 100 %', () => {
    const s = summary(ws);
    const rows = shareRows(s.byRing.map((r) => ({ name: r.ring, states: r.states })));
    expect(rows.length).toBe(s.byRing.length);
    for (const r of s.byRing) {
      const row = rows.find((x) => x.name === r.ring)!;
      expect(row.devices, r.ring).toBe(r.devices);
      for (const k of DEVICE_STATES)
        expect(row.share[k], `${r.ring}.${k}`).toBeCloseTo((r.states[k] / r.devices) * 100, 9);
      expect(DEVICE_STATES.reduce((a, k) => a + row.share[k], 0)).toBeCloseTo(100, 9);
    }
  });

  it('gives a 3-device ring fully crashed a 100 % crashed bar, and an empty ring zeros (no NaN)', () => {
    const zero = Object.fromEntries(DEVICE_STATES.map((k) => [k, 0])) as Record<(typeof DEVICE_STATES)[number], number>;
    const [test, empty] = shareRows([
      { name: 'Test', states: { ...zero, crashed: 3 } },
      { name: 'Empty', states: zero },
    ]);
    expect(test!.share.crashed).toBe(100);
    expect(Object.values(empty!.share).every((v) => v === 0)).toBe(true);
  });
});
