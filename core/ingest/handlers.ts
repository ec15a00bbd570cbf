// Worker/CLI entry points of the ingest domain: each takes the open workspace first.
import type { HandlerMap } from '../api/types.js';
import { findKeys, importErrors, importFile, listImports } from './index.js';

export const ingestHandlers = {
  importFile,
  listImports,
  importErrors,
  findKeys,
} satisfies HandlerMap;
