// Worker/CLI entry points of the chart domain: series read from the summary tables, each taking the open workspace first.
import type { HandlerMap } from '../contract/handlers.js';
import type { DashFilter } from '../analysis/filter.js';
import { freshness } from '../analysis/freshness.js';
import { summary } from '../analysis/summary.js';
import type { Workspace } from '../workspace.js';
import { crashRate } from './crash-rate.js';
import { series, type ChartSeries } from './series.js';

/** The overview's numbers and charts for one filter, in one round trip, read from the summary tables only. */
function dashboard(ws: Workspace, filter: DashFilter = {}) {
  const t0 = globalThis.performance?.now() ?? 0;
  const out = { summary: summary(ws, filter), series: series(ws, filter) as ChartSeries, freshness: freshness(ws) };
  return { ...out, ms: Math.round(((globalThis.performance?.now() ?? 0) - t0) * 10) / 10 };
}

export const chartHandlers = {
  series,
  dashboard,
  /** Cumulative % of each ring crashed since the exposure window opened. */
  crashRate: (ws: Workspace, filter: DashFilter = {}) => crashRate(ws, filter),
} satisfies HandlerMap;
