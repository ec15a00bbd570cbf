// The generation history: what was generated when, and the redacted files of one generation for comparison.
import * as remediationTable from '../store/remediation.js';
import type { GenerationRow as Row } from '../store/remediation.js';
import type { Workspace } from '../workspace.js';
import type { BundleManifest } from './generate.js';

export interface GenerationSummary {
  id: number;
  at: number;
  actor: string;
  playbookId: string;
  playbookVersion: number;
  route: string;
  target: unknown;
  withKeys: boolean;
  devices: number;
  refused: number;
}

export interface GenerationDetail extends GenerationSummary {
  manifest: BundleManifest;
  /** Recovery passwords are redacted here: the history never holds a key. */
  files: Array<{ path: string; sha256: string; content: string }>;
  /** The previous generation of the same playbook and route, for comparison. */
  previousId: number | null;
}

const summary = (r: Row): GenerationSummary => ({
  id: r.id,
  at: r.at,
  actor: r.actor,
  playbookId: r.playbook_id,
  playbookVersion: r.playbook_version,
  route: r.route,
  target: JSON.parse(r.target),
  withKeys: r.with_keys === 1,
  devices: r.devices,
  refused: r.refused,
});

export function generations(ws: Workspace, opts: { limit?: number } = {}): GenerationSummary[] {
  return remediationTable.generations(ws.db, opts.limit ?? 200).map(summary);
}

export function generation(ws: Workspace, id: number): GenerationDetail {
  const r = remediationTable.generation(ws.db, id);
  if (!r) throw new Error(`no generation ${id}`);
  const prev = remediationTable.previousGeneration(ws.db, r.playbook_id, r.route, id);
  return { ...summary(r), manifest: JSON.parse(r.manifest), files: JSON.parse(r.files), previousId: prev ?? null };
}

export type DiffLine = { kind: 'same' | 'add' | 'del'; text: string };

/** A line diff (LCS); for very long inputs it falls back to a plain before/after listing. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  if (a.length * b.length > 4_000_000)
    return [...a.map((text) => ({ kind: 'del' as const, text })), ...b.map((text) => ({ kind: 'add' as const, text }))];
  const n = a.length;
  const m = b.length;
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]! });
      i++;
      j++;
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) out.push({ kind: 'del', text: a[i++]! });
    else out.push({ kind: 'add', text: b[j++]! });
  }
  while (i < n) out.push({ kind: 'del', text: a[i++]! });
  while (j < m) out.push({ kind: 'add', text: b[j++]! });
  return out;
}
