// Source rows (device_sources): which import and line each device record came from, with its native ID.
import type { Statement } from 'sql.js';
import type { Db } from './db.js';

/** A SQL string literal (for per-file constants written into a prepared statement). */
const sqlText = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** The device_sources insert of one file (its import and format written into the statement). */
export class SourceInserts {
  private readonly st: Statement;
  constructor(db: Db, importId: number, format: string) {
    this.st = db.prepare(
      // Per-file constants are written into the statement: each bound value costs sql.js a JS→WASM round trip.
      `INSERT INTO device_sources(device_id, import_id, source, line, native_id, raw)
     VALUES (?, ${Number(importId)}, ${sqlText(format)}, ?, ?, '')`,
    );
  }
  add(deviceId: number, line: number, nativeId: string | null): void {
    this.st.run([deviceId, line, nativeId]);
  }
  free(): void {
    this.st.free();
  }
}

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
