// Per-source freshness: each source's latest export "as of" time, its age against data time, and a stale warning.
import * as importTimes from '../store/import-times.js';
import { meta, type Workspace } from '../workspace.js';

export interface SourceFreshness {
  format: string;
  /** The newest file of this source. */
  file: string;
  asOf: number;
  /** Data time minus this source's as-of time. */
  ageMs: number;
  /** Older than the freshest source by more than STALE_MS: its picture lags the others. */
  stale: boolean;
}

/** A source a working day behind the freshest one paints an older picture than the others. */
export const STALE_MS = 12 * 3600_000;

const LABEL: Record<string, string> = {
  falcon: 'Falcon',
  intune: 'Intune',
  entra: 'Entra',
  defender: 'Defender',
  autopatch: 'Autopatch',
  events: 'Windows events',
  configmgr: 'ConfigMgr',
  wufb: 'WUfB reports',
  ad: 'Active Directory',
  sentinelone: 'SentinelOne',
  fleet: 'Fleet',
  tanium: 'Tanium',
  rollout: 'Rollout log',
  generic: 'Mapped file',
};
export const sourceLabel = (format: string) => LABEL[format] ?? format;

export function freshness(ws: Workspace): SourceFreshness[] {
  const rows = importTimes.newestPerFormat(ws.db);
  if (!rows.length) return [];
  const dataTime = Number(meta(ws, 'analysis.as_of')) || Math.max(...rows.map((r) => r.asOf));
  const newest = Math.max(...rows.map((r) => r.asOf));
  return rows.map((r) => ({
    ...r,
    ageMs: Math.max(0, dataTime - r.asOf),
    stale: newest - r.asOf > STALE_MS,
  }));
}

export interface ExportPoint {
  /** The export's as-of time. */
  t: number;
  /** Devices still down at that time (the burn-down's level). */
  remaining: number;
  files: string[];
}

/** One burn-down point per export as-of time: the remaining level from the hourly deltas up to that time. */
export function exportPoints(ws: Workspace, burn: { bucket: number; v: number }[]): ExportPoint[] {
  const imports = importTimes.byAsOf(ws.db);
  const sorted = [...burn].sort((a, b) => a.bucket - b.bucket);
  return imports.map((i) => {
    let level = 0;
    for (const b of sorted) if (b.bucket < i.t) level += b.v;
    return { t: i.t, remaining: level, files: i.files.split('\n') };
  });
}
