// Source rows (device_sources): which import and line each device record came from, with its native ID.
import type { Db } from './db.js';

export interface SourceRow {
  source: string;
  raw: string;
  import_id: number;
  line: number;
}

export function sourceById(db: Db, id: number): SourceRow | undefined {
  return db.get<SourceRow>('SELECT source, raw, import_id, line FROM device_sources WHERE id = ?', [id]);
}

/** Moves one source row to another device (a split of a name-only join). */
export function moveSource(db: Db, sourceId: number, deviceId: number): void {
  db.run('UPDATE device_sources SET device_id = ? WHERE id = ?', [deviceId, sourceId]);
}
