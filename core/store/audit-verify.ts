// Verifying the audit chain: every link and hash in order, the head against the workspace's own anchor, the outside
// anchors and a receipt; and an exported JSON-lines log on its own.
import type { Db } from './db.js';
import {
  anchorMac,
  auditHash,
  auditKeyOf,
  auditMac,
  currentAnchor,
  GENESIS,
  KEYED_CHAIN,
  metaAnchor,
  metaGet,
  parseReceipt,
  rememberedAnchors,
  workspaceIdOf,
  type AuditAnchor,
  type AuditEntry,
} from './audit-chain.js';

export type AuditProblemKind =
  | 'altered'
  | 'missing'
  | 'reordered'
  | 'downgraded'
  | 'unverifiable'
  | 'tail-cut'
  | 'rewritten'
  | 'anchor-invalid'
  | 'anchor-missing'
  | 'receipt-mismatch';

export interface AuditProblem {
  kind: AuditProblemKind;
  seq?: number;
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry whose link does not hold; everything from there on is untrusted. */
  firstBroken?: { seq: number; reason: string };
  /** Hash of the last entry. */
  head: string;
  /** Every problem found, in words; empty when ok. */
  problems: AuditProblem[];
  /** Entries hashed with the key, and plain ones from before the upgrade. */
  keyed: number;
  plain: number;
  /** Process exit code for the CLI: 0 intact, 1 chain broken, 3 head does not match an anchor, 4 receipt mismatch. */
  exitCode: 0 | 1 | 3 | 4;
}

export const CHAIN_KINDS: AuditProblemKind[] = ['altered', 'missing', 'reordered', 'downgraded', 'unverifiable'];

function exitCodeOf(problems: AuditProblem[]): AuditVerification['exitCode'] {
  if (problems.length === 0) return 0;
  if (problems.some((p) => CHAIN_KINDS.includes(p.kind))) return 1;
  if (problems.some((p) => p.kind !== 'receipt-mismatch')) return 3;
  return 4;
}

/**
 * Walks the whole chain in order; reports missing, reordered, altered and downgraded entries, then checks the head
 * against the workspace's own anchor and every anchor given (journal, snapshot file, receipt).
 */
export function verifyAudit(db: Db, opts: { anchors?: AuditAnchor[]; expect?: AuditAnchor } = {}): AuditVerification {
  const key = auditKeyOf(db);
  const wsId = workspaceIdOf(db);
  const keyedChain = metaGet(db, 'audit_chain') === KEYED_CHAIN;
  const problems: AuditProblem[] = [];
  const stmt = db.prepare('SELECT seq, at, actor, action, detail, prev_hash, hash, alg FROM audit ORDER BY seq');
  const hashes = new Map<number, string>();
  const acknowledged = new Set<string>();
  let prev = GENESIS;
  let expected = 1;
  let entries = 0;
  let keyed = 0;
  let plain = 0;
  let chainBroken = false;
  try {
    while (stmt.step()) {
      const e = stmt.getAsObject() as unknown as AuditEntry;
      entries++;
      hashes.set(e.seq, e.hash);
      if (chainBroken) continue;
      const fail = (kind: AuditProblemKind, message: string) => {
        problems.push({ kind, seq: e.seq, message });
        chainBroken = true;
      };
      if (e.seq !== expected) {
        fail(
          'missing',
          e.seq - expected === 1
            ? `entry ${expected} is missing (the next entry is ${e.seq}): an entry was removed`
            : `entries ${expected}–${e.seq - 1} are missing (the next entry is ${e.seq}): entries were removed`,
        );
        continue;
      }
      if (e.prev_hash !== prev) {
        // Runs once (the chain is broken from here on). The entry it links to is never e.seq - 1, whose hash is prev.
        const links = db.value<number>('SELECT seq FROM audit WHERE hash = ?', [e.prev_hash]);
        fail(
          links !== undefined ? 'reordered' : 'altered',
          links !== undefined
            ? `entry ${e.seq} links to entry ${links}, not to entry ${e.seq - 1}: entries were reordered`
            : `entry ${e.seq} does not link to entry ${e.seq - 1}: its prev_hash differs from that entry's hash`,
        );
        continue;
      }
      // The column is NOT NULL DEFAULT 'sha256' (migration 017), so every row names its algorithm.
      if (e.alg === 'sha256') {
        if (keyed > 0) {
          fail(
            'downgraded',
            `entry ${e.seq} is plain-hashed after the chain was keyed: it was rewritten without the key`,
          );
          continue;
        }
        if (auditHash(e) !== e.hash) {
          fail('altered', `entry ${e.seq} was altered: its content does not match its hash`);
          continue;
        }
        plain++;
      } else {
        if (!key) {
          fail('unverifiable', `entry ${e.seq} is keyed and the workspace key was not given`);
          continue;
        }
        if (auditMac(key, e) !== e.hash) {
          fail(
            'altered',
            `entry ${e.seq} was altered or rewritten without the key: its content does not match its keyed hash`,
          );
          continue;
        }
        keyed++;
        if (e.action === 'audit.acknowledge') {
          try {
            const d = JSON.parse(e.detail) as { anchoredCount?: number; anchoredHead?: string };
            acknowledged.add(`${d.anchoredCount}:${d.anchoredHead}`);
          } catch {
            /* its hash held, so the detail is what was written */
          }
        }
      }
      prev = e.hash;
      expected++;
    }
  } finally {
    stmt.free();
  }
  if (!chainBroken && keyedChain && entries > 0 && keyed === 0)
    problems.push({
      kind: 'downgraded',
      message: 'the workspace records a keyed chain but no entry is keyed: the chain was rewritten without the key',
    });

  const own = metaAnchor(db);
  if (keyedChain && !own)
    problems.push({ kind: 'anchor-missing', message: 'the head anchor in the workspace metadata was removed' });
  const checkAnchor = (a: AuditAnchor) => {
    const where = a.source ?? 'an anchor';
    if (a.count < 0 || !/^[0-9a-f]{64}$/.test(a.head)) {
      problems.push({ kind: 'anchor-invalid', message: `the anchor in ${where} is unreadable` });
      return;
    }
    if (key && a.mac !== anchorMac(key, wsId, a.count, a.head)) {
      problems.push({
        kind: 'anchor-invalid',
        message: `the anchor in ${where} was not made with this workspace's key`,
      });
      return;
    }
    if (acknowledged.has(`${a.count}:${a.head}`)) return;
    if (a.count > entries)
      problems.push({
        kind: 'tail-cut',
        seq: entries + 1,
        message:
          `the log holds ${entries} entries but ${where} recorded ${a.count} (head ${a.head.slice(0, 16)}…): ` +
          `${a.count - entries === 1 ? `entry ${a.count} was` : `entries ${entries + 1}–${a.count} were`} cut from the tail, or an older copy of the workspace was restored`,
      });
    else if (a.count > 0 && hashes.get(a.count) !== a.head)
      problems.push({
        kind: 'rewritten',
        seq: a.count,
        message: `entry ${a.count} is not the one ${where} recorded: the log was rewritten or an older copy restored and added to`,
      });
  };
  if (own) checkAnchor(own);
  // Anchors from outside are deduplicated: a journal carries the same head many times.
  const seen = new Set<string>();
  for (const a of opts.anchors ?? []) {
    const k = `${a.count}:${a.head}:${a.mac}`;
    if (seen.has(k)) continue;
    seen.add(k);
    checkAnchor(a);
  }
  if (opts.expect) {
    const r = opts.expect;
    if (r.count < 0) {
      if (![...hashes.values()].includes(r.head))
        problems.push({ kind: 'receipt-mismatch', message: `no entry has the receipt's head ${r.head.slice(0, 16)}…` });
    } else {
      const before = problems.length;
      checkAnchor({ ...r, source: 'the receipt' });
      for (const p of problems.slice(before))
        if (p.kind === 'tail-cut' || p.kind === 'rewritten') p.kind = 'receipt-mismatch';
    }
  }
  const first = problems.find((p) => p.seq !== undefined) ?? problems[0];
  return {
    ok: problems.length === 0,
    entries,
    // The last entry that verified: the whole log's head when intact, GENESIS when empty.
    head: prev,
    problems,
    keyed,
    plain,
    exitCode: exitCodeOf(problems),
    ...(first ? { firstBroken: { seq: first.seq ?? entries, reason: first.message } } : {}),
  };
}

/**
 * Cheap check before a save writes the head to an anchor file: true only while the workspace's own anchor and every
 * outside anchor agree with the chain, so a cut tail never overwrites the one record that still shows it.
 */
export function anchorsAgree(db: Db): boolean {
  const cur = currentAnchor(db);
  const own = metaAnchor(db);
  if (metaGet(db, 'audit_chain') === KEYED_CHAIN && (!own || own.count !== cur.count || own.head !== cur.head))
    return false;
  // An anchor past the head names a seq with no entry, whose hash (undefined) is never its head.
  for (const a of rememberedAnchors(db)) {
    if (a.count > 0 && db.value<string>('SELECT hash FROM audit WHERE seq = ?', [a.count]) !== a.head) return false;
  }
  return true;
}

/** The open-time check: the chain against its own anchor and those read from outside the file when it opened. */
export function auditStatus(db: Db): AuditVerification {
  return verifyAudit(db, { anchors: rememberedAnchors(db) });
}

/**
 * Verifies an exported JSON-lines log on its own (for an auditor holding only the file): links and plain hashes
 * always; keyed hashes only with the audit key. Its receipt line must name the export's own count and head; with the
 * key its MAC must hold, and since the MAC covers the workspace id, a receipt relabelled for another workspace fails
 * too; without the key a receipt carrying a MAC is reported unverifiable (a never-keyed log's says `mac=unkeyed`).
 * Every finding names the file's line or the entry; nothing in the file makes it throw. A filtered export does not
 * verify as a chain.
 */
export function verifyAuditLines(text: string, key?: Uint8Array): AuditVerification {
  let prev = GENESIS;
  let n = 0;
  let keyed = 0;
  let plain = 0;
  const problems: AuditProblem[] = [];
  let receipt: (AuditAnchor & { workspace?: string; line: number }) | undefined;
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const at = i + 1;
    let e: AuditEntry & { receipt?: string };
    try {
      e = JSON.parse(line) as AuditEntry & { receipt?: string };
    } catch {
      problems.push({ kind: 'altered', seq: n + 1, message: `line ${at} is not valid JSON` });
      break;
    }
    if (typeof e !== 'object' || e === null) {
      problems.push({ kind: 'altered', seq: n + 1, message: `line ${at} is not an audit entry (a JSON object)` });
      break;
    }
    if (typeof e.receipt === 'string') {
      try {
        const r = parseReceipt(e.receipt);
        if (r.count < 0) throw new Error('a bare head hash names no count');
        receipt = { ...r, line: at };
      } catch (err) {
        problems.push({
          kind: 'anchor-invalid',
          message: `line ${at}: the receipt is unreadable: ${(err as Error).message}`,
        });
      }
      continue;
    }
    n++;
    const isKeyed = e.alg === 'hmac-sha256';
    if (isKeyed && !key) {
      problems.push({
        kind: 'unverifiable',
        seq: e.seq,
        message: `entry ${e.seq} is keyed: give the audit key to verify it`,
      });
      break;
    }
    const hashOk = isKeyed ? auditMac(key!, e) === e.hash : keyed === 0 && auditHash(e) === e.hash;
    if (e.seq !== n || e.prev_hash !== prev || !hashOk) {
      problems.push({
        kind: e.seq !== n ? 'missing' : 'altered',
        seq: e.seq,
        message: `entry ${e.seq} does not verify`,
      });
      break;
    }
    if (isKeyed) keyed++;
    else plain++;
    prev = e.hash;
  }
  // The receipt is checked like an anchor (verifyAudit's checkAnchor): its MAC first, then what it names.
  if (problems.length === 0 && receipt) {
    const r = receipt;
    if (key && r.mac !== anchorMac(key, r.workspace ?? '', r.count, r.head))
      problems.push({
        kind: 'anchor-invalid',
        message: `the receipt on line ${r.line} was not made with this workspace's key`,
      });
    else if (!key && r.mac)
      problems.push({
        kind: 'unverifiable',
        message: `the receipt on line ${r.line} carries a MAC: give the audit key to verify it`,
      });
    else if (r.count !== n || r.head !== prev)
      problems.push({
        kind: 'tail-cut',
        message: `the export holds ${n} entries ending in ${prev.slice(0, 16)}…, its receipt names ${r.count} ending in ${r.head.slice(0, 16)}…`,
      });
  }
  const first = problems.find((p) => p.seq !== undefined) ?? problems[0];
  return {
    ok: problems.length === 0,
    entries: n,
    head: prev,
    problems,
    keyed,
    plain,
    exitCode: exitCodeOf(problems),
    ...(first ? { firstBroken: { seq: first.seq ?? n, reason: first.message } } : {}),
  };
}
