// Fetches device pages for the virtual table: keyset from the previous page when known, an offset for far jumps.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DevicePage, DeviceQuery, DeviceRow } from '../../../core/analysis/devices.js';
import { tracingClient, useRunVersion, useWorkspace } from '../../state/workspace.js';

export const PAGE = 200;

export function useDevicePages(query: DeviceQuery) {
  const { db } = useWorkspace();
  const [state, setState] = useState<{
    key: string;
    total: number;
    /** A text search with more matches than its first page: the count is asked for after the page is shown. */
    counting?: boolean;
    /** More than TEXT_COUNT_CAP match: total is the cap, and the table lists that many. */
    capped?: boolean;
    error?: string;
    ms?: number;
    since?: number;
    read?: string[];
  }>({ key: '', total: 0 });
  // The first page reports the tables it read; a write to another table keeps the loaded pages.
  const runAt = useRunVersion(state.read, state.since);
  const key = JSON.stringify([query, runAt]);
  const pages = useRef(new Map<number, DevicePage>());
  const pending = useRef(new Set<number>());
  const [tick, setTick] = useState(0);
  const live = useRef(key);

  useEffect(() => {
    live.current = key;
    pages.current = new Map();
    pending.current = new Set();
    const t0 = performance.now();
    const read = new Set<string>();
    tracingClient(db, read)
      .devices({ ...query, limit: PAGE })
      .then(
        (p) => {
          if (live.current !== key) return;
          pages.current.set(0, p);
          const ms = Math.round(performance.now() - t0);
          if (!p.countPending) return setState({ key, total: p.total, ms, since: runAt, read: [...read] });
          // The rows shown so far plus one, so the table asks for the next page while the count runs.
          setState({ key, total: p.rows.length + 1, counting: true, ms, since: runAt, read: [...read] });
          tracingClient(db, read)
            .deviceTotal(query)
            .then(
              (c) =>
                live.current === key &&
                setState({ key, total: c.total, capped: c.capped, ms, since: runAt, read: [...read] }),
              (e: Error) => live.current === key && setState({ key, total: 0, error: e.message, since: runAt }),
            );
        },
        (e: Error) => live.current === key && setState({ key, total: 0, error: e.message, since: runAt }),
      );
    // eslint-disable-next-line react-hooks/exhaustive-deps -- key covers query and the run version
  }, [db, key]);

  const load = useCallback(
    (p: number) => {
      if (pages.current.has(p) || pending.current.has(p)) return;
      pending.current.add(p);
      const prev = pages.current.get(p - 1);
      const q: DeviceQuery = prev?.nextCursor
        ? { ...query, limit: PAGE, cursor: prev.nextCursor }
        : { ...query, limit: PAGE, offset: p * PAGE };
      const k = live.current;
      void db.devices(q).then(
        (page) => {
          pending.current.delete(p);
          if (live.current !== k) return;
          pages.current.set(p, page);
          setTick((t) => t + 1);
        },
        () => pending.current.delete(p),
      );
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps -- query is part of key
    [db, key],
  );

  const onRange = useCallback(
    (start: number, end: number) => {
      for (let p = Math.floor(start / PAGE); p <= Math.floor(end / PAGE); p++) load(p);
    },
    [load],
  );

  const rowAt = useCallback(
    (i: number): DeviceRow | undefined => pages.current.get(Math.floor(i / PAGE))?.rows[i % PAGE],
    // eslint-disable-next-line react-hooks/exhaustive-deps -- tick re-creates the accessor after a page lands
    [tick, state.key],
  );

  return {
    total: state.total,
    counting: Boolean(state.counting),
    capped: Boolean(state.capped),
    ready: state.key === key && !state.counting,
    error: state.error,
    ms: state.ms,
    rowAt,
    onRange,
  };
}
