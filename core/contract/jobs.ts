// Progress and cancellation for long jobs (imports, sample generation, bundles), shared by worker, CLI and tests.
export interface Progress {
  phase: string;
  done: number;
  /** Total in the same unit as done (bytes for parses), or 0 when unknown. */
  total: number;
}

export interface JobOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Set by callers across the worker boundary; the worker swaps it for `signal` (see RemoteJobOptions). */
  jobId?: string;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled by the user');
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/** What a caller across the worker boundary passes: the worker turns jobId into an AbortSignal it can cancel. */
export interface RemoteJobOptions {
  jobId?: string;
  onProgress?: (p: Progress) => void;
}
