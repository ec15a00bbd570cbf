// Worker/CLI entry points of the remediation domain: each takes the open workspace first.
import type { HandlerMap } from '../api/types.js';

export const remediationHandlers = {} satisfies HandlerMap;
