// The database worker: owns sql.js and the open workspace, and exposes the core's handler map over comlink.
import '../zod-setup.js';
import * as Comlink from 'comlink';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import wasmUrl from 'sql.js/dist/sql-wasm-browser.wasm?url';
import { handlers, type Handlers } from '../../core/api/handlers.js';
import type { Bound } from '../../core/contract/handlers.js';
import type { JournalEntry } from '../../core/contract/host.js';
import type { RemoteJobOptions } from '../../core/contract/jobs.js';
import { applyJournalEntry, closeSession, openSession } from '../../core/session.js';
import { streamExport } from '../../core/store/export-stream.js';
import type { Workspace } from '../../core/workspace.js';
import { registerJobTransfer } from './job-transfer.js';
import { pickedFileReader } from './read-worker.js';
import { installTableTracking, type TableTracker } from './table-tracker.js';
import { technicianVerbs } from './technician-verbs.js';
import { ALL_TABLES } from './table-versions.js';

registerJobTransfer();

let sqlPromise: Promise<SqlJsStatic> | undefined;
let ws: Workspace | undefined;
let tracker: TableTracker | undefined;
const jobs = new Map<string, AbortController>();
/** A streamed export in progress: every other call waits for it, since a write between its steps would be lost. */
let exporting: Promise<unknown> | undefined;

async function idle(): Promise<void> {
  while (exporting) await exporting.catch(() => undefined);
}

function sql(): Promise<SqlJsStatic> {
  sqlPromise ??= initSqlJs({ locateFile: () => wasmUrl }).then((SQL) => {
    tracker = installTableTracking(SQL);
    return SQL;
  });
  return sqlPromise;
}

function current(): Workspace {
  if (!ws) throw new Error('no workspace is open');
  return ws;
}

/** Replaces a caller's jobId with an AbortSignal that cancel(jobId) trips. */
function withSignal(args: unknown[]): { args: unknown[]; jobId?: string } {
  const last = args[args.length - 1] as RemoteJobOptions | undefined;
  if (!last || typeof last !== 'object' || typeof last.jobId !== 'string') return { args };
  const ctrl = new AbortController();
  jobs.set(last.jobId, ctrl);
  return { args: [...args.slice(0, -1), { ...last, signal: ctrl.signal }], jobId: last.jobId };
}

/** Imports read their files in a second thread (read-worker.ts) while this one writes them. */
const reader = pickedFileReader();
const IMPORTS = new Set(['importFile', 'importFiles', 'importBatch']);

/** An import's options (the argument after its files) with the reading thread added. */
function withReader(args: unknown[]): unknown[] {
  if (!reader) return args;
  const opts = (args[1] ?? {}) as object;
  return [args[0], { ...opts, reader: reader.read }, ...args.slice(2)];
}

const bound = Object.fromEntries(
  Object.entries(handlers).map(([name, fn]) => [
    name,
    async (...raw: unknown[]) => {
      await idle();
      const { args, jobId } = withSignal(raw);
      try {
        const a = IMPORTS.has(name) ? withReader(args) : args;
        return await (fn as (w: Workspace, ...a: unknown[]) => unknown)(current(), ...a);
      } finally {
        if (jobId) jobs.delete(jobId);
      }
    },
  ]),
) as Bound<Handlers>;

const api = {
  ...bound,
  ...technicianVerbs,
  /** Opens a snapshot and replays the journal on top of it; returns the last applied journal seq. */
  async open(opts: { snapshot: Uint8Array | null; journal: JournalEntry[]; keyMaterial: Uint8Array; actor?: string }) {
    await idle();
    if (ws) closeSession(ws);
    ws = undefined;
    const opened = await openSession({
      SQL: await sql(),
      bytes: opts.snapshot,
      keyMaterial: opts.keyMaterial,
      actor: opts.actor ?? 'user',
      journal: opts.journal,
    });
    ws = opened.ws;
    // A freshly opened workspace refreshes every view anyway; what opening wrote is not news.
    tracker?.takeWrites();
    return { replayed: opened.replayed, lastSeq: opened.lastSeq };
  },
  async apply(entry: JournalEntry): Promise<void> {
    await idle();
    await applyJournalEntry(current(), entry);
  },
  /** Runs one handler as a query and returns, with its value, the tables it read (for per-table refresh). */
  async query(verb: string, ...args: unknown[]): Promise<{ value: unknown; reads: string[] }> {
    if (!Object.hasOwn(bound, verb)) throw new Error(`no such handler: ${verb}`);
    const fn = bound[verb as keyof Handlers] as (...a: unknown[]) => Promise<unknown>;
    if (!tracker) return { value: await fn(...args), reads: [ALL_TABLES] };
    return tracker.record(() => fn(...args));
  },
  /** The tables written since the last call: the announcement after a write that tells queries whether to re-run. */
  takeChanged(): string[] {
    return tracker ? tracker.takeWrites() : [ALL_TABLES];
  },
  exportDb(): Uint8Array {
    const bytes = current().db.export();
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
  /**
   * The image in chunks of at most 8 MiB, each transferred to `send` and awaited (the main process acknowledges
   * it on disk) before more is exported; returns the first page, which completes the image. See streamExport.
   */
  async exportStream(send: (position: number, bytes: Uint8Array) => Promise<void>): Promise<Uint8Array> {
    await idle();
    const done = streamExport(current().db, (position, bytes) =>
      send(position, Comlink.transfer(bytes, [bytes.buffer])),
    );
    exporting = done;
    try {
      return await done;
    } finally {
      exporting = undefined;
      // `send` is the page's function behind a comlink port: free the port once the save is over.
      (send as unknown as Partial<Comlink.Remote<unknown>>)[Comlink.releaseProxy]?.();
    }
  },
  cancel(jobId: string): boolean {
    const ctrl = jobs.get(jobId);
    ctrl?.abort();
    return Boolean(ctrl);
  },
  isOpen(): boolean {
    return ws !== undefined;
  },
};

export type WorkerApi = typeof api;
Comlink.expose(api);
