// The rollout replay: re-times a real rollout under a gate policy and counts, per ring, who would still have received it.
import type { ContentInfo, ReplayData } from './data.js';
import { badTimes, evaluateAt, sweep, upperBound, type GateEvaluation } from './gates.js';
import { ringDelayHours, ringMatches, type Gate, type Policy } from './policy.js';
import { spreadChart, type SpreadChart } from './charts.js';

const HOUR = 3_600_000;

export interface RingResult {
  name: string;
  /** Imported ring names that fed this policy ring. */
  imported: string[];
  /** The size rule in words, e.g. "1 % of 12,000 = 120 devices". */
  sizeRule: string;
  /** Fleet devices in the ring under the policy (recipients or not). */
  members: number;
  /** Simulated start (null: never started, e.g. paused or after the halt). */
  start: number | null;
  /** Start + bake time: when the next ring may start. */
  bakeEnd: number | null;
  bakeHours: number;
  /** Vendor content delay in hours after the release (null: paused). */
  delayHours: number | null;
  started: boolean;
  actual: { reached: number; crashed: number; firstAt: number | null; lastAt: number | null };
  /** Received the content in the simulation (receipt at or before the halt reached devices). */
  reached: number;
  /** Of those, crashed (with rollback: only those whose crash came before the rollback reached them). */
  crashed: number;
  /** Received it but were rolled back before they crashed (action rollback only). */
  rescued: number;
  /** Received it in reality, not in the simulation. */
  spared: number;
  /** Crashed in reality, not in the simulation. */
  crashesAvoided: number;
  evaluations: GateEvaluation[];
  /** When one of this ring's gates tripped (the earliest), or null. */
  tripAt: number | null;
  /** When the ring's population first reached the smallest minimum sample of its gates (null: never). */
  minSampleAt: number | null;
  notes: string[];
}

export interface ReplayResult {
  policy: { id: string; name: string; action: Policy['action'] };
  content: ContentInfo;
  /** Content release = first receipt in the log; the simulation starts ring 1 at release + its delay. */
  t0: number;
  fleet: number;
  /** The first trip: which ring and gate, when, and when the halt reached devices (trip + latency). */
  halt: { at: number; ring: string; gate: number; reachesDevicesAt: number; evaluation: GateEvaluation } | null;
  rings: RingResult[];
  totals: {
    actualReached: number;
    actualCrashed: number;
    reached: number;
    crashed: number;
    rescued: number;
    spared: number;
    crashesAvoided: number;
  };
  notes: string[];
  charts: {
    spread: SpreadChart;
    spared: Array<{ ring: string; spared: number; crashesAvoided: number; reached: number }>;
  };
  elapsedMs: number;
}

interface Assigned {
  members: number;
  idx: Int32Array;
  imported: Set<string>;
  sizeRule: string;
}

/** Picks c of the list's entries spread evenly over it (keeps the receipt-time distribution of a random subset). */
function evenly(list: Int32Array, c: number): { chosen: Int32Array; rest: Int32Array } {
  const L = list.length;
  if (c >= L) return { chosen: list, rest: new Int32Array(0) };
  const chosen = new Int32Array(c);
  const rest = new Int32Array(L - c);
  let k = 0;
  let r = 0;
  let next = c > 0 ? Math.floor((0.5 * L) / c) : L;
  for (let p = 0; p < L; p++) {
    if (p === next && k < c) {
      chosen[k++] = list[p]!;
      next = k < c ? Math.floor(((k + 0.5) * L) / c) : L;
    } else rest[r++] = list[p]!;
  }
  return { chosen, rest };
}

/** Maps imported rings to policy rings and applies the policy's ring sizes. */
export function assignRings(data: ReplayData, policy: Policy, notes: string[]): Assigned[] {
  const matches = ringMatches(policy);
  const last = policy.rings.length - 1;
  const owner = data.groups.map((g) => {
    const o = matches.findIndex((m) => m.includes(g.name.toLowerCase()));
    if (o < 0 && (g.idx.length > 0 || g.members > 0))
      notes.push(
        `imported ring '${g.name || '(none)'}' (${g.members} devices, ${g.idx.length} received) matches no policy ring: counted in the last ring, ${policy.rings[last]!.name}`,
      );
    return o < 0 ? last : o;
  });
  const remR = data.groups.map((g) => g.idx);
  const remN = data.groups.map((g) => Math.max(0, g.members - g.idx.length));
  const out: Assigned[] = [];
  const takeAll = (g: number, a: Assigned, parts: Int32Array[]) => {
    if (remR[g]!.length + remN[g]! === 0) return;
    a.members += remR[g]!.length + remN[g]!;
    parts.push(remR[g]!);
    a.imported.add(data.groups[g]!.name);
    remR[g] = new Int32Array(0);
    remN[g] = 0;
  };
  policy.rings.forEach((ring, k) => {
    const a: Assigned = { members: 0, idx: new Int32Array(0), imported: new Set(), sizeRule: '' };
    const parts: Int32Array[] = [];
    const groupOrder = data.groups
      .map((_, g) => g)
      .sort((x, y) => {
        const ox = owner[x]! <= k ? owner[x]! : 1000 + owner[x]!;
        const oy = owner[y]! <= k ? owner[y]! : 1000 + owner[y]!;
        return ox - oy || x - y;
      });
    if (k === last) {
      groupOrder.forEach((g) => takeAll(g, a, parts));
      a.sizeRule =
        ring.size.kind === 'asImported'
          ? 'as imported (and every device left over)'
          : 'every device left over (the last ring takes the rest)';
    } else if (ring.size.kind === 'asImported') {
      groupOrder.filter((g) => owner[g]! <= k).forEach((g) => takeAll(g, a, parts));
      a.sizeRule = 'as imported';
    } else {
      const target =
        ring.size.kind === 'count'
          ? ring.size.devices
          : Math.max(1, Math.round((ring.size.percent / 100) * data.fleet));
      a.sizeRule =
        ring.size.kind === 'count'
          ? `${target} devices`
          : `${ring.size.percent} % of ${data.fleet} devices = ${target}`;
      let want = target;
      for (const g of groupOrder) {
        if (want === 0) break;
        const R = remR[g]!.length;
        const avail = R + remN[g]!;
        if (avail === 0) continue;
        if (want >= avail) {
          want -= avail;
          takeAll(g, a, parts);
          continue;
        }
        // Take `want` members keeping the group's share of recipients, spread evenly over receipt time.
        let c = Math.round((want * R) / avail);
        c = Math.min(R, Math.max(c, want - remN[g]!));
        const { chosen, rest } = evenly(remR[g]!, c);
        parts.push(chosen);
        remR[g] = rest;
        remN[g] = remN[g]! - (want - c);
        a.members += want;
        a.imported.add(data.groups[g]!.name);
        want = 0;
      }
      if (want > 0) notes.push(`ring ${ring.name}: only ${target - want} of ${target} devices were left to fill it`);
    }
    if (parts.length === 1) a.idx = parts[0]!;
    else if (parts.length > 1) {
      const total = parts.reduce((s, p) => s + p.length, 0);
      const merged = new Int32Array(total);
      let o = 0;
      for (const p of parts) {
        merged.set(p, o);
        o += p.length;
      }
      // Indices are assigned in receipt order, so a numeric sort is a sort by receipt time.
      a.idx = merged.sort();
    }
    out.push(a);
  });
  return out;
}

function gather(src: Float64Array, idx: Int32Array, shift: number): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = src[idx[i]!]! + shift;
  return out;
}

/** Simulates the policy on the loaded rollout. Pure: the same data and policy always give the same result. */
export function simulate(data: ReplayData, policy: Policy): ReplayResult {
  const started0 = performance.now();
  const notes: string[] = [];
  const assigned = assignRings(data, policy, notes);
  const gatesFor = (name: string): Array<{ gate: Gate; index: number }> => {
    const list = policy.gates
      .map((gate, index) => ({ gate, index }))
      .filter(({ gate }) => !gate.rings || gate.rings.some((r) => r.toLowerCase() === name.toLowerCase()));
    if (policy.configMgrSuccessPercent !== null)
      list.push({
        gate: {
          metric: 'success',
          thresholdPercent: policy.configMgrSuccessPercent,
          minSample: 1,
          windowHours: null,
          at: 'bakeEnd',
        },
        index: -1,
      });
    return list;
  };

  // Ring start times: the release plus the vendor delay, and never before the previous ring's bake has ended.
  const starts: Array<number | null> = [];
  let prevStart: number | null = null;
  let prevBake = 0;
  for (const ring of policy.rings) {
    const delay = ringDelayHours(ring);
    if (delay === null) {
      starts.push(null);
      continue;
    }
    const earliest = data.t0 + delay * HOUR;
    const s: number = prevStart === null ? earliest : Math.max(prevStart + prevBake * HOUR, earliest);
    starts.push(s);
    prevStart = s;
    prevBake = ring.bakeHours;
  }

  const perRing = policy.rings.map((ring, k) => {
    const a = assigned[k]!;
    const start = starts[k]!;
    const shift = start === null ? 0 : start - data.t0;
    const recv = gather(data.recv, a.idx, shift);
    const crash = gather(data.crash, a.idx, shift);
    const fail = gather(data.fail, a.idx, shift);
    return { ring, a, start, recv, crash, fail };
  });

  // Each started ring's earliest trip; the content stops at the earliest trip among rings that had started by then.
  let stop = Infinity;
  let halt: ReplayResult['halt'] = null;
  const ringEvals: GateEvaluation[][] = [];
  const ringTrip: Array<number | null> = [];
  const ringMinSample: Array<number | null> = [];
  const ringNotes: string[][] = [];
  const ringStarted: boolean[] = [];
  perRing.forEach(({ ring, start, recv, crash, fail }) => {
    const evals: GateEvaluation[] = [];
    const rnotes: string[] = [];
    let trip: GateEvaluation | null = null;
    let minSampleAt: number | null = null;
    ringStarted.push(start !== null && start < stop);
    if (start !== null && start < stop) {
      const bakeEnd = start + ring.bakeHours * HOUR;
      for (const { gate, index } of gatesFor(ring.name)) {
        const bad = badTimes(gate.metric, crash, fail);
        if (gate.at === 'bakeEnd') {
          const e = evaluateAt(gate, index, bakeEnd, recv, bad);
          evals.push(e);
          if (e.population >= gate.minSample && (minSampleAt === null || bakeEnd < minSampleAt)) minSampleAt = bakeEnd;
          if (e.result === 'trip' && (!trip || e.time < trip.time)) trip = e;
          if (e.result === 'insufficient')
            rnotes.push(
              `gate ${index + 1}: only ${e.population} devices at the bake end, below the minimum sample of ${gate.minSample}`,
            );
        } else {
          const s = sweep(gate, index, recv, bad);
          if (s.minSampleAt !== null && (minSampleAt === null || s.minSampleAt < minSampleAt))
            minSampleAt = s.minSampleAt;
          if (s.trip) {
            evals.push(s.trip);
            if (!trip || s.trip.time < trip.time) trip = s.trip;
          } else if (s.last) {
            evals.push(s.last);
            if (s.last.result === 'insufficient')
              rnotes.push(
                `gate ${index + 1}: the ring never had ${gate.minSample} devices to evaluate (at most ${s.last.population})`,
              );
          }
          // The state at the bake end as well, for the arithmetic, unless the gate already tripped before it.
          if (!s.trip || s.trip.time > bakeEnd)
            evals.push(evaluateAt({ ...gate, at: 'bakeEnd' }, index, bakeEnd, recv, bad));
        }
      }
      evals.sort((x, y) => x.time - y.time);
      if (trip && trip.time < stop) {
        stop = trip.time;
        halt = {
          at: trip.time,
          ring: ring.name,
          gate: trip.gate,
          reachesDevicesAt: trip.time + policy.action.latencyMinutes * 60_000,
          evaluation: trip,
        };
      }
    }
    ringEvals.push(evals);
    ringTrip.push(trip?.time ?? null);
    ringMinSample.push(minSampleAt);
    ringNotes.push(rnotes);
  });

  const haltReach = halt ? (halt as NonNullable<ReplayResult['halt']>).reachesDevicesAt : Infinity;
  const rings: RingResult[] = perRing.map(({ ring, a, start, recv, crash }, k) => {
    const actualReached = a.idx.length;
    let actualCrashed = 0;
    for (let i = 0; i < actualReached; i++) if (!Number.isNaN(crash[i]!)) actualCrashed++;
    const started = ringStarted[k]!;
    const reached = started ? upperBound(recv, haltReach) : 0;
    let crashed = 0;
    let rescued = 0;
    for (let i = 0; i < reached; i++) {
      const c = crash[i]!;
      if (Number.isNaN(c)) continue;
      // A rollback removes the content from devices that have not crashed by the time it reaches them.
      if (policy.action.kind === 'rollback' && c > haltReach) rescued++;
      else crashed++;
    }
    const rnotes = ringNotes[k]!;
    if (ringDelayHours(ring) === null)
      rnotes.push('paused by its vendor delay setting (Falcon pause): never receives the content');
    else if (!started && start !== null) rnotes.push('never started: the content was halted before its start');
    return {
      name: ring.name,
      imported: [...a.imported],
      sizeRule: a.sizeRule,
      members: a.members,
      start: started ? start : null,
      bakeEnd: started && start !== null ? start + ring.bakeHours * HOUR : null,
      bakeHours: ring.bakeHours,
      delayHours: ringDelayHours(ring),
      started,
      actual: {
        reached: actualReached,
        crashed: actualCrashed,
        firstAt: actualReached ? data.recv[a.idx[0]!]! : null,
        lastAt: actualReached ? data.recv[a.idx[actualReached - 1]!]! : null,
      },
      reached,
      crashed,
      rescued,
      spared: actualReached - reached,
      crashesAvoided: actualCrashed - crashed,
      evaluations: ringEvals[k]!,
      tripAt: ringTrip[k]!,
      minSampleAt: ringMinSample[k]!,
      notes: rnotes,
    };
  });

  const sum = (f: (r: RingResult) => number) => rings.reduce((s, r) => s + f(r), 0);
  const totals = {
    actualReached: sum((r) => r.actual.reached),
    actualCrashed: sum((r) => r.actual.crashed),
    reached: sum((r) => r.reached),
    crashed: sum((r) => r.crashed),
    rescued: sum((r) => r.rescued),
    spared: sum((r) => r.spared),
    crashesAvoided: sum((r) => r.crashesAvoided),
  };
  const spread = spreadChart(
    data,
    perRing.map(({ ring, a, recv }, k) => ({
      name: ring.name,
      idx: a.idx,
      simRecv: rings[k]!.started ? recv.subarray(0, rings[k]!.reached) : new Float64Array(0),
    })),
  );
  return {
    policy: { id: policy.id, name: policy.name, action: policy.action },
    content: data.content,
    t0: data.t0,
    fleet: data.fleet,
    halt,
    rings,
    totals,
    notes,
    charts: {
      spread,
      spared: rings.map((r) => ({
        ring: r.name,
        spared: r.spared,
        crashesAvoided: r.crashesAvoided,
        reached: r.reached,
      })),
    },
    elapsedMs: Math.round((performance.now() - started0) * 10) / 10,
  };
}
