// Appends to the hash-chained audit log: every entry carries the SHA-256 of the previous one.
import { sha256Hex } from '../secrets/box.js';
import type { Db } from './db.js';

export const GENESIS = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The canonical text an entry's hash covers; changing any field breaks the chain from that entry on. */
export function auditPayload(e: Omit<AuditEntry, 'hash'>): string {
  return JSON.stringify([e.seq, e.at, e.actor, e.action, e.detail, e.prev_hash]);
}

export async function appendAudit(
  db: Db,
  entry: { at: number; actor: string; action: string; detail: Record<string, unknown> },
): Promise<AuditEntry> {
  const last = db.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
  const base = {
    seq: (last?.seq ?? 0) + 1,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    detail: JSON.stringify(entry.detail),
    prev_hash: last?.hash ?? GENESIS,
  };
  const hash = await sha256Hex(auditPayload(base));
  db.run('INSERT INTO audit(seq, at, actor, action, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?)', [
    base.seq,
    base.at,
    base.actor,
    base.action,
    base.detail,
    base.prev_hash,
    hash,
  ]);
  return { ...base, hash };
}
