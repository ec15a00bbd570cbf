// Resolved theme colours for charts: recharts needs concrete colours so an exported SVG/PNG keeps them.
import { useEffect, useMemo, useState } from 'react';
import { pattern, patterns, type RechartsFill } from 'recharts';
import type { DeviceState } from '../../../core/contract/analysis.js';

const STATE_TOKEN: Record<DeviceState, string> = {
  not_exposed: '--st-not-exposed',
  exposed_healthy: '--st-healthy',
  crashed: '--st-crashed',
  self_recovered: '--st-recovered',
  needs_fix: '--st-needs-fix',
  fix_in_progress: '--st-in-progress',
  fixed: '--st-fixed',
  needs_reimage: '--st-reimage',
  unknown: '--st-unknown',
};

/** Okabe-Ito order, then more distinct hues: series beyond the state colours (rings, sites). */
const SERIES = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#d55e00',
  '#cc79a7',
  '#56b4e9',
  '#8c6d31',
  '#7b4173',
  '#17becf',
  '#bcbd22',
  '#636363',
  '#e7298a',
];

export interface ChartTheme {
  state: Record<DeviceState, string>;
  text: string;
  muted: string;
  grid: string;
  panel: string;
  series: (i: number) => string;
}

function read(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const state = Object.fromEntries(Object.entries(STATE_TOKEN).map(([s, token]) => [s, v(token, '#888888')])) as Record<
    DeviceState,
    string
  >;
  return {
    state,
    text: v('--text', '#14181f'),
    muted: v('--muted', '#5b6472'),
    grid: v('--border', '#d8dde5'),
    panel: v('--panel', '#ffffff'),
    series: (i) => SERIES[i % SERIES.length]!,
  };
}

/** Re-reads the tokens whenever App switches data-theme on <html>. */
export function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState(read);
  useEffect(() => {
    const obs = new MutationObserver(() => setTheme(read()));
    obs.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => obs.disconnect();
  }, []);
  return theme;
}

export const RING_FIXED_ORDER = ['Test', 'First', 'Fast', 'Broad'];

/** A stable colour per ring name (rollout order first). */
export function ringColour(theme: ChartTheme, ring: string, all: string[]): string {
  const i = RING_FIXED_ORDER.indexOf(ring);
  return theme.series(i >= 0 ? i : RING_FIXED_ORDER.length + all.indexOf(ring));
}

/** One texture per state, so stacked bars read in black-and-white print and by colour-blind readers. */
const STATE_TEXTURE: Record<DeviceState, keyof typeof patterns | null> = {
  not_exposed: null,
  exposed_healthy: 'dots',
  crashed: 'crosshatch',
  self_recovered: 'horizontal',
  needs_fix: 'diagonal',
  fix_in_progress: 'zigzag',
  fixed: 'vertical',
  needs_reimage: null,
  unknown: 'grid',
};
/** Textures for series in order (rings: Test, First, Fast, Broad, then any others). */
const SERIES_TEXTURE: Array<keyof typeof patterns | null> = [
  null,
  'diagonal',
  'horizontal',
  'dots',
  'crosshatch',
  'vertical',
  'grid',
  'zigzag',
];

function textured(colour: string, texture: keyof typeof patterns | null, ink: string): RechartsFill | string {
  // The texture is drawn in the panel's colour: white lines on a light theme, dark lines on a dark one.
  return texture ? { color: colour, definition: pattern({ ...patterns[texture], color: ink, opacity: 0.6 }) } : colour;
}

/** Pattern fills per state and per series index, rebuilt only when the theme changes (they are components). */
export function useChartFills(theme: ChartTheme): {
  state: Record<DeviceState, RechartsFill | string>;
  series: (colour: string, i: number) => RechartsFill | string;
} {
  return useMemo(() => {
    const state = Object.fromEntries(
      (Object.keys(STATE_TEXTURE) as DeviceState[]).map((s) => [
        s,
        textured(theme.state[s], STATE_TEXTURE[s], theme.panel),
      ]),
    ) as Record<DeviceState, RechartsFill | string>;
    const cache = new Map<string, RechartsFill | string>();
    const series = (colour: string, i: number) => {
      const k = `${colour}|${i % SERIES_TEXTURE.length}`;
      if (!cache.has(k)) cache.set(k, textured(colour, SERIES_TEXTURE[i % SERIES_TEXTURE.length]!, theme.panel));
      return cache.get(k)!;
    };
    return { state, series };
  }, [theme]);
}
