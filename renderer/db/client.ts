// Starts the database worker and returns its typed comlink proxy; React code talks to the core only through this.
import * as Comlink from 'comlink';
import type { Progress } from '../../core/contract/jobs.js';
import { markJob, registerJobTransfer } from './job-transfer.js';
import type { WorkerApi } from './worker.js';

registerJobTransfer();

export type DbClient = Comlink.Remote<WorkerApi>;

let client: DbClient | undefined;

export function db(): DbClient {
  if (!client) {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'ringside-db' });
    client = Comlink.wrap<WorkerApi>(worker);
  }
  return client;
}

let jobCounter = 0;

/** Job options for a long call: a fresh job id (for cancel) and a progress callback proxied into the worker. */
export function job(onProgress: (p: Progress) => void): { jobId: string; onProgress: (p: Progress) => void } {
  jobCounter += 1;
  return markJob({ jobId: `job-${Date.now()}-${jobCounter}`, onProgress }) as {
    jobId: string;
    onProgress: (p: Progress) => void;
  };
}
