// Resolved theme colours for charts: recharts needs concrete colours so an exported SVG/PNG keeps them.
import { useEffect, useState } from 'react';
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
