// Small multiples of a burn-down: one panel per ring or site on shared axes, sorted by devices still down.
import type { Series } from './series.js';

export interface MultiplePanel {
  key: string;
  /** Devices still down at the last point (the sort key). */
  down: number;
  /** Devices in the ring or site (the share's denominator); 0 when unknown. */
  size: number;
  /** For an "Other" panel: how many keys it folds together. */
  folded?: number;
  /** One value per point: devices down, or % of the ring/site down in share mode. */
  points: Array<{ t: number; v: number }>;
}

export interface Multiples {
  panels: MultiplePanel[];
  /** The shared x domain (first and last time of the series). */
  x: [number, number];
  /** The shared y domain's top: a rounded-up maximum over every panel, so equal heights mean equal values. */
  yMax: number;
  mode: 'count' | 'share';
}

/** Up to this many panels; the rest are summed into one "Other" panel (a 1,000-site fleet stays readable). */
export const MAX_PANELS = 16;
/** A panel is ~200 px wide: more points than that only cost render time (recharts, see the performance notes). */
export const PANEL_POINTS = 240;

/** The next of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^n at or above v (a 52 % peak gets a 60 % top, not 100 %). */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  // toPrecision: 3 × 0.1 is 0.30000000000000004 in binary floating point.
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v - 1e-9) return +(m * p).toPrecision(12);
  return 10 * p;
}

/** About n round steps from 0 to at least max (212 → 0, 60, 120, 180, 240): readable ticks for any magnitude. */
export function niceTicks(max: number, n = 4): number[] {
  const step = niceCeil(max / n);
  const steps = Math.max(1, Math.ceil(max / step - 1e-9));
  return Array.from({ length: steps + 1 }, (_, i) => +(i * step).toPrecision(12));
}

/** Every k-th point and always the last one: the series is a level, so a sample keeps its shape. */
function thin<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const k = Math.ceil(xs.length / max);
  const out = xs.filter((_, i) => i % k === 0);
  if ((xs.length - 1) % k !== 0) out.push(xs[xs.length - 1]!);
  return out;
}

export function smallMultiples(
  series: Series,
  opts: { sizes?: ReadonlyMap<string, number>; mode?: 'count' | 'share'; maxPanels?: number; maxPoints?: number } = {},
): Multiples {
  const mode = opts.mode ?? 'count';
  const maxPanels = Math.max(2, opts.maxPanels ?? MAX_PANELS);
  const pts = thin(series.points, opts.maxPoints ?? PANEL_POINTS);
  const x: [number, number] = pts.length ? [pts[0]!.t, pts[pts.length - 1]!.t] : [0, 0];
  const last = series.points[series.points.length - 1];
  const ranked = series.keys
    .map((key) => ({ key, down: last ? (last[key] ?? 0) : 0, size: opts.sizes?.get(key) ?? 0 }))
    .sort((a, b) => b.down - a.down || a.key.localeCompare(b.key));
  const shown = ranked.length > maxPanels ? ranked.slice(0, maxPanels - 1) : ranked;
  const rest = ranked.slice(shown.length);
  const value = (count: number, size: number) => (mode === 'share' ? (size ? (count / size) * 100 : 0) : count);
  const panels: MultiplePanel[] = shown.map((r) => ({
    ...r,
    points: pts.map((p) => ({ t: p.t, v: value(p[r.key] ?? 0, r.size) })),
  }));
  if (rest.length) {
    const size = rest.reduce((s, r) => s + r.size, 0);
    panels.push({
      key: `Other (${rest.length})`,
      down: rest.reduce((s, r) => s + r.down, 0),
      size,
      folded: rest.length,
      points: pts.map((p) => ({
        t: p.t,
        v: value(
          rest.reduce((s, r) => s + (p[r.key] ?? 0), 0),
          size,
        ),
      })),
    });
  }
  let top = 0;
  for (const p of panels) for (const q of p.points) top = Math.max(top, q.v);
  const yMax = mode === 'share' ? Math.min(100, niceCeil(top)) : niceCeil(top);
  return { panels, x, yMax, mode };
}
