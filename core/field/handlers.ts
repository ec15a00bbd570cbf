// Worker/CLI entry points of the field domain: each takes the open workspace first.
import type { HandlerMap } from '../api/types.js';

export const fieldHandlers = {} satisfies HandlerMap;
