// Raw source rows: stored compactly (a JSON array of the cells, the header once per import) and read back as header -> text.
import type { Workspace } from '../workspace.js';

/** The meta key holding an import's header row (JSON array of column names). */
export const headerKey = (importId: number) => `ingest.header.${importId}`;

/** Records the header of an import so its rows can be stored as plain arrays. */
export function saveHeader(ws: Workspace, importId: number, header: string[]): void {
  ws.db.run('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)', [headerKey(importId), JSON.stringify(header)]);
}

/**
 * One stored raw row as header -> text. Rows written before the compact format (JSON objects) are returned as they
 * are; cells beyond the header keep positional names; `headers` caches header rows across calls.
 */
export function decodeRaw(
  ws: Workspace,
  importId: number,
  raw: string,
  headers: Map<number, string[]> = new Map(),
): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { raw };
  }
  if (!Array.isArray(parsed)) return parsed as Record<string, string>;
  let header = headers.get(importId);
  if (!header) {
    const text = ws.db.value<string>('SELECT value FROM meta WHERE key = ?', [headerKey(importId)]);
    header = text ? (JSON.parse(text) as string[]) : [];
    headers.set(importId, header);
  }
  const cells = parsed as string[];
  // fromEntries defines own properties, so a `__proto__` column stays a column.
  return Object.fromEntries(cells.map((v, i) => [i < header.length ? header[i]! : `(extra ${i + 1})`, v]));
}

/** The raw row of one device_sources record as header -> text, or null when there is no such record. */
export function rawRow(ws: Workspace, sourceId: number): Record<string, string> | null {
  const r = ws.db.get<{ import_id: number; raw: string }>('SELECT import_id, raw FROM device_sources WHERE id = ?', [
    sourceId,
  ]);
  return r ? decodeRaw(ws, r.import_id, r.raw) : null;
}
