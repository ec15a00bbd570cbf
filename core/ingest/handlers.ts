// Worker/CLI entry points of the ingest domain: each takes the open workspace first.
import type { HandlerMap } from '../api/types.js';

export const ingestHandlers = {} satisfies HandlerMap;
