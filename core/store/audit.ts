// The audit log: an append-only chain (plain SHA-256 for entries before the upgrade, HMAC-SHA-256 under the workspace's
// audit key after it), a keyed head anchor kept outside the table, verification against anchors and receipts, export.
// This module writes the chain (append, key it, acknowledge a loss) and is the log's one import for the rest of the
// code; the primitives, verification and reading are in audit-chain.ts, audit-verify.ts and audit-log.ts.
import type { Db } from './db.js';
import {
  auditKeyOf,
  forgetAnchors,
  GENESIS,
  insertEntry,
  KEYED_CHAIN,
  lastEntry,
  makeAnchor,
  metaAnchor,
  metaGet,
  metaSet,
  rememberedAnchors,
  setAuditKey,
  type AuditAnchor,
  type AuditEntry,
} from './audit-chain.js';
import { auditStatus, CHAIN_KINDS, type AuditVerification } from './audit-verify.js';

export {
  auditHash,
  auditMac,
  auditPayload,
  auditReceipt,
  currentAnchor,
  GENESIS,
  KEYED_CHAIN,
  keyedPayload,
  metaAnchor,
  parseReceipt,
  rememberAnchors,
  rememberedAnchors,
  setAuditKey,
  type AuditAlg,
  type AuditAnchor,
  type AuditEntry,
  type AuditReceipt,
} from './audit-chain.js';
export {
  anchorsAgree,
  auditStatus,
  verifyAudit,
  verifyAuditLines,
  type AuditProblem,
  type AuditProblemKind,
  type AuditVerification,
} from './audit-verify.js';
export { ACTION_GROUPS, auditPage, exportAudit, type AuditFilter } from './audit-log.js';

export async function appendAudit(
  db: Db,
  entry: { at: number; actor: string; action: string; detail: Record<string, unknown> },
): Promise<AuditEntry> {
  const key = auditKeyOf(db);
  const keyedChain = metaGet(db, 'audit_chain') === KEYED_CHAIN;
  if (keyedChain && !key) throw new Error('the audit chain is keyed but the workspace key was not given');
  const anchor = metaAnchor(db);
  const { last, entry: out } = insertEntry(db, key, { ...entry, detail: JSON.stringify(entry.detail) });
  // Move the anchor only while it agrees with the chain: after a cut tail it stays where it was, so the warning
  // survives new entries until someone acknowledges it (acknowledgeAudit).
  if (key && anchor && anchor.count === (last?.seq ?? 0) && anchor.head === (last?.hash ?? GENESIS))
    metaSet(db, 'audit_anchor', JSON.stringify(makeAnchor(db, key, out.seq, out.hash)));
  return out;
}

/**
 * Keys the chain (versioned migration of the log, run at every open): a workspace whose chain is not yet keyed
 * gets one plain-to-keyed entry, itself keyed; earlier entries keep their plain hashes. Returns whether it upgraded.
 */
export function enableKeyedAudit(db: Db, key: Uint8Array, at: number, actor: string): boolean {
  setAuditKey(db, key);
  if (metaGet(db, 'audit_chain') === KEYED_CHAIN) return false;
  const plain = db.value<number>('SELECT count(*) FROM audit')!;
  db.tx(() => {
    metaSet(db, 'audit_chain', KEYED_CHAIN);
    const last = lastEntry(db);
    let count = last?.seq ?? 0;
    let head = last?.hash ?? GENESIS;
    if (plain > 0) {
      const detail = JSON.stringify({ from: 'sha256', to: 'hmac-sha256', version: 1, plainEntries: plain, head });
      const { entry } = insertEntry(db, key, { at, actor, action: 'audit.keyed', detail });
      count = entry.seq;
      head = entry.hash;
    }
    metaSet(db, 'audit_anchor', JSON.stringify(makeAnchor(db, key, count, head)));
  });
  return true;
}

/**
 * Records that a person saw a cut tail, a rewritten log or a removed anchor and carried on: an audited entry per anchor
 * acknowledged (a removed own anchor included) naming what was lost, after which the anchor follows the chain again.
 * The loss stays visible in the log for any reviewer.
 */
export async function acknowledgeAudit(
  db: Db,
  opts: { at: number; actor: string; note: string },
): Promise<AuditVerification> {
  const key = auditKeyOf(db);
  if (!key) throw new Error('the workspace key is needed to acknowledge');
  const note = opts.note.trim();
  if (note.length < 3) throw new Error('say in a few words what happened before acknowledging');
  const status = auditStatus(db);
  const anchorIssues = status.problems.filter((p) => !CHAIN_KINDS.includes(p.kind));
  if (anchorIssues.length === 0) return status;
  const anchors = [metaAnchor(db), ...rememberedAnchors(db)].filter((a): a is AuditAnchor => Boolean(a));
  const last = lastEntry(db);
  const common = { note: note.slice(0, 500), problems: anchorIssues.map((p) => p.message) };
  const found = { foundCount: last?.seq ?? 0, foundHead: last?.hash ?? GENESIS };
  // A removed own anchor has no count or head to name, but its loss must leave an entry like any other.
  const removed = anchorIssues.some((p) => p.kind === 'anchor-missing')
    ? [{ ...common, anchorSource: 'workspace metadata', anchorRemoved: true, ...found }]
    : [];
  const details = [
    ...removed,
    ...anchors.map((a) => ({
      ...common,
      anchoredCount: a.count,
      anchoredHead: a.head,
      anchorSource: a.source ?? '',
      ...found,
    })),
  ];
  await db.txAsync(async () => {
    for (const detail of details)
      insertEntry(db, key, {
        at: opts.at,
        actor: opts.actor,
        action: 'audit.acknowledge',
        detail: JSON.stringify(detail),
      });
    const now = lastEntry(db)!;
    metaSet(db, 'audit_anchor', JSON.stringify(makeAnchor(db, key, now.seq, now.hash)));
  });
  // The outside anchors are recorded in the log now; the next snapshot may carry the new head.
  forgetAnchors(db);
  return auditStatus(db);
}
