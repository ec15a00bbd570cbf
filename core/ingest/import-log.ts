// The import log as the worker and CLI ask for it (past imports, one import's problems), read from its repository.
import type { ImportRowError } from '../contract/ingest.js';
import * as log from '../store/imports.js';
import type { Workspace } from '../workspace.js';

export type { ImportSummary } from '../store/imports.js';

/** Past imports, newest first. */
export function listImports(ws: Workspace): log.ImportSummary[] {
  return log.listImports(ws.db);
}

/** One page of an import's rejected and flagged rows, in line order. */
export function importErrors(
  ws: Workspace,
  importId: number,
  page: { offset?: number; limit?: number } = {},
): { total: number; errors: ImportRowError[] } {
  return log.importErrors(ws.db, importId, page);
}
