// Reading the audit log: the audit view's page with its filters, and the export as JSON lines or CSV with a receipt.
import { csvCell } from '../shared/csv.js';
import type { Db } from './db.js';
import { auditReceipt, type AuditEntry } from './audit-chain.js';

/** What the audit view can filter by: groups of actions a post-incident review asks about. */
export const ACTION_GROUPS: Record<string, string[]> = {
  'key-reveals': ['key.reveal', 'keys.include'],
  packs: ['pack.create'],
  merges: ['results.merge', 'results.rejected'],
  overrides: ['device.ring', 'device.result', 'identity-review', 'audit.acknowledge'],
};

export interface AuditFilter {
  group?: keyof typeof ACTION_GROUPS | string;
  actor?: string;
  /** Milliseconds since the epoch, inclusive. */
  from?: number;
  to?: number;
}

// Number.isFinite is false for undefined as well, so one test says "a bound was given".
const finite = (v: number | undefined): v is number => Number.isFinite(v);

function where(f: AuditFilter): { sql: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  if (f.group) {
    const actions = ACTION_GROUPS[f.group];
    if (!actions) throw new Error(`unknown action group ${JSON.stringify(f.group)}`);
    clauses.push(`action IN (${actions.map(() => '?').join(',')})`);
    params.push(...actions);
  }
  if (f.actor) {
    clauses.push('actor = ?');
    params.push(f.actor);
  }
  if (finite(f.from)) {
    clauses.push('at >= ?');
    params.push(f.from);
  }
  if (finite(f.to)) {
    clauses.push('at <= ?');
    params.push(f.to);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export function auditPage(
  db: Db,
  offset: number,
  limit: number,
  filter: AuditFilter = {},
): { total: number; rows: AuditEntry[]; actors: string[] } {
  const lim = Math.max(1, Math.min(1000, Math.floor(limit)));
  const off = Math.max(0, Math.floor(offset));
  const w = where(filter);
  return {
    total: db.value<number>(`SELECT count(*) FROM audit ${w.sql}`, w.params)!,
    rows: db.all<AuditEntry>(
      `SELECT seq, at, actor, action, detail, prev_hash, hash, alg FROM audit ${w.sql} ORDER BY seq DESC LIMIT ? OFFSET ?`,
      [...w.params, lim, off],
    ),
    actors: db.all<{ actor: string }>('SELECT DISTINCT actor FROM audit ORDER BY actor').map((r) => r.actor),
  };
}

const COLUMNS = ['seq', 'at', 'actor', 'action', 'detail', 'prev_hash', 'hash', 'alg'] as const;

/**
 * The log, oldest first, as JSON lines (re-verifiable: same fields the hash covers) or CSV; with a filter only the
 * matching entries. Either way the receipt of the whole log's head comes with it: the last JSON line, or a
 * `# receipt` line at the end of the CSV.
 */
export function exportAudit(
  db: Db,
  format: 'jsonl' | 'csv',
  opts: { filter?: AuditFilter; now?: number } = {},
): string {
  const w = where(opts.filter ?? {});
  const rows = db.all<AuditEntry>(
    `SELECT seq, at, actor, action, detail, prev_hash, hash, alg FROM audit ${w.sql} ORDER BY seq`,
    w.params,
  );
  const receipt = auditReceipt(db, opts.now ?? Date.now());
  if (format === 'jsonl')
    return rows.map((r) => `${JSON.stringify(r)}\n`).join('') + `${JSON.stringify({ receipt: receipt.text })}\n`;
  const lines = [[...COLUMNS, 'time_utc'].join(',')];
  for (const r of rows)
    lines.push([...COLUMNS.map((c) => csvCell(r[c])), csvCell(new Date(r.at).toISOString())].join(','));
  lines.push(csvCell(`# receipt ${receipt.text}`));
  return `${lines.join('\r\n')}\r\n`;
}
