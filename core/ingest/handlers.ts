// Worker/CLI entry points of the ingest domain: each takes the open workspace first.
import type { HandlerMap } from '../contract/handlers.js';
import { changeLog } from '../analysis/change-log.js';
import { importBatch } from './batch.js';
import { importErrors, listImports } from './import-log.js';
import { findKeys } from './keys.js';
import { importFile, importFiles } from './pipeline.js';
import { probeAsOf } from './probe.js';
import { listMappings, MAPPABLE } from './mapping.js';
import { resolveReview, reviewList } from './review.js';

export const ingestHandlers = {
  importFile,
  importFiles,
  importBatch,
  probeAsOf,
  changeLog: (ws: Parameters<typeof changeLog>[0], limit?: number) => changeLog(ws, limit),
  listImports,
  importErrors,
  findKeys,
  listMappings,
  mappableFields: () => MAPPABLE,
  reviewList,
  resolveReview,
} satisfies HandlerMap;
