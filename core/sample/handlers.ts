// Worker/CLI entry points of the sample domain: each takes the open workspace first.
import type { HandlerMap } from '../api/types.js';
import type { JobOptions } from '../contract/jobs.js';
import type { Workspace } from '../workspace.js';

export interface SampleOptions {
  devices?: number;
  seed?: number;
}

export const sampleHandlers = {
  /** Generates the built-in sample incident and imports its export files through the real import path. */
  async loadSample(_ws: Workspace, _opts: SampleOptions, _job?: JobOptions): Promise<{ devices: number }> {
    throw new Error('the sample generator is being built');
  },
} satisfies HandlerMap;
