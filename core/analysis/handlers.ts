// Worker/CLI entry points of the analysis domain: each takes the open workspace first.
import type { HandlerMap } from '../contract/handlers.js';
import * as savedViewTable from '../store/saved-views.js';
import type { Workspace } from '../workspace.js';
import { writeConfig, type AnalysisConfig } from './config.js';
import { criticalDevices, deviceDetail, devices, deviceTotal, exportDevicesCsv, type DeviceQuery } from './devices.js';
import { freshness } from './freshness.js';
import { recompute } from './recompute.js';
import { stateRules } from './rules.js';
import { summary } from './summary.js';

export const analysisHandlers = {
  summary,
  freshness,
  devices: (ws: Workspace, query: DeviceQuery = {}) => devices(ws, query),
  /** The full count behind a text search's capped first page (asked for after the page is shown). */
  deviceTotal: (ws: Workspace, query: DeviceQuery = {}) => deviceTotal(ws, query),
  deviceDetail: (ws: Workspace, id: number) => deviceDetail(ws, id),
  criticalDevices,
  stateRules,
  exportDevicesCsv: (ws: Workspace, query: DeviceQuery = {}) => exportDevicesCsv(ws, query),
  /** The device explorer's saved views (written only through the journal: view.save / view.forget). */
  savedViews: (ws: Workspace) =>
    savedViewTable.all(ws.db).map((r) => ({ name: r.name, view: JSON.parse(r.body) as Record<string, unknown> })),
  recompute: (ws: Workspace, deviceIds?: number[]) => recompute(ws, deviceIds ? { deviceIds } : {}),
  /** Changes the exposure window / susceptible version and recomputes every state. */
  setAnalysisConfig: (ws: Workspace, patch: Partial<AnalysisConfig>) => {
    const config = writeConfig(ws, patch);
    return { config, stats: recompute(ws) };
  },
} satisfies HandlerMap;
