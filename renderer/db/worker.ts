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
import type { HostFile } from '../../core/store/db.js';
import { registerJobTransfer } from './job-transfer.js';
import { OpfsStore, SLOW_CALL_MICROS, type OpfsRoot, type StorageInfo } from './opfs-file.js';
import { setChunkDeflate } from '../../core/store/raw-rows.js';
import { threadDeflate } from './deflate-thread.js';
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

/** The worker's folder in the origin private file system, or why the database stays in memory. */
const storage: Promise<OpfsStore | string> = startStorage();
/** Why the open workspace's database is in memory, when it is (said once in the log). */
let inMemory: string | undefined;
let said = false;

async function startStorage(): Promise<OpfsStore | string> {
  try {
    const getDirectory = (navigator.storage as Partial<StorageManager> | undefined)?.getDirectory;
    if (typeof getDirectory !== 'function') return 'this browser has no origin private file system';
    const store = await OpfsStore.start((await navigator.storage.getDirectory()) as unknown as OpfsRoot);
    if (store.opMicros <= SLOW_CALL_MICROS) return store;
    await store.dispose();
    return `this browser keeps the origin's private files in memory (an incognito profile?): ${Math.round(store.opMicros)} µs a call`;
  } catch (err) {
    return describe(err);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function memoryBecause(reason: string): void {
  inMemory = reason;
  if (said) return;
  said = true;
  console.warn(`Ringside: the working database is kept in memory, not on disk (${reason})`);
}

/**
 * A working file in OPFS holding the snapshot, with SQLite's temp files sent to the pool; null (memory) when OPFS is
 * not there or refuses it (the quota): the open goes on either way.
 */
async function workingFile(SQL: SqlJsStatic, snapshot: Uint8Array | null): Promise<HostFile | null> {
  const store = await storage;
  if (typeof store === 'string') {
    memoryBecause(store);
    return null;
  }
  try {
    store.backTempFiles(SQL);
    const file = await store.newDatabase(snapshot);
    inMemory = undefined;
    return file;
  } catch (err) {
    memoryBecause(describe(err));
    return null;
  }
}

/** Where the database and its temp files are, and what its file holds in memory (bytes): for diagnostics and tests. */
async function storageInfo(): Promise<StorageInfo & { memoryBytes: number }> {
  const store = await storage;
  const raw = ws?.db.raw as { ringsideMemoryBytes?: () => number } | undefined;
  const memoryBytes = raw?.ringsideMemoryBytes?.() ?? 0;
  const base: StorageInfo =
    typeof store === 'string'
      ? { mode: 'memory', databaseBytes: 0, pool: { size: 0, available: 0, served: 0, declined: 0, largest: 0 } }
      : store.info();
  return inMemory !== undefined || typeof store === 'string'
    ? { ...base, mode: 'memory', reason: inMemory ?? String(store), memoryBytes }
    : { ...base, memoryBytes };
}
// Read by the end-to-end specs and the bench through Playwright's worker.evaluate (they cannot reach comlink's port).
(self as unknown as { ringsideStorageInfo: typeof storageInfo }).ringsideStorageInfo = storageInfo;

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
// Imports' raw-row chunks are compressed in a thread of their own: Chromium's zlib would run on this one.
setChunkDeflate(threadDeflate());
const IMPORTS = new Set(['importFile', 'importFiles', 'importBatch']);

/** An import's options (the argument after its files) with the reading thread added. */
function withReader(args: unknown[]): unknown[] {
  if (!reader) return args;
  const opts = (args[1] ?? {}) as object;
  return [args[0], { ...opts, reader: reader.read, chunks: reader.chunks }, ...args.slice(2)];
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
    // Closing the database also closes and removes its working file.
    if (ws) closeSession(ws);
    ws = undefined;
    const SQL = await sql();
    const backing = await workingFile(SQL, opts.snapshot);
    // Written to the working file: the image is not kept in this worker's memory (comlink's message holds `opts`).
    const bytes = backing ? null : opts.snapshot;
    opts.snapshot = null;
    const opened = await openSession({
      SQL,
      bytes,
      backing,
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
  storageInfo,
  isOpen(): boolean {
    return ws !== undefined;
  },
};

export type WorkerApi = typeof api;
Comlink.expose(api);
