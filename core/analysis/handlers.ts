// Worker/CLI entry points of the analysis domain: each takes the open workspace first.
import type { HandlerMap } from '../api/types.js';
import { series, type ChartSeries } from '../charts/series.js';
import * as savedViewTable from '../store/saved-views.js';
import type { Workspace } from '../workspace.js';
import { writeConfig, type AnalysisConfig } from './config.js';
import { criticalDevices, deviceDetail, devices, exportDevicesCsv, type DeviceQuery } from './devices.js';
import type { DashFilter } from './filter.js';
import { freshness } from './freshness.js';
import { recompute } from './recompute.js';
import { report } from './report.js';
import { reportWorkbook } from './report-xlsx.js';
import { stateRules } from './rules.js';
import { summary } from './summary.js';

/** The overview's numbers and charts for one filter, in one round trip, read from the summary tables only. */
function dashboard(ws: Workspace, filter: DashFilter = {}) {
  const t0 = globalThis.performance?.now() ?? 0;
  const out = { summary: summary(ws, filter), series: series(ws, filter) as ChartSeries, freshness: freshness(ws) };
  return { ...out, ms: Math.round(((globalThis.performance?.now() ?? 0) - t0) * 10) / 10 };
}

export const analysisHandlers = {
  summary,
  series,
  dashboard,
  freshness,
  devices: (ws: Workspace, query: DeviceQuery = {}) => devices(ws, query),
  deviceDetail: (ws: Workspace, id: number) => deviceDetail(ws, id),
  criticalDevices,
  stateRules,
  exportDevicesCsv: (ws: Workspace, query: DeviceQuery = {}) => exportDevicesCsv(ws, query),
  report: (ws: Workspace) => report(ws),
  /** The device explorer's saved views (written only through the journal: view.save / view.forget). */
  savedViews: (ws: Workspace) =>
    savedViewTable.all(ws.db).map((r) => ({ name: r.name, view: JSON.parse(r.body) as Record<string, unknown> })),
  /** The report as an XLSX workbook (summary, ring, site, burn-down, gate, devices): issue 15. */
  reportXlsx: (ws: Workspace) => reportWorkbook(ws),
  recompute: (ws: Workspace, deviceIds?: number[]) => recompute(ws, deviceIds ? { deviceIds } : {}),
  /** Changes the exposure window / susceptible version and recomputes every state. */
  setAnalysisConfig: (ws: Workspace, patch: Partial<AnalysisConfig>) => {
    const config = writeConfig(ws, patch);
    return { config, stats: recompute(ws) };
  },
} satisfies HandlerMap;
