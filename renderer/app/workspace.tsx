// The open workspace as React context: the worker client, the host, a data version for refetching, and journalled actions.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Action } from '../../core/contract/actions.js';
import type { HostApi, OpenedWorkspace, WorkspaceRef } from '../../core/contract/host.js';
import { db, type DbClient } from '../db/client.js';

export interface WorkspaceState {
  ref: WorkspaceRef;
  db: DbClient;
  host: HostApi;
  /** Bumps after every change; queries depend on it. */
  version: number;
  /** Call after a worker call that changed data: saves a snapshot and refreshes every view. */
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

/** Loads an opened workspace into the worker (snapshot + journal replay). */
export async function loadIntoWorker(opened: OpenedWorkspace): Promise<number> {
  const res = await db().open({ snapshot: opened.snapshot, journal: opened.journal, keyMaterial: opened.keyMaterial });
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
  const [version, setVersion] = useState(0);
  const seq = useRef(props.lastSeq);
  const saving = useRef<Promise<void>>(Promise.resolve());

  const snapshot = useCallback(() => {
    // Saves run one after another so an older image never overwrites a newer one; a failed save is reported to its
    // caller and does not stop the ones after it.
    saving.current = saving.current
      .catch(() => undefined)
      .then(async () => {
        const bytes = await db().exportDb();
        await host.saveSnapshot(opened.ref.id, bytes, seq.current);
      });
    return saving.current;
  }, [host, opened.ref.id]);

  const changed = useCallback(async () => {
    await snapshot();
    setVersion((v) => v + 1);
  }, [snapshot]);

  const act = useCallback(
    async (action: Action) => {
      // The audit head when the action was taken travels with it: an anchor outside the audit table (issue 17).
      const audit = await db().auditAnchor();
      seq.current += 1;
      const entry = { seq: seq.current, action, audit };
      await host.appendJournal(opened.ref.id, entry);
      await db().apply(entry);
      setVersion((v) => v + 1);
    },
    [host, opened.ref.id],
  );

  useEffect(() => {
    // A snapshot of a freshly replayed journal keeps the journal short.
    if (opened.journal.length > 0) void snapshot();
  }, [opened.journal.length, snapshot]);

  const value = useMemo<WorkspaceState>(
    () => ({ ref: opened.ref, db: db(), host, version, changed, act, close: onClose }),
    [opened.ref, host, version, changed, act, onClose],
  );
  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}

/** Runs an async query against the worker and re-runs it whenever the workspace changes or deps change. */
export function useQuery<T>(
  fn: (db: DbClient) => Promise<T>,
  deps: unknown[],
): { data: T | undefined; error: Error | undefined; loading: boolean } {
  const { db: client, version } = useWorkspace();
  const key = JSON.stringify([version, ...deps]);
  const [state, setState] = useState<{ key: string; data: T | undefined; error: Error | undefined }>({
    key: '',
    data: undefined,
    error: undefined,
  });
  useEffect(() => {
    let live = true;
    fn(client).then(
      (data) => live && setState({ key, data, error: undefined }),
      (error: Error) => live && setState({ key, data: undefined, error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the key covers version and the caller's deps
  }, [client, key]);
  // Keep showing the previous data while a refetch runs, so numbers do not flicker.
  return { data: state.data, error: state.error, loading: state.key !== key };
}
