// The managers' report as one XLSX workbook: summary, per ring and site, burn-down, what a gate would have spared, devices.
import { loadReplayData } from '../replay/packed.js';
import { defaultPolicy } from '../replay/policy.js';
import { simulate } from '../replay/simulate.js';
import type { Workspace } from '../workspace.js';
import { CSV_HEADER, deviceExportRows } from '../analysis/devices.js';
import { report } from './report.js';
import { writeWorkbook, type CellValue, type SheetSpec } from '../analysis/workbook.js';

/**
 * Writing costs about 7 KiB of memory per row (measured: 702 MiB for 100,000 rows), so the device list stops here and
 * the Summary sheet says so; the full list is the CSV export.
 */
export const MAX_DEVICE_ROWS = 100_000;

const utc = (t: number | null | undefined) =>
  t === null || t === undefined ? '' : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')}`;

/** The spared-by-a-gate table from the default policy's replay, or one line saying why there is none. */
function gateRows(ws: Workspace): { header: string[]; rows: CellValue[][] } {
  const header = [
    'ring',
    'received (actual)',
    'received (with gate)',
    'spared',
    'crashes avoided',
    'gate tripped (UTC)',
  ];
  try {
    const policy = defaultPolicy();
    const r = simulate(loadReplayData(ws, policy.content), policy);
    const rows: CellValue[][] = r.rings.map((x) => [
      x.name,
      x.actual.reached,
      x.reached,
      x.spared,
      x.crashesAvoided,
      utc(x.tripAt),
    ]);
    rows.push([
      'all rings',
      r.totals.actualReached,
      r.totals.reached,
      r.totals.spared,
      r.totals.crashesAvoided,
      utc(r.halt?.at),
    ]);
    rows.push([`Policy: ${r.policy.name}. Content: ${r.content.package} ${r.content.version}.`]);
    return { header, rows };
  } catch (e) {
    return { header, rows: [[`No replay: ${(e as Error).message}`]] };
  }
}

/** The report workbook's bytes and a file name. Text cells are guarded against formulas as in the CSV exports. */
export function reportWorkbook(ws: Workspace, now = ws.now()): { name: string; bytes: Uint8Array } {
  const r = report(ws, now);
  const s = r.summary;
  const t = s.totals;
  const counts = ['devices', 'exposed', 'affected', 'recovered', 'fixed', 'remaining'] as const;
  const devices = deviceExportRows(ws, {}, MAX_DEVICE_ROWS) as CellValue[][];
  const total = t.devices;
  const summary: CellValue[][] = [
    ['Report', r.title],
    ['Generated (UTC)', utc(r.generatedAt)],
    ['Data as of (UTC)', utc(s.asOf)],
    ['Exposure window opened (UTC)', utc(s.window.start)],
    ['Exposure window closed (UTC)', utc(s.window.end)],
    ...counts.map((k) => [k, t[k]] as CellValue[]),
    ...r.openWork.map((o) => [`open: ${o.label}`, o.n] as CellValue[]),
    ['Audit receipt', r.auditReceipt],
  ];
  if (devices.length < total)
    summary.push([
      'Device list',
      `first ${devices.length} of ${total} devices (the whole list: the Devices view's CSV export)`,
    ]);
  const burn = r.series.burnDownByRing;
  const sheets: SheetSpec[] = [
    { name: 'Summary', header: ['item', 'value'], rows: summary, widths: [32, 80] },
    {
      name: 'By ring',
      header: ['ring', ...counts],
      rows: s.byRing.map((x) => [x.ring, ...counts.map((k) => x[k])]),
      freezeHeader: true,
      filter: true,
    },
    {
      name: 'By site',
      header: ['site', ...counts],
      rows: s.bySite.map((x) => [x.site, ...counts.map((k) => x[k])]),
      freezeHeader: true,
      filter: true,
    },
    {
      name: 'Burn-down',
      header: ['time (UTC)', ...burn.keys.map((k) => `${k} down`)],
      rows: burn.points.map((p) => [utc(p.t as number), ...burn.keys.map((k) => (p[k] as number | undefined) ?? 0)]),
      freezeHeader: true,
    },
    { name: 'Gate would have spared', ...gateRows(ws), freezeHeader: true },
    {
      name: 'Devices',
      header: [...CSV_HEADER],
      rows: devices,
      freezeHeader: true,
      filter: true,
    },
  ];
  return { name: `incident-report-${utc(now).slice(0, 10) || 'undated'}.xlsx`, bytes: writeWorkbook(sheets) };
}
