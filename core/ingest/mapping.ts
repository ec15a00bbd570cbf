// Generic files: column mappings chosen by the user, saved per header signature and offered again for the same header.
import type { ImportKind } from '../contract/ingest.js';
import { listMappings as mappingRows, mappingBySignature, upsertMapping } from '../store/mappings.js';
import type { Workspace } from '../workspace.js';
import { FIELDS, normHeader, type Field, type FormatSpec } from './formats.js';

export interface ColumnMapping {
  kind: ImportKind;
  /** field -> header name as it appears in the file */
  columns: Partial<Record<Field, string>>;
  /** Remember this mapping for files with the same header (default true). */
  save?: boolean;
  name?: string;
}

/** Fields a user can map for each kind, and the ones a row cannot do without. */
export const MAPPABLE: Record<ImportKind, { fields: Field[]; required: Field[] }> = {
  fleet: {
    fields: [
      'hostname',
      'falcon_aid',
      'entra_id',
      'intune_id',
      'serial',
      'site',
      'ring',
      'groups',
      'tags',
      'platform',
      'os_version',
      'device_type',
      'first_seen',
      'last_seen',
      'user',
      'model',
    ],
    required: ['hostname'],
  },
  keys: { fields: ['key_id', 'key', 'key_host', 'volume_type', 'created'], required: ['key_id', 'key'] },
  rollout: {
    fields: [
      'ts',
      'state',
      'device_key',
      'hostname',
      'ring',
      'package',
      'version_from',
      'version_to',
      'source',
      'error',
      'detail',
    ],
    required: ['ts', 'state'],
  },
};

export function headerSignature(names: string[]): string {
  return names.map(normHeader).join('|');
}

/** Checks a mapping against a header: every mapped column exists, required fields are mapped. */
export function mappingProblem(m: ColumnMapping, names: string[]): string | null {
  const spec = MAPPABLE[m.kind];
  if (!spec) return `unknown import kind "${String(m.kind)}"`;
  const present = new Set(names);
  for (const [f, col] of Object.entries(m.columns)) {
    if (!col) continue;
    if (!(FIELDS as readonly string[]).includes(f)) return `unknown field "${f}"`;
    if (!present.has(col)) return `the file has no column "${col}" (mapped to ${f})`;
  }
  const missing = spec.required.filter((f) => !m.columns[f]);
  if (m.kind === 'rollout' && !m.columns.device_key && !m.columns.hostname)
    return 'map a device column (device key or hostname)';
  return missing.length ? `map a column to ${missing.join(' and ')}` : null;
}

export function genericSpec(m: ColumnMapping): FormatSpec {
  const aliases: FormatSpec['aliases'] = {};
  for (const [f, col] of Object.entries(m.columns)) if (col) aliases[f as Field] = [col];
  return { format: 'generic', kind: m.kind, label: m.name || 'generic CSV', detect: () => false, aliases };
}

export function savedMapping(ws: Workspace, names: string[]): ColumnMapping | null {
  const r = mappingBySignature(ws.db, headerSignature(names));
  if (!r) return null;
  try {
    return { kind: r.kind as ImportKind, columns: JSON.parse(r.columns) as ColumnMapping['columns'], name: r.name };
  } catch {
    return null;
  }
}

export function saveMapping(ws: Workspace, names: string[], m: ColumnMapping): void {
  upsertMapping(
    ws.db,
    { signature: headerSignature(names), kind: m.kind, columns: JSON.stringify(m.columns), name: m.name ?? '' },
    ws.now(),
  );
}

export function listMappings(ws: Workspace): { signature: string; kind: string; name: string; columns: string }[] {
  return mappingRows(ws.db);
}
