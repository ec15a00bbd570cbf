// Column mappings the user chose for unrecognised files, saved per header signature (ingest_mappings).
import type { Db } from './db.js';

export interface MappingRow {
  kind: string;
  columns: string;
  name: string;
}

export function mappingBySignature(db: Db, signature: string): MappingRow | undefined {
  return db.get<MappingRow>('SELECT kind, columns, name FROM ingest_mappings WHERE signature = ?', [signature]);
}

export function upsertMapping(
  db: Db,
  m: { signature: string; kind: string; columns: string; name: string },
  now: number,
): void {
  db.run(
    `INSERT INTO ingest_mappings(signature, kind, columns, name, created_at, used_at) VALUES (?,?,?,?,?,?)
     ON CONFLICT(signature) DO UPDATE SET kind = excluded.kind, columns = excluded.columns, name = excluded.name, used_at = excluded.used_at`,
    [m.signature, m.kind, m.columns, m.name, now, now],
  );
}

export function listMappings(db: Db): { signature: string; kind: string; name: string; columns: string }[] {
  return db.all('SELECT signature, kind, name, columns FROM ingest_mappings ORDER BY created_at DESC');
}
