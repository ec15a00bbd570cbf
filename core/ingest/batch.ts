// An import batch with its summary: the per-file reports plus what the batch changed, recorded in the change log.
import { measured, type Changes } from '../analysis/change-log.js';
import type { ImportInput } from '../contract/ingest.js';
import type { Workspace } from '../workspace.js';
import { importFiles, type ImportOptions } from './pipeline.js';
import type { IngestReport } from './report.js';

export interface BatchResult {
  reports: IngestReport[];
  changes: Changes;
}

function label(reports: IngestReport[]): string {
  const names = reports.map((r) => r.file);
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? `, +${names.length - 3} more` : '');
  return `import of ${names.length === 1 ? '1 file' : `${names.length} files`}: ${shown}`;
}

/** Imports files as one batch (see importFiles) and measures what they changed; the log entry commits with them. */
export async function importBatch(
  ws: Workspace,
  inputs: ImportInput[],
  opts: ImportOptions = {},
): Promise<BatchResult> {
  const { result, changes } = await measured(ws, 'import', label, () => importFiles(ws, inputs, opts));
  return { reports: result, changes };
}
