// The lists the console shows from the field: the packs made so far, and the keys to rotate after the incident.
import { csvCell } from '../shared/csv.js';
import { rotationRows, type RotationRow } from '../store/key-rotation.js';
import { packRows } from '../store/packs.js';
import type { Workspace } from '../workspace.js';

export interface PackSummary {
  id: string;
  site: string | null;
  devices: number;
  keys: number;
  createdAt: number;
  expiresAt: number;
  technician: string | null;
  createdBy: string;
  resultFiles: number;
  results: number;
}

export function listPacks(ws: Workspace): PackSummary[] {
  return packRows(ws.db).map((p) => ({
    id: p.id,
    site: p.site,
    devices: (JSON.parse(p.device_ids) as number[]).length,
    keys: (JSON.parse(p.key_ids) as string[]).length,
    createdAt: p.created_at,
    expiresAt: p.expires_at,
    technician: p.technician,
    createdBy: p.created_by,
    resultFiles: p.files,
    results: p.results,
  }));
}

export type { RotationRow };

export function rotationList(ws: Workspace): RotationRow[] {
  return rotationRows(ws.db);
}

export function rotationCsv(ws: Workspace): string {
  const lines = ['key_id,device_id,hostname,reasons,first_exposed_utc,refs'];
  for (const r of rotationList(ws))
    lines.push(
      [r.keyId, r.deviceId ?? '', r.hostname ?? '', r.reasons, new Date(r.firstAt).toISOString(), r.refs]
        .map(csvCell)
        .join(','),
    );
  return `${lines.join('\r\n')}\r\n`;
}
