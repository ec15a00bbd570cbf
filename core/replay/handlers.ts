// Worker/CLI entry points of the replay domain: each takes the open workspace first.
import type { HandlerMap } from '../api/types.js';

export const replayHandlers = {} satisfies HandlerMap;
