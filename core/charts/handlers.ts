// Worker/CLI entry points of the chart domain: series read from the summary tables, each taking the open workspace first.
import type { HandlerMap } from '../contract/handlers.js';
import type { DashFilter } from '../analysis/filter.js';
import type { Workspace } from '../workspace.js';
import { crashRate } from './crash-rate.js';

export const chartHandlers = {
  /** Cumulative % of each ring crashed since the exposure window opened. */
  crashRate: (ws: Workspace, filter: DashFilter = {}) => crashRate(ws, filter),
} satisfies HandlerMap;
