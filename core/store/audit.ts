// The audit log: an append-only chain (plain SHA-256 for entries before the upgrade, HMAC-SHA-256 under the workspace's
// audit key after it), a keyed head anchor kept outside the table, verification against anchors and receipts, export.
import type { Statement } from 'sql.js';
import { csvCell } from '../shared/csv.js';
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

const CHAIN_KINDS: AuditProblemKind[] = ['altered', 'missing', 'reordered', 'downgraded', 'unverifiable'];

function exitCodeOf(problems: AuditProblem[]): AuditVerification['exitCode'] {
  if (problems.length === 0) return 0;
  if (problems.some((p) => CHAIN_KINDS.includes(p.kind))) return 1;
  if (problems.some((p) => p.kind !== 'receipt-mismatch')) return 3;
  return 4;
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

function workspaceIdOf(db: Db): string {
  return db.value<string>("SELECT value FROM meta WHERE key = 'workspace_id'") ?? '';
}

function anchorMac(key: Uint8Array, wsId: string, count: number, head: string): string {
  // Truncated to 128 bits: still far beyond guessing, and short enough to copy from a printed receipt.
  return hmacSha256HexSync(key, `ringside/audit/anchor/v1|${wsId}|${count}|${head}`).slice(0, 32);
}

function makeAnchor(db: Db, key: Uint8Array, count: number, head: string): AuditAnchor {
  return { count, head, mac: anchorMac(key, workspaceIdOf(db), count, head) };
}

const metaGet = metaTable.get;
const metaSet = metaTable.set;

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

function lastEntry(db: Db): { seq: number; hash: string } | undefined {
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

function insertEntry(
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

export async function appendAudit(
  db: Db,
  entry: { at: number; actor: string; action: string; detail: Record<string, unknown> },
): Promise<AuditEntry> {
  const key = keys.get(db);
  const keyedChain = metaGet(db, 'audit_chain') === KEYED_CHAIN;
  if (keyedChain && !key) throw new Error('the audit chain is keyed but the workspace key was not given');
  const anchor = key ? metaAnchor(db) : undefined;
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
  const plain = db.value<number>('SELECT count(*) FROM audit') ?? 0;
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

/** The current head as an anchor (for journal records, snapshot anchor files, reports, packs and receipts). */
export function currentAnchor(db: Db): AuditAnchor {
  const key = keys.get(db);
  const last = lastEntry(db);
  const count = last?.seq ?? 0;
  const head = last?.hash ?? GENESIS;
  return key ? makeAnchor(db, key, count, head) : { count, head, mac: '' };
}

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
  return { ...a, workspace, at, text: `RINGSIDE-AUDIT-1 ws=${workspace} n=${a.count} head=${a.head} mac=${a.mac}` };
}

/** Reads a receipt line, or a bare 64-hex head hash; throws with the reason when it is neither. */
export function parseReceipt(text: string): AuditAnchor & { workspace?: string } {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return { count: -1, head: t.toLowerCase(), mac: '', source: 'receipt' };
  const m = /^RINGSIDE-AUDIT-1 ws=(\S+) n=(\d+) head=([0-9a-f]{64}) mac=([0-9a-f]{32})$/i.exec(t);
  if (!m)
    throw new Error('not an audit receipt: expected "RINGSIDE-AUDIT-1 ws=… n=… head=… mac=…" or a 64-hex head hash');
  return {
    workspace: m[1]!,
    count: Number(m[2]),
    head: m[3]!.toLowerCase(),
    mac: m[4]!.toLowerCase(),
    source: 'receipt',
  };
}

/**
 * Walks the whole chain in order; reports missing, reordered, altered and downgraded entries, then checks the head
 * against the workspace's own anchor and every anchor given (journal, snapshot file, receipt).
 */
export function verifyAudit(db: Db, opts: { anchors?: AuditAnchor[]; expect?: AuditAnchor } = {}): AuditVerification {
  const key = keys.get(db);
  const wsId = workspaceIdOf(db);
  const keyedChain = metaGet(db, 'audit_chain') === KEYED_CHAIN;
  const problems: AuditProblem[] = [];
  const stmt = db.prepare('SELECT seq, at, actor, action, detail, prev_hash, hash, alg FROM audit ORDER BY seq');
  const hashes = new Map<number, string>();
  const seqOfHash = new Map<string, number>();
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
        const links =
          seqOfHash.get(e.prev_hash) ?? db.value<number>('SELECT seq FROM audit WHERE hash = ?', [e.prev_hash]);
        fail(
          links !== undefined && links !== e.seq - 1 ? 'reordered' : 'altered',
          links !== undefined && links !== e.seq - 1
            ? `entry ${e.seq} links to entry ${links}, not to entry ${e.seq - 1}: entries were reordered`
            : `entry ${e.seq} does not link to entry ${e.seq - 1}: its prev_hash differs from that entry's hash`,
        );
        continue;
      }
      const alg = e.alg ?? 'sha256';
      if (alg === 'sha256') {
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
      seqOfHash.set(e.hash, e.seq);
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
    head: chainBroken ? prev : (hashes.get(expected - 1) ?? GENESIS),
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
  for (const a of rememberedAnchors(db)) {
    if (a.count > cur.count) return false;
    if (a.count > 0 && db.value<string>('SELECT hash FROM audit WHERE seq = ?', [a.count]) !== a.head) return false;
  }
  return true;
}

/** The open-time check: the chain against its own anchor and those read from outside the file when it opened. */
export function auditStatus(db: Db): AuditVerification {
  return verifyAudit(db, { anchors: rememberedAnchors(db) });
}

/**
 * Records that a person saw a cut tail or rewritten log and carried on: an audited entry naming what was lost, after
 * which the anchor follows the chain again. The loss stays visible in the log for any reviewer.
 */
export async function acknowledgeAudit(
  db: Db,
  opts: { at: number; actor: string; note: string },
): Promise<AuditVerification> {
  const key = keys.get(db);
  if (!key) throw new Error('the workspace key is needed to acknowledge');
  const note = opts.note.trim();
  if (note.length < 3) throw new Error('say in a few words what happened before acknowledging');
  const status = auditStatus(db);
  const anchorIssues = status.problems.filter((p) => !CHAIN_KINDS.includes(p.kind));
  if (anchorIssues.length === 0) return status;
  const anchors = [metaAnchor(db), ...rememberedAnchors(db)].filter((a): a is AuditAnchor => Boolean(a));
  const last = lastEntry(db);
  await db.txAsync(async () => {
    for (const a of anchors) {
      const detail = {
        note: note.slice(0, 500),
        problems: anchorIssues.map((p) => p.message),
        anchoredCount: a.count,
        anchoredHead: a.head,
        anchorSource: a.source ?? '',
        foundCount: last?.seq ?? 0,
        foundHead: last?.hash ?? GENESIS,
      };
      insertEntry(db, key, {
        at: opts.at,
        actor: opts.actor,
        action: 'audit.acknowledge',
        detail: JSON.stringify(detail),
      });
    }
    const now = lastEntry(db)!;
    metaSet(db, 'audit_anchor', JSON.stringify(makeAnchor(db, key, now.seq, now.hash)));
  });
  // The outside anchors are recorded in the log now; the next snapshot may carry the new head.
  outside.set(db, []);
  return auditStatus(db);
}

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
  if (typeof f.from === 'number' && Number.isFinite(f.from)) {
    clauses.push('at >= ?');
    params.push(f.from);
  }
  if (typeof f.to === 'number' && Number.isFinite(f.to)) {
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
    total: db.value<number>(`SELECT count(*) FROM audit ${w.sql}`, w.params) ?? 0,
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

/**
 * Verifies an exported JSON-lines log on its own (for an auditor holding only the file): links and plain hashes
 * always; keyed hashes and the receipt's MAC only with the audit key. A filtered export does not verify as a chain.
 */
export function verifyAuditLines(text: string, key?: Uint8Array): AuditVerification {
  let prev = GENESIS;
  let n = 0;
  let keyed = 0;
  let plain = 0;
  const problems: AuditProblem[] = [];
  let receipt: AuditAnchor | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let e: AuditEntry & { receipt?: string };
    try {
      e = JSON.parse(line) as AuditEntry & { receipt?: string };
    } catch {
      problems.push({ kind: 'altered', seq: n + 1, message: `line ${n + 1} is not valid JSON` });
      break;
    }
    if (typeof e.receipt === 'string') {
      receipt = parseReceipt(e.receipt);
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
  if (problems.length === 0 && receipt && (receipt.count !== n || receipt.head !== prev))
    problems.push({
      kind: 'tail-cut',
      message: `the export holds ${n} entries ending in ${prev.slice(0, 16)}…, its receipt names ${receipt.count} ending in ${receipt.head.slice(0, 16)}…`,
    });
  const first = problems[0];
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
