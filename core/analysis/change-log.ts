// What an import or a merge changed (devices added, states moved, data time) and the workspace's log of those changes.
import type { Counts, DeviceState } from '../contract/analysis.js';
import * as changeLogTable from '../store/change-log.js';
import type { Workspace } from '../workspace.js';
import { STATE_LABEL } from './rules.js';
import { summary } from './summary.js';

export interface Changes {
  devicesBefore: number;
  devicesAfter: number;
  /** Real machines added (stale records of reimaged machines are linked, not counted). */
  devicesAdded: number;
  /** Devices whose state changed, new devices included. */
  statesChanged: number;
  /** Those devices by the state they are in now. */
  byNewState: Partial<Record<DeviceState, number>>;
  /** The Overview's classes before and after. */
  counts: { before: Counts; after: Counts };
  /** The data time (latest fact among the fleet and crash sources) before and after. */
  dataTime: { before: number | null; after: number | null };
}

export interface ChangeEntry {
  id: number;
  at: number;
  actor: string;
  kind: 'import' | 'merge' | string;
  label: string;
  changes: Changes;
}

interface Before {
  counts: Counts;
  dataTime: number | null;
}

/** Takes the "before" picture: the counts, the data time and every device's state (in a temp table). */
function before(ws: Workspace): Before {
  changeLogTable.snapshotStates(ws.db);
  const s = summary(ws);
  return { counts: s.totals, dataTime: s.asOf };
}

function after(ws: Workspace, b: Before): Changes {
  const s = summary(ws);
  const rows = changeLogTable.changedStates(ws.db);
  changeLogTable.dropSnapshot(ws.db);
  const byNewState: Partial<Record<DeviceState, number>> = {};
  for (const r of rows) byNewState[r.state] = r.n;
  return {
    devicesBefore: b.counts.devices,
    devicesAfter: s.totals.devices,
    devicesAdded: Math.max(0, s.totals.devices - b.counts.devices),
    statesChanged: rows.reduce((n, r) => n + r.n, 0),
    byNewState,
    counts: { before: b.counts, after: s.totals },
    dataTime: { before: b.dataTime, after: s.asOf },
  };
}

/**
 * Runs a change (an import batch, a merge) and measures what it did, then logs it. Not one transaction: a refused merge
 * keeps the audit entry it wrote; a change that throws is not logged. `label` names it ("import of 3 files: …").
 */
export async function measured<T>(
  ws: Workspace,
  kind: string,
  label: (result: T) => string,
  fn: () => Promise<T>,
): Promise<{ result: T; changes: Changes }> {
  const b = before(ws);
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    changeLogTable.dropSnapshot(ws.db);
    throw err;
  }
  const changes = after(ws, b);
  changeLogTable.add(ws.db, {
    at: ws.now(),
    actor: ws.actor,
    kind,
    label: label(result),
    body: JSON.stringify(changes),
  });
  return { result, changes };
}

/** The newest entries of the change log first. */
export function changeLog(ws: Workspace, limit = 50): ChangeEntry[] {
  return changeLogTable.latest(ws.db, Math.max(1, Math.min(1000, Math.floor(limit)))).map((r) => ({
    id: r.id,
    at: r.at,
    actor: r.actor,
    kind: r.kind,
    label: r.label,
    changes: JSON.parse(r.body) as Changes,
  }));
}

const utc = (t: number | null) =>
  t === null ? 'none' : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** One line a person reads: "+12 devices, 11 changed state (9 fixed, 2 crashed), data time 19 Jul 04:09 → 22 Jul 09:45". */
export function describeChanges(c: Changes): string {
  const parts = [`+${plural(c.devicesAdded, 'device')}`];
  const moved = Object.entries(c.byNewState)
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${n.toLocaleString('en-US')} ${STATE_LABEL[s as DeviceState].toLowerCase()}`);
  parts.push(`${plural(c.statesChanged, 'device')} changed state${moved.length ? ` (now ${moved.join(', ')})` : ''}`);
  parts.push(
    c.dataTime.before === c.dataTime.after
      ? `data time unchanged (${utc(c.dataTime.after)})`
      : `data time ${utc(c.dataTime.before)} → ${utc(c.dataTime.after)}`,
  );
  return parts.join(', ');
}
