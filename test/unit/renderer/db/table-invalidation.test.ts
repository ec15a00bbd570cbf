// Per-table refresh: a write re-runs only the queries that read a table it changed (worker tracking on real sql.js).
import { beforeEach, describe, expect, it } from 'vitest';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { handlers } from '../../../../core/api/handlers.js';
import { applyJournalEntry } from '../../../../core/session.js';
import type { Action } from '../../../../core/contract/actions.js';
import type { Workspace } from '../../../../core/workspace.js';
import { installTableTracking, type TableTracker } from '../../../../renderer/db/table-tracker.js';
import { TableVersions } from '../../../../renderer/db/table-versions.js';
import { fieldWorkspace } from '../../core/field/helpers.js';

/** One query as useQuery holds it: the version it last ran at, the tables that run read, and how often it ran. */
interface Query {
  name: string;
  fn: (ws: Workspace) => unknown;
  since?: number;
  read?: string[];
  runs: number;
}

let ws: Workspace;
let tracker: TableTracker;
let versions: TableVersions;
let seq = 0;

beforeEach(async () => {
  const SQL = await loadSqlJs();
  tracker = installTableTracking(SQL);
  ws = await fieldWorkspace(SQL);
  tracker.takeWrites();
  versions = new TableVersions();
  seq = 0;
});

function query(name: string, fn: (ws: Workspace) => unknown): Query {
  return { name, fn, runs: 0 };
}

/** What the workspace provider and useQuery do after each announcement: run the queries whose run version moved. */
async function refresh(queries: Query[]): Promise<void> {
  for (const q of queries) {
    const at = versions.runVersion(q.read, q.since);
    if (at === q.since) continue;
    const { reads } = await tracker.record(async () => q.fn(ws));
    q.runs += 1;
    q.since = at;
    q.read = reads;
  }
}

/** A journalled write as the renderer's act() does it: apply, then announce what the worker saw written. */
async function act(action: Action): Promise<string[]> {
  seq += 1;
  await applyJournalEntry(ws, { seq, action });
  const written = tracker.takeWrites();
  versions.bump(written);
  return written;
}

const runs = (qs: Query[]) => Object.fromEntries(qs.map((q) => [q.name, q.runs]));

describe('per-table query invalidation', () => {
  it('a saved view re-runs the saved-views query and not the policies or device queries', async () => {
    const qs = [
      query('views', (w) => handlers.savedViews(w)),
      query('policies', (w) => handlers.policies(w)),
      query('device', (w) => handlers.deviceDetail(w, 1)),
    ];
    await refresh(qs);
    expect(runs(qs)).toEqual({ views: 1, policies: 1, device: 1 });
    expect(qs[0]!.read).toEqual(['saved_views']);
    expect(qs[1]!.read).toEqual(['replay_policies']);

    const written = await act({ type: 'view.save', name: 'LON', view: { filter: { site: 'LON' } }, at: 1 });
    expect(written).toContain('saved_views');
    await refresh(qs);
    expect(runs(qs)).toEqual({ views: 2, policies: 1, device: 1 });
    expect(handlers.savedViews(ws).map((v) => v.name)).toEqual(['LON']);

    // Nothing changed since: nothing runs.
    await refresh(qs);
    expect(runs(qs)).toEqual({ views: 2, policies: 1, device: 1 });
  });

  it('a ring override re-runs the device query and not the saved-views query', async () => {
    const qs = [query('views', (w) => handlers.savedViews(w)), query('device', (w) => handlers.deviceDetail(w, 1))];
    await refresh(qs);
    expect(qs[1]!.read).toContain('devices');
    const written = await act({ type: 'device.ring', deviceId: 1, ring: 'Ring 2', at: 2 });
    expect(written).toContain('devices');
    expect(written).not.toContain('saved_views');
    await refresh(qs);
    expect(runs(qs)).toEqual({ views: 1, device: 2 });
  });

  it('statements the core prepared before a call (the audit chain) still announce their writes', async () => {
    const audit = query('audit', (w) => handlers.auditPage(w, { offset: 0, limit: 10 }));
    await refresh([audit]);
    expect(audit.read).toEqual(['audit']);
    // device.note writes nothing but its audit entry, through the insert statement the audit store keeps.
    expect(await act({ type: 'device.note', deviceId: 1, note: 'rebooted into safe mode', at: 3 })).toContain('audit');
    await refresh([audit]);
    expect(audit.runs).toBe(2);
  });

  it('a schema change or an unknown statement re-runs everything; temp tables count for nothing', async () => {
    const qs = [query('views', (w) => handlers.savedViews(w)), query('policies', (w) => handlers.policies(w))];
    await refresh(qs);
    ws.db.run('CREATE TEMP TABLE scratch(x)');
    ws.db.run('INSERT INTO scratch VALUES (1)');
    expect(tracker.takeWrites()).toEqual([]);
    ws.db.run('CREATE TABLE extra(x)');
    versions.bump(tracker.takeWrites());
    await refresh(qs);
    expect(runs(qs)).toEqual({ views: 2, policies: 2 });
  });
});
