// Worker/CLI entry points of the replay domain: each takes the open workspace first.
import type { HandlerMap } from '../contract/handlers.js';
import * as replayTable from '../store/replay.js';
import { audit, type Workspace } from '../workspace.js';
import { derivedBasis, listContents, type ContentInfo } from './data.js';
import { loadReplayData } from './packed.js';
import { builtInPolicies, defaultPolicy, parsePolicy, serializePolicy, type Policy } from './policy.js';
import { simulate, type ReplayResult } from './simulate.js';
import { liveGates, type LiveGates } from './live.js';
import { conformance, type ConformanceReport } from './conformance.js';

export interface StoredPolicy {
  policy: Policy;
  builtIn: boolean;
  savedAt: number | null;
  savedBy: string | null;
}

export interface Comparison {
  results: ReplayResult[];
  /** One row per ring name (the union, in first-seen order): reached/spared/trip per policy, same order as results. */
  rings: Array<{
    ring: string;
    byPolicy: Array<{ reached: number; spared: number; crashesAvoided: number; tripAt: number | null } | null>;
  }>;
}

function asPolicy(p: unknown, source: string): Policy {
  return parsePolicy(p, source);
}

export const replayHandlers = {
  /** Replays the rollout log under one policy (the content from the policy, or the most-crashing one). */
  replay(ws: Workspace, policy: unknown): ReplayResult {
    const p = asPolicy(policy, 'policy');
    return simulate(loadReplayData(ws, p.content), p);
  },

  /** Several policies on the same log; the log is read once per distinct content. */
  comparePolicies(ws: Workspace, policies: unknown[]): Comparison {
    const parsed = policies.map((p, i) => asPolicy(p, `policies[${i}]`));
    const cache = new Map<string, ReturnType<typeof loadReplayData>>();
    const results = parsed.map((p) => {
      const key = p.content ? `${p.content.package}@${p.content.version}` : '';
      let data = cache.get(key);
      if (!data) {
        data = loadReplayData(ws, p.content);
        cache.set(key, data);
      }
      return simulate(data, p);
    });
    const names: string[] = [];
    for (const r of results) for (const ring of r.rings) if (!names.includes(ring.name)) names.push(ring.name);
    return {
      results,
      rings: names.map((ring) => ({
        ring,
        byPolicy: results.map((r) => {
          const x = r.rings.find((y) => y.name === ring);
          return x
            ? { reached: x.reached, spared: x.spared, crashesAvoided: x.crashesAvoided, tripAt: x.tripAt }
            : null;
        }),
      })),
    };
  },

  /** Gates evaluated on the data as it is now (data time), with a halt recommendation for unfinished rings. */
  liveGates(ws: Workspace, policy: unknown): LiveGates {
    return liveGates(ws, asPolicy(policy, 'policy'));
  },

  /** Safe-deployment conformance per vendor/agent in the estate, with a Markdown rendering. */
  conformance(ws: Workspace): ConformanceReport {
    return conformance(ws);
  },

  /** The facts a replay without a rollout log derives its receipts from, in words. */
  replayBasis(ws: Workspace): string {
    return derivedBasis(ws);
  },

  /** The contents found in the rollout log (most crashes first). */
  replayContents(ws: Workspace): ContentInfo[] {
    return listContents(ws);
  },

  /** Built-in policies followed by the ones saved in this workspace. */
  policies(ws: Workspace): StoredPolicy[] {
    const saved = replayTable.policies(ws.db).map((r) => ({
      policy: parsePolicy(JSON.parse(r.body), `saved policy ${r.id}`),
      builtIn: false,
      savedAt: r.saved_at,
      savedBy: r.saved_by,
    }));
    const builtIns = builtInPolicies().map((policy) => ({ policy, builtIn: true, savedAt: null, savedBy: null }));
    return [...builtIns, ...saved];
  },

  /** Checks a policy as savePolicy would and returns its file text, without storing it (the UI journals the save). */
  policyText(_ws: Workspace, policy: unknown): { id: string; text: string } {
    const p = checkSavable(policy);
    return { id: p.id, text: serializePolicy(p) };
  },

  /** Saves (or replaces, by id) a policy in the workspace; built-in ids are refused. Returns the file text. */
  savePolicy(ws: Workspace, policy: unknown): { id: string; text: string } {
    return storePolicy(ws, policy, ws.now());
  },

  /** The built-in default: Test 1 %, 4 h bake, halt at a 2 % crash rate. */
  defaultPolicy(_ws: Workspace): Policy {
    return defaultPolicy();
  },
} satisfies HandlerMap;

function checkSavable(policy: unknown): Policy {
  const p = asPolicy(policy, 'policy');
  if (builtInPolicies().some((b) => b.id === p.id))
    throw new Error(`policy id '${p.id}' is a built-in policy: give the copy another id`);
  return p;
}

/** Stores a policy at a given time: the journal replays a save with the time it was first made. */
export function storePolicy(ws: Workspace, policy: unknown, at: number): { id: string; text: string } {
  const p = checkSavable(policy);
  const text = serializePolicy(p);
  ws.db.tx(() => {
    replayTable.savePolicy(ws.db, { id: p.id, name: p.name, body: text, at, by: ws.actor });
    audit(ws, 'replay.policy.save', { id: p.id, name: p.name });
  });
  return { id: p.id, text };
}
