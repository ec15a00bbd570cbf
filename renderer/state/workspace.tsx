// The open workspace as React context: the worker client, the host, per-table change counters, and journalled actions.
import * as Comlink from 'comlink';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Action } from '../../core/contract/actions.js';
import type { HostApi, OpenedWorkspace, WorkspaceRef } from '../../core/contract/host.js';
import { db, type DbClient } from '../db/client.js';
import { saveSnapshot } from '../db/save-snapshot.js';
import { ALL_TABLES, TableVersions } from '../db/table-versions.js';

export interface WorkspaceState {
  ref: WorkspaceRef;
  db: DbClient;
  host: HostApi;
  /** Bumps after every change; with `tables` it tells each query whether a table it read changed. */
  version: number;
  tables: TableVersions;
  /** Call after a worker call that changed data: saves a snapshot and refreshes the views that read what changed. */
  changed(): Promise<void>;
  /** Journals an action durably, applies it, then refreshes: the UI shows it done only after this resolves. */
  act(action: Action): Promise<void>;
  close(): void;
}

const Ctx = createContext<WorkspaceState | null>(null);

export function useWorkspace(): WorkspaceState {
  const ws = useContext(Ctx);
  if (!ws) throw new Error('useWorkspace outside an open workspace');
  return ws;
}

/**
 * Loads an opened workspace into the worker (snapshot + journal replay). The image is handed over, not copied: the
 * page never reads it again, and at a million devices it is gigabytes the page would otherwise hold while it is open.
 */
export async function loadIntoWorker(opened: OpenedWorkspace): Promise<number> {
  const snapshot = opened.snapshot;
  opened.snapshot = null;
  const args = { snapshot, journal: opened.journal, keyMaterial: opened.keyMaterial };
  const res = await db().open(snapshot ? Comlink.transfer(args, [snapshot.buffer]) : args);
  return res.lastSeq;
}

export function WorkspaceProvider(props: {
  opened: OpenedWorkspace;
  lastSeq: number;
  host: HostApi;
  onClose: () => void;
  children: ReactNode;
}) {
  const { opened, host, onClose } = props;
  const [tables] = useState(() => new TableVersions());
  const [version, setVersion] = useState(0);
  // The worker announces the tables written since it was last asked; only queries that read one of them re-run.
  const announce = useCallback(async () => {
    if (tables.bump(await db().takeChanged())) setVersion(tables.version);
  }, [tables]);
  const seq = useRef(props.lastSeq);
  const saving = useRef<Promise<void>>(Promise.resolve());

  const snapshot = useCallback(() => {
    // Saves run one after another so an older image never overwrites a newer one; a failed save is reported to its
    // caller and does not stop the ones after it.
    saving.current = saving.current
      .catch(() => undefined)
      .then(async () => {
        await saveSnapshot(host, opened.ref.id, seq.current);
      });
    return saving.current;
  }, [host, opened.ref.id]);

  const changed = useCallback(async () => {
    await snapshot();
    await announce();
  }, [snapshot, announce]);

  const act = useCallback(
    async (action: Action) => {
      // The audit head when the action was taken travels with it: an anchor outside the audit table (issue 17).
      const audit = await db().auditAnchor();
      seq.current += 1;
      const entry = { seq: seq.current, action, audit };
      await host.appendJournal(opened.ref.id, entry);
      await db().apply(entry);
      await announce();
    },
    [host, opened.ref.id, announce],
  );

  useEffect(() => {
    // A snapshot of a freshly replayed journal keeps the journal short.
    if (opened.journal.length > 0) void snapshot();
  }, [opened.journal.length, snapshot]);

  const value = useMemo<WorkspaceState>(
    () => ({ ref: opened.ref, db: db(), host, version, tables, changed, act, close: onClose }),
    [opened.ref, host, version, tables, changed, act, onClose],
  );
  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}

/**
 * The version a query should run at: the one it last started at while none of the tables it read has changed since,
 * otherwise the current one. Used in a query's effect key, so an unrelated write does not re-run it.
 */
export function useRunVersion(read: readonly string[] | undefined, since: number | undefined): number {
  // The context's version changes with every announcement, so callers re-render and ask again; the counters live in
  // `tables`, which is the same object throughout.
  const { tables } = useWorkspace();
  return tables.runVersion(read, since);
}

// Worker verbs that are not handlers: a query calling one is treated as reading every table.
const NOT_HANDLERS = new Set(['open', 'apply', 'exportDb', 'exportStream', 'cancel', 'isOpen', 'query', 'takeChanged']);

/**
 * A client for one query run: each handler call goes through the worker's `query` verb, which reports the tables the
 * handler read; they are added to `read`. Anything else (a worker-only verb) adds '*'.
 */
export function tracingClient(client: DbClient, read: Set<string>): DbClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (typeof prop !== 'string' || prop === 'then') return Reflect.get(target, prop, receiver) as unknown;
      if (NOT_HANDLERS.has(prop)) {
        read.add(ALL_TABLES);
        return Reflect.get(target, prop, receiver) as unknown;
      }
      return async (...args: unknown[]) => {
        const res = await target.query(prop, ...args);
        for (const t of res.reads) read.add(t);
        return res.value;
      };
    },
  });
}

/**
 * Runs an async query against the worker and re-runs it when its deps change or when a table it read changed
 * (announced by the write). A query that made no worker call re-runs after every change.
 */
export function useQuery<T>(
  fn: (db: DbClient) => Promise<T>,
  deps: unknown[],
): { data: T | undefined; error: Error | undefined; loading: boolean } {
  const { db: client } = useWorkspace();
  const [state, setState] = useState<{
    key: string;
    since: number | undefined;
    read: string[] | undefined;
    data: T | undefined;
    error: Error | undefined;
  }>({ key: '', since: undefined, read: undefined, data: undefined, error: undefined });
  const runAt = useRunVersion(state.read, state.since);
  const key = JSON.stringify([runAt, ...deps]);
  useEffect(() => {
    let live = true;
    const read = new Set<string>();
    const done = (data: T | undefined, error: Error | undefined) => {
      if (!live) return;
      setState({ key, since: runAt, read: read.size > 0 ? [...read] : undefined, data, error });
    };
    fn(tracingClient(client, read)).then(
      (data) => done(data, undefined),
      (error: Error) => done(undefined, error),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key covers the run version and the caller's deps
  }, [client, key]);
  // Keep showing the previous data while a refetch runs, so numbers do not flicker.
  return { data: state.data, error: state.error, loading: state.key !== key };
}
