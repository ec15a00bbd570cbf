// Worker/CLI entry points of the ingest domain: each takes the open workspace first.
import type { HandlerMap } from '../api/types.js';
import type { ImportInput } from '../contract/ingest.js';
import type { JobOptions, Progress, RemoteJobOptions } from '../contract/jobs.js';
import type { Workspace } from '../workspace.js';
import { findKeys, importErrors, importFile, listImports } from './index.js';
import { listMappings, MAPPABLE, type ColumnMapping } from './mapping.js';
import { resolveReview, reviewList } from './review.js';

/**
 * importFile for the UI across the worker boundary: comlink only proxies top-level function arguments, so the
 * progress callback comes on its own and the last argument carries just the job (the worker turns it into a signal).
 */
function importFileJob(
  ws: Workspace,
  input: ImportInput,
  mapping: ColumnMapping | null,
  onProgress: ((p: Progress) => void) | null,
  job: JobOptions & Pick<RemoteJobOptions, 'jobId'> = {},
) {
  return importFile(ws, input, {
    mapping: mapping ?? undefined,
    onProgress: onProgress ?? undefined,
    signal: job.signal,
  });
}

export const ingestHandlers = {
  importFile,
  importFileJob,
  listImports,
  importErrors,
  findKeys,
  listMappings,
  mappableFields: () => MAPPABLE,
  reviewList,
  resolveReview,
} satisfies HandlerMap;
