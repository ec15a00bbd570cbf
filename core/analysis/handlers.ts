// Worker/CLI entry points of the analysis domain: each takes the open workspace first.
import type { HandlerMap } from '../api/types.js';

export const analysisHandlers = {} satisfies HandlerMap;
