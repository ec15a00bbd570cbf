// Live gate evaluation: the policy's gates on the data as it stands (data time), and a halt recommendation for unfinished rings.
import { remediationHandlers } from '../remediation/handlers.js';
import type { Workspace } from '../workspace.js';
import { loadReplayData } from './data.js';
import { badTimes, evaluateAt, type GateEvaluation } from './gates.js';
import type { Policy } from './policy.js';
import { assignRings } from './simulate.js';

export interface HaltTarget {
  ring: string;
  vendor: string;
  /** Members that have not received the content yet: what halting now would still spare. */
  notYetReached: number;
  /** The remediation domain's rollback/pause commands for this ring, or null when that generator is unavailable. */
  commands: unknown;
  /** Why commands is null, in words. */
  commandsNote: string | null;
}

export interface LiveRing {
  name: string;
  members: number;
  reached: number;
  crashed: number;
  notYetReached: number;
  /** Every member has received the content: halting cannot spare anyone in it. */
  finished: boolean;
  evaluations: GateEvaluation[];
  over: boolean;
}

export interface LiveGates {
  /** The data's "now": the latest event time in the workspace. */
  asOf: number;
  content: string;
  rings: LiveRing[];
  halt: { recommended: boolean; reason: string; targets: HaltTarget[] };
}

type RollbackFn = (ws: Workspace, args: { vendor: string; ring: string }) => unknown;

/** The remediation engineer's rollbackCommands, when that handler exists in this build. */
function rollbackCommands(): RollbackFn | null {
  const fn = (remediationHandlers as Record<string, unknown>)['rollbackCommands'];
  return typeof fn === 'function' ? (fn as RollbackFn) : null;
}

const VENDOR_BY_SOURCE: Record<string, string> = {
  falcon: 'falcon',
  crowdstrike: 'falcon',
  autopatch: 'autopatch',
  wufb: 'autopatch',
  intune: 'intune',
  configmgr: 'configmgr',
  sccm: 'configmgr',
  defender: 'defender',
};

export function liveGates(ws: Workspace, policy: Policy): LiveGates {
  const data = loadReplayData(ws, policy.content);
  const now = data.dataTime;
  // Live data has the membership it has: sizes in the policy describe a future rollout, not this one.
  const asImported: Policy = { ...policy, rings: policy.rings.map((r) => ({ ...r, size: { kind: 'asImported' } })) };
  const assigned = assignRings(data, asImported, []);
  const rings: LiveRing[] = policy.rings.map((ring, k) => {
    const a = assigned[k]!;
    const recv = new Float64Array(a.idx.length);
    const crash = new Float64Array(a.idx.length);
    const fail = new Float64Array(a.idx.length);
    let crashed = 0;
    a.idx.forEach((ix, i) => {
      recv[i] = data.recv[ix]!;
      crash[i] = data.crash[ix]!;
      fail[i] = data.fail[ix]!;
      if (!Number.isNaN(crash[i]!) && crash[i]! <= now) crashed++;
    });
    const evaluations = policy.gates
      .map((gate, index) => ({ gate, index }))
      .filter(({ gate }) => !gate.rings || gate.rings.some((r) => r.toLowerCase() === ring.name.toLowerCase()))
      .map(({ gate, index }) => evaluateAt(gate, index, now, recv, badTimes(gate.metric, crash, fail)));
    const reached = a.idx.length;
    const notYetReached = Math.max(0, a.members - reached);
    return {
      name: ring.name,
      members: a.members,
      reached,
      crashed,
      notYetReached,
      finished: notYetReached === 0,
      evaluations,
      over: evaluations.some((e) => e.result === 'trip'),
    };
  });
  const over = rings.filter((r) => r.over);
  const vendor =
    policy.vendor !== 'generic'
      ? policy.vendor
      : (VENDOR_BY_SOURCE[(data.content.source ?? '').toLowerCase()] ?? 'generic');
  const gen = rollbackCommands();
  const targets: HaltTarget[] = over.length
    ? rings
        .filter((r) => !r.finished)
        .map((r) => {
          let commands: unknown = null;
          let commandsNote: string | null = null;
          if (gen) {
            try {
              commands = gen(ws, { vendor, ring: r.name });
            } catch (err) {
              commandsNote = `the rollback command generator refused: ${(err as Error).message}`;
            }
          } else {
            commandsNote = `the rollback/pause command generator (remediation: rollbackCommands) is not available in this build: pause ${vendor} content for ring ${r.name} by hand`;
          }
          return { ring: r.name, vendor, notYetReached: r.notYetReached, commands, commandsNote };
        })
    : [];
  const reason = over.length
    ? `${over.map((r) => r.name).join(', ')} over threshold as of the latest data; halting now spares ${targets.reduce((s, t) => s + t.notYetReached, 0)} devices that have not received ${data.content.key}`
    : 'no ring is over its threshold';
  return { asOf: now, content: data.content.key, rings, halt: { recommended: over.length > 0, reason, targets } };
}
