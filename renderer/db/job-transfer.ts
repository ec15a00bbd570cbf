// A comlink transfer handler for job options: the progress callback travels as its own MessagePort.
import * as Comlink from 'comlink';
import type { Progress, RemoteJobOptions } from '../../core/contract/jobs.js';

const MARK = Symbol.for('ringside.job');

export interface MarkedJob extends RemoteJobOptions {
  [MARK]: true;
}

/** Marks job options so the handler below carries them; comlink only proxies top-level arguments by itself. */
export function markJob<T extends RemoteJobOptions>(opts: T): T & MarkedJob {
  return { ...opts, [MARK]: true };
}

/** Registered in the page and in the worker; both sides must agree on it. */
export function registerJobTransfer(): void {
  Comlink.transferHandlers.set('ringside-job', {
    canHandle: (v: unknown): v is MarkedJob => typeof v === 'object' && v !== null && (v as MarkedJob)[MARK] === true,
    serialize(v: MarkedJob) {
      const { port1, port2 } = new MessageChannel();
      // Progress is advisory: a slow or closed page must never fail the job.
      Comlink.expose((p: Progress) => v.onProgress?.(p), port1);
      // Other options (e.g. an import's column mapping) travel as plain structured-clone data.
      const { onProgress: _fn, ...rest } = v;
      return [{ rest: { ...rest }, port: port2 }, [port2]];
    },
    deserialize(wire: { rest: Record<string, unknown>; port: MessagePort }): RemoteJobOptions {
      const remote = Comlink.wrap<(p: Progress) => void>(wire.port);
      return {
        ...wire.rest,
        onProgress: (p: Progress) => {
          void remote(p);
        },
      };
    },
  } as unknown as Comlink.TransferHandler<MarkedJob, { rest: Record<string, unknown>; port: MessagePort }>);
}
