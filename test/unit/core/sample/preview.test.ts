// The sample's first numbers (from its generator) equal the Overview's analysed totals after the real import.
import { describe, expect, it } from 'vitest';
import { summary } from '../../../../core/analysis/summary.js';
import { loadSample } from '../../../../core/sample/handlers.js';
import { samplePreview } from '../../../../core/sample/preview.js';
import { emptyWorkspace } from '../analysis/fixtures.js';

describe('sample preview', () => {
  it('shows the same six totals the analysed workspace reports', async () => {
    const opts = { devices: 1500, seed: 11 };
    const ws = await emptyWorkspace();
    await loadSample(ws, opts);
    const s = summary(ws);
    const p = samplePreview(opts);
    expect(p.devices).toBe(1500);
    expect(p.totals.devices).toBe(1500);
    expect(p.totals).toEqual({
      devices: s.totals.devices,
      exposed: s.totals.exposed,
      affected: s.totals.affected,
      recovered: s.totals.recovered,
      fixed: s.totals.fixed,
      remaining: s.totals.remaining,
    });
    // Not trivially zero: the sample has a crash and a fix in it.
    expect(p.totals.affected).toBeGreaterThan(0);
  }, 120_000);
});
