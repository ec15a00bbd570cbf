// The import log: one row per imported file (imports) and its rejected and flagged rows (import_errors).
import type { Statement } from 'sql.js';
import type { ImportKind, ImportRowError, SourceFormat } from '../contract/ingest.js';
import type { Db } from './db.js';

/** Opens an import's row under a placeholder hash (the real one is known only once the file is read); its id. */
export function beginImport(db: Db, fileName: string, pendingSha: string, now: number): number {
  db.run(`INSERT INTO imports(file_name, sha256, format, kind, started_at) VALUES (?, ?, 'unknown', 'fleet', ?)`, [
    fileName,
    pendingSha,
    now,
  ]);
  return db.value<number>('SELECT last_insert_rowid()')!;
}

/** A prepared insert of one import_errors row, for the many a file may reject. */
export class ImportErrorWriter {
  private readonly st: Statement;
  constructor(db: Db) {
    this.st = db.prepare('INSERT INTO import_errors(import_id, line, field, message) VALUES (?,?,?,?)');
  }
  add(importId: number, line: number, field: string, message: string): void {
    this.st.run([importId, line, field, message]);
  }
  free(): void {
    this.st.free();
  }
}

/** One import_errors row written on its own (the "more problems not listed" line). */
export function addImportError(db: Db, importId: number, line: number, field: string, message: string): void {
  db.run('INSERT INTO import_errors(import_id, line, field, message) VALUES (?,?,?,?)', [
    importId,
    line,
    field,
    message,
  ]);
}

/** The import that already holds a file with this content hash. */
export function importBySha(db: Db, sha256: string | null): { id: number; imported: number } | undefined {
  return db.get<{ id: number; imported: number }>('SELECT id, imported FROM imports WHERE sha256 = ?', [sha256]);
}

/** Moves an earlier import of the same file out of the way of a new reading of it (the hash is unique). */
export function markRemapped(db: Db, id: number, sha256: string | null): void {
  db.run('UPDATE imports SET sha256 = ? WHERE id = ?', [`remapped:${id}:${sha256}`, id]);
}

export interface FinishedImport {
  sha256: string | null;
  format: string;
  kind: ImportKind;
  rows: number;
  imported: number;
  rejected: number;
  duplicates: number;
  finishedAt: number;
  asOf: number | null;
}

export function finishImport(db: Db, id: number, f: FinishedImport): void {
  db.run(
    `UPDATE imports SET sha256 = ?, format = ?, kind = ?, rows = ?, imported = ?, rejected = ?, duplicates = ?, finished_at = ?, as_of = ? WHERE id = ?`,
    [f.sha256, f.format, f.kind, f.rows, f.imported, f.rejected, f.duplicates, f.finishedAt, f.asOf, id],
  );
}

export interface ImportSummary {
  id: number;
  file: string;
  sha256: string;
  format: SourceFormat | 'unknown';
  kind: ImportKind;
  rows: number;
  imported: number;
  rejected: number;
  duplicates: number;
  startedAt: number;
  finishedAt: number | null;
  problems: number;
}

/** Past imports, newest first. */
export function listImports(db: Db): ImportSummary[] {
  return db
    .all<{
      id: number;
      file_name: string;
      sha256: string;
      format: string;
      kind: string;
      rows: number;
      imported: number;
      rejected: number;
      duplicates: number;
      started_at: number;
      finished_at: number | null;
      problems: number;
    }>(
      `SELECT i.*, (SELECT COUNT(*) FROM import_errors e WHERE e.import_id = i.id) AS problems
         FROM imports i ORDER BY i.id DESC`,
    )
    .map((r) => ({
      id: r.id,
      file: r.file_name,
      sha256: r.sha256,
      format: r.format as SourceFormat,
      kind: r.kind as ImportKind,
      rows: r.rows,
      imported: r.imported,
      rejected: r.rejected,
      duplicates: r.duplicates,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      problems: r.problems,
    }));
}

/** One page of an import's rejected and flagged rows, in line order. */
export function importErrors(
  db: Db,
  importId: number,
  page: { offset?: number; limit?: number } = {},
): { total: number; errors: ImportRowError[] } {
  const limit = Math.max(1, Math.min(page.limit ?? 100, 1000));
  const offset = Math.max(0, page.offset ?? 0);
  const total = db.value<number>('SELECT COUNT(*) FROM import_errors WHERE import_id = ?', [importId]) ?? 0;
  const errors = db.all<ImportRowError>(
    'SELECT line, field, message FROM import_errors WHERE import_id = ? ORDER BY line, rowid LIMIT ? OFFSET ?',
    [importId, limit, offset],
  );
  return { total, errors };
}
