// Live gate evaluation: the policy's gates on the data as it stands (data time), and a halt recommendation for unfinished rings.
import { rollbackCommands, type RollbackPlan } from '../remediation/rollback.js';
import type { Workspace } from '../workspace.js';
import { loadReplayData } from './packed.js';
import { badTimes, evaluateAt, type GateEvaluation } from './gates.js';
import type { Policy } from './policy.js';
import { assignRings } from './simulate.js';

export interface HaltTarget {
  /** The policy ring. */
  ring: string;
  /** The imported ring (host group / deployment ring) the commands address. */
  importedRing: string;
  /** The vendor key of the remediation domain's generator (falcon-content, autopatch, intune, configmgr, ...). */
  vendor: string;
  /** Members of the policy ring that have not received the content yet: what halting now would still spare. */
  notYetReached: number;
  /** The remediation domain's halt/rollback commands for this ring (never run by Ringside), or null. */
  commands: RollbackPlan | null;
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

// Policy vendor / event source -> the remediation domain's rollback vendor key.
const VENDOR_BY_SOURCE: Record<string, string> = {
  falcon: 'falcon-content',
  crowdstrike: 'falcon-content',
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
    VENDOR_BY_SOURCE[policy.vendor !== 'generic' ? policy.vendor : (data.content.source ?? '').toLowerCase()] ??
    'generic';
  const targets: HaltTarget[] = [];
  if (over.length)
    rings.forEach((r, k) => {
      if (r.finished) return;
      // One command set per imported ring the policy ring covers: vendor consoles address their own groups.
      const imported = [...assigned[k]!.imported].filter((x) => x !== '');
      for (const importedRing of imported.length ? imported : [r.name]) {
        let commands: RollbackPlan | null = null;
        let commandsNote: string | null = null;
        try {
          commands = rollbackCommands(ws, { vendor, ring: importedRing });
        } catch (err) {
          commandsNote = `no generated commands for ${vendor} ring ${importedRing}: ${(err as Error).message}`;
        }
        targets.push({ ring: r.name, importedRing, vendor, notYetReached: r.notYetReached, commands, commandsNote });
      }
    });
  const reason = over.length
    ? `${over.map((r) => r.name).join(', ')} over threshold as of the latest data; halting now spares ${rings.filter((r) => !r.finished).reduce((s, r) => s + r.notYetReached, 0)} devices that have not received ${data.content.key}`
    : 'no ring is over its threshold';
  return { asOf: now, content: data.content.key, rings, halt: { recommended: over.length > 0, reason, targets } };
}
