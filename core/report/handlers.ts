// Worker/CLI entry points of the incident report: it reads analysis, charts and replay, so it sits above all three.
import type { HandlerMap } from '../contract/handlers.js';
import type { Workspace } from '../workspace.js';
import { report } from './report.js';
import { reportWorkbook } from './report-xlsx.js';

export const reportHandlers = {
  report: (ws: Workspace) => report(ws),
  /** The report as an XLSX workbook (summary, ring, site, burn-down, gate, devices): issue 15. */
  reportXlsx: (ws: Workspace) => reportWorkbook(ws),
} satisfies HandlerMap;
