// The audit chain's primitives: entry hashing (plain SHA-256 before the upgrade, HMAC-SHA-256 under the audit key
// after it), the per-database audit key and outside anchors, the keyed head anchor in meta, the head and receipts.
import type { Statement } from 'sql.js';
import { hmacSha256HexSync, sha256HexSync } from '../shared/hash.js';
import type { Db } from './db.js';
import * as metaTable from './meta.js';

export const GENESIS = '0'.repeat(64);
/** The chain version a keyed workspace records in meta; versioned so a later scheme can migrate again. */
export const KEYED_CHAIN = 'hmac-sha256-v1';
export type AuditAlg = 'sha256' | 'hmac-sha256';

export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  detail: string;
  prev_hash: string;
  hash: string;
  /** How `hash` was made; entries written before the upgrade keep 'sha256'. */
  alg?: AuditAlg;
}

/** The head of the chain at one moment, MAC'd under the audit key so nobody without it can make one up. */
export interface AuditAnchor {
  count: number;
  head: string;
  mac: string;
  /** Where this anchor was read from, for the message ('workspace metadata', 'journal', 'snapshot anchor file', 'receipt'). */
  source?: string;
}

/** The canonical text a plain (pre-upgrade) entry's hash covers; the time `at` is part of it, so back-dating shows. */
export function auditPayload(e: Omit<AuditEntry, 'hash'>): string {
  return JSON.stringify([e.seq, e.at, e.actor, e.action, e.detail, e.prev_hash]);
}

/** Keyed entries also bind their algorithm, so relabelling one as plain breaks it. */
export function keyedPayload(e: Omit<AuditEntry, 'hash'>): string {
  return JSON.stringify(['hmac-sha256', e.seq, e.at, e.actor, e.action, e.detail, e.prev_hash]);
}

/** Plain SHA-256 hash of an entry (the scheme before the upgrade). */
export function auditHash(e: Omit<AuditEntry, 'hash'>): string {
  // Synchronous SHA-256: journal replay appends thousands of entries and awaiting WebCrypto for each costs seconds.
  return sha256HexSync(auditPayload(e));
}

export function auditMac(key: Uint8Array, e: Omit<AuditEntry, 'hash'>): string {
  return hmacSha256HexSync(key, keyedPayload(e));
}

// The audit key per open database: derived from the workspace key at open (see core/workspace.ts), never stored.
const keys = new WeakMap<Db, Uint8Array>();
// Anchors read from outside the file at open (journal records, the snapshot's anchor file), checked by auditStatus.
const outside = new WeakMap<Db, AuditAnchor[]>();

export function setAuditKey(db: Db, key: Uint8Array): void {
  keys.set(db, key);
}

export function rememberAnchors(db: Db, anchors: AuditAnchor[]): void {
  outside.set(db, [...(outside.get(db) ?? []), ...anchors]);
}

export function rememberedAnchors(db: Db): AuditAnchor[] {
  return outside.get(db) ?? [];
}

/** Once acknowledged, the outside anchors are recorded in the log itself. */
export function forgetAnchors(db: Db): void {
  outside.set(db, []);
}

/** The audit key of an open database, when the workspace key was given. */
export function auditKeyOf(db: Db): Uint8Array | undefined {
  return keys.get(db);
}

export function workspaceIdOf(db: Db): string {
  return db.value<string>("SELECT value FROM meta WHERE key = 'workspace_id'") ?? '';
}

export function anchorMac(key: Uint8Array, wsId: string, count: number, head: string): string {
  // Truncated to 128 bits: still far beyond guessing, and short enough to copy from a printed receipt.
  return hmacSha256HexSync(key, `ringside/audit/anchor/v1|${wsId}|${count}|${head}`).slice(0, 32);
}

export function makeAnchor(db: Db, key: Uint8Array, count: number, head: string): AuditAnchor {
  return { count, head, mac: anchorMac(key, workspaceIdOf(db), count, head) };
}

export const metaGet = metaTable.get;
export const metaSet = metaTable.set;

function parseAnchor(text: string | undefined, source: string): AuditAnchor | undefined {
  if (!text) return undefined;
  try {
    const a = JSON.parse(text) as AuditAnchor;
    if (typeof a.count === 'number' && typeof a.head === 'string' && typeof a.mac === 'string')
      return { count: a.count, head: a.head, mac: a.mac, source };
  } catch {
    /* reported as an invalid anchor below */
  }
  return { count: -1, head: '', mac: '', source };
}

/** The workspace's own anchor (meta 'audit_anchor'): where `DELETE FROM audit` alone does not reach. */
export function metaAnchor(db: Db): AuditAnchor | undefined {
  return parseAnchor(metaGet(db, 'audit_anchor'), 'workspace metadata');
}

// Prepared once per database: replay appends thousands of entries and re-preparing dominated its time.
const statements = new WeakMap<Db, { head: Statement; insert: Statement }>();
function stmts(db: Db) {
  let s = statements.get(db);
  if (!s) {
    s = {
      head: db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare(
        'INSERT INTO audit(seq, at, actor, action, detail, prev_hash, hash, alg) VALUES (?,?,?,?,?,?,?,?)',
      ),
    };
    statements.set(db, s);
  }
  return s;
}

export function lastEntry(db: Db): { seq: number; hash: string } | undefined {
  const { head } = stmts(db);
  try {
    if (head.step()) {
      const [seq, hash] = head.get();
      return { seq: Number(seq), hash: String(hash) };
    }
    return undefined;
  } finally {
    head.reset();
  }
}

export function insertEntry(
  db: Db,
  key: Uint8Array | undefined,
  entry: Omit<AuditEntry, 'seq' | 'prev_hash' | 'hash' | 'alg'>,
) {
  const last = lastEntry(db);
  const base = {
    seq: (last?.seq ?? 0) + 1,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    detail: entry.detail,
    prev_hash: last?.hash ?? GENESIS,
  };
  const alg: AuditAlg = key ? 'hmac-sha256' : 'sha256';
  const hash = key ? auditMac(key, base) : auditHash(base);
  const { insert } = stmts(db);
  try {
    insert.run([base.seq, base.at, base.actor, base.action, base.detail, base.prev_hash, hash, alg]);
  } finally {
    insert.reset();
  }
  return { last, entry: { ...base, hash, alg } };
}

/** The current head as an anchor (for journal records, snapshot anchor files, reports, packs and receipts). */
export function currentAnchor(db: Db): AuditAnchor {
  const key = keys.get(db);
  const last = lastEntry(db);
  const count = last?.seq ?? 0;
  const head = last?.hash ?? GENESIS;
  return key ? makeAnchor(db, key, count, head) : { count, head, mac: '' };
}

/** What a never-keyed log's receipt carries in place of a MAC: it says so, rather than leaving the field empty. */
export const UNKEYED_MAC = 'unkeyed';

export interface AuditReceipt extends AuditAnchor {
  workspace: string;
  at: string;
  /** One line to print or copy; `ringside audit verify --expect '<line>'` checks the log against it. */
  text: string;
}

export function auditReceipt(db: Db, now: number): AuditReceipt {
  const a = currentAnchor(db);
  const workspace = workspaceIdOf(db);
  const at = new Date(now).toISOString();
  const mac = a.mac || UNKEYED_MAC;
  return { ...a, workspace, at, text: `RINGSIDE-AUDIT-1 ws=${workspace} n=${a.count} head=${a.head} mac=${mac}` };
}

/**
 * Reads a receipt line, or a bare 64-hex head hash; throws with the reason when it is neither. A never-keyed log's
 * `mac=unkeyed` reads as no MAC, which a keyed workspace's verification refuses like any wrong MAC.
 */
export function parseReceipt(text: string): AuditAnchor & { workspace?: string } {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return { count: -1, head: t.toLowerCase(), mac: '', source: 'receipt' };
  const m = /^RINGSIDE-AUDIT-1 ws=(\S+) n=(\d+) head=([0-9a-f]{64}) mac=([0-9a-f]{32}|unkeyed)$/i.exec(t);
  if (!m)
    throw new Error('not an audit receipt: expected "RINGSIDE-AUDIT-1 ws=… n=… head=… mac=…" or a 64-hex head hash');
  return {
    workspace: m[1]!,
    count: Number(m[2]),
    head: m[3]!.toLowerCase(),
    mac: m[4]!.toLowerCase() === UNKEYED_MAC ? '' : m[4]!.toLowerCase(),
    source: 'receipt',
  };
}
