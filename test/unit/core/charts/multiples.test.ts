// Small multiples: panels sorted by devices still down, one shared y top and x domain, "Other" folding, thinning.
import { describe, expect, it } from 'vitest';
import { niceCeil, niceTicks, smallMultiples } from '../../../../core/charts/multiples.js';
import type { Point, Series } from '../../../../core/charts/series.js';

const pt = (t: number, v: Record<string, number>) => ({ t, ...v }) as Point;
// A goes 5 → 3 → 1 down, B 2 → 4 → 6, C stays at 0.
const series: Series = {
  keys: ['A', 'B', 'C'],
  bucketMs: 1,
  points: [pt(0, { A: 5, B: 2, C: 0 }), pt(10, { A: 3, B: 4, C: 0 }), pt(20, { A: 1, B: 6, C: 0 })],
};

describe('small multiples', () => {
  it('sorts by devices still down at the end and shares one y top and one x domain', () => {
    const m = smallMultiples(series);
    expect(m.panels.map((p) => [p.key, p.down])).toEqual([
      ['B', 6],
      ['A', 1],
      ['C', 0],
    ]);
    expect(m.x).toEqual([0, 20]);
    // The highest value anywhere is 6 (B at the end), already a round top.
    expect(m.yMax).toBe(6);
    expect(m.panels[1]!.points.map((p) => p.v)).toEqual([5, 3, 1]);
  });

  it('in share mode divides by each ring size and still sorts by devices down', () => {
    const m = smallMultiples(series, {
      mode: 'share',
      sizes: new Map([
        ['A', 10],
        ['B', 12],
        ['C', 4],
      ]),
    });
    expect(m.panels.map((p) => p.key)).toEqual(['B', 'A', 'C']);
    // B: 2/12, 4/12, 6/12; A: 5/10, 3/10, 1/10.
    expect(m.panels[0]!.points.map((p) => p.v)).toEqual([(2 / 12) * 100, (4 / 12) * 100, 50]);
    expect(m.panels[1]!.points.map((p) => p.v)).toEqual([50, 30, 10]);
    expect(m.yMax).toBe(50);
  });

  it('folds the keys past the panel limit into one "Other" panel that sums them', () => {
    const m = smallMultiples(series, { maxPanels: 2 });
    expect(m.panels.map((p) => p.key)).toEqual(['B', 'Other (2)']);
    expect(m.panels[1]!.folded).toBe(2);
    expect(m.panels[1]!.down).toBe(1);
    expect(m.panels[1]!.points.map((p) => p.v)).toEqual([5, 3, 1]);
  });

  it('thins a long series to the point budget and keeps its last point', () => {
    const long: Series = {
      keys: ['A'],
      bucketMs: 1,
      points: Array.from({ length: 1001 }, (_, i) => pt(i, { A: 1000 - i })),
    };
    const m = smallMultiples(long, { maxPoints: 240 });
    expect(m.panels[0]!.points.length).toBeLessThanOrEqual(241);
    expect(m.panels[0]!.points.at(-1)).toEqual({ t: 1000, v: 0 });
    expect(m.x).toEqual([0, 1000]);
    expect(m.panels[0]!.down).toBe(0);
  });

  it('rounds the shared top up to 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten', () => {
    expect([0, 0.3, 1, 7, 11, 21, 24, 26, 52, 180_000].map(niceCeil)).toEqual([
      1, 0.3, 1, 8, 15, 25, 25, 30, 60, 200_000,
    ]);
  });

  it('puts about four round steps from 0 past the maximum', () => {
    // 212 / 4 = 53 → step 60; 4 steps reach 240 ≥ 212.
    expect(niceTicks(212)).toEqual([0, 60, 120, 180, 240]);
    // 2,087 / 4 ≈ 522 → step 600; 4 steps reach 2,400.
    expect(niceTicks(2087)).toEqual([0, 600, 1200, 1800, 2400]);
    // 20 / 4 = 5 → step 5, exactly 4 steps.
    expect(niceTicks(20)).toEqual([0, 5, 10, 15, 20]);
    // Nothing to show still gives an axis.
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});
