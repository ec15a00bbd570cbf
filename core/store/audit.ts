// The hash-chained audit log: append (each entry carries the SHA-256 of the previous one), verify, page and export.
import type { Statement } from 'sql.js';
import { sha256HexSync } from '../field/sha256.js';
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

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry whose link does not hold; everything from there on is untrusted. */
  firstBroken?: { seq: number; reason: string };
  /** Hash of the last entry: write it down (or print it) to detect a truncated tail later. */
  head: string;
}

/** The canonical text an entry's hash covers; changing any field breaks the chain from that entry on. */
export function auditPayload(e: Omit<AuditEntry, 'hash'>): string {
  return JSON.stringify([e.seq, e.at, e.actor, e.action, e.detail, e.prev_hash]);
}

export function auditHash(e: Omit<AuditEntry, 'hash'>): string {
  // Synchronous SHA-256: journal replay appends thousands of entries and awaiting WebCrypto for each costs seconds.
  return sha256HexSync(auditPayload(e));
}

// Prepared once per database: replay appends thousands of entries and re-preparing dominated its time.
const statements = new WeakMap<Db, { head: Statement; insert: Statement }>();
function stmts(db: Db) {
  let s = statements.get(db);
  if (!s) {
    s = {
      head: db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare('INSERT INTO audit(seq, at, actor, action, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?)'),
    };
    statements.set(db, s);
  }
  return s;
}

export async function appendAudit(
  db: Db,
  entry: { at: number; actor: string; action: string; detail: Record<string, unknown> },
): Promise<AuditEntry> {
  const { head, insert } = stmts(db);
  let last: { seq: number; hash: string } | undefined;
  try {
    if (head.step()) {
      const [seq, hash] = head.get();
      last = { seq: Number(seq), hash: String(hash) };
    }
  } finally {
    head.reset();
  }
  const base = {
    seq: (last?.seq ?? 0) + 1,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    detail: JSON.stringify(entry.detail),
    prev_hash: last?.hash ?? GENESIS,
  };
  const hash = auditHash(base);
  try {
    insert.run([base.seq, base.at, base.actor, base.action, base.detail, base.prev_hash, hash]);
  } finally {
    insert.reset();
  }
  return { ...base, hash };
}

/** Walks the whole chain in order and reports the first entry whose sequence, link or hash does not hold. */
export function verifyAudit(db: Db): AuditVerification {
  const stmt = db.prepare('SELECT seq, at, actor, action, detail, prev_hash, hash FROM audit ORDER BY seq');
  let prev = GENESIS;
  let expected = 1;
  let entries = 0;
  try {
    while (stmt.step()) {
      const e = stmt.getAsObject() as unknown as AuditEntry;
      entries++;
      const broken = (reason: string): AuditVerification => ({
        ok: false,
        entries: db.value<number>('SELECT count(*) FROM audit') ?? entries,
        firstBroken: { seq: e.seq, reason },
        head: prev,
      });
      if (e.seq !== expected)
        return broken(`entry ${expected} is missing (the next entry is ${e.seq}): entries were removed`);
      if (e.prev_hash !== prev)
        return broken(
          `entry ${e.seq} does not link to entry ${e.seq - 1}: its prev_hash differs from that entry's hash`,
        );
      const h = auditHash(e);
      if (h !== e.hash) return broken(`entry ${e.seq} was altered: its content does not match its hash`);
      prev = e.hash;
      expected++;
    }
  } finally {
    stmt.free();
  }
  return { ok: true, entries, head: prev };
}

export function auditPage(db: Db, offset: number, limit: number): { total: number; rows: AuditEntry[] } {
  const lim = Math.max(1, Math.min(1000, Math.floor(limit)));
  const off = Math.max(0, Math.floor(offset));
  return {
    total: db.value<number>('SELECT count(*) FROM audit') ?? 0,
    rows: db.all<AuditEntry>(
      'SELECT seq, at, actor, action, detail, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT ? OFFSET ?',
      [lim, off],
    ),
  };
}

const COLUMNS = ['seq', 'at', 'actor', 'action', 'detail', 'prev_hash', 'hash'] as const;

/** One CSV cell: RFC 4180 quoting, and a leading formula trigger neutralised with ' (OWASP CSV injection). */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r\0]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The whole log, oldest first, as JSON lines (re-verifiable: same fields the hash covers) or CSV. */
export function exportAudit(db: Db, format: 'jsonl' | 'csv'): string {
  const rows = db.all<AuditEntry>('SELECT seq, at, actor, action, detail, prev_hash, hash FROM audit ORDER BY seq');
  if (format === 'jsonl') return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  const lines = [[...COLUMNS, 'time_utc'].join(',')];
  for (const r of rows)
    lines.push([...COLUMNS.map((c) => csvCell(r[c])), csvCell(new Date(r.at).toISOString())].join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Verifies an exported JSON-lines log on its own, without the workspace (for an auditor holding only the file). */
export function verifyAuditLines(text: string): AuditVerification {
  let prev = GENESIS;
  let n = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    n++;
    let e: AuditEntry;
    try {
      e = JSON.parse(line) as AuditEntry;
    } catch {
      return { ok: false, entries: n, firstBroken: { seq: n, reason: `line ${n} is not valid JSON` }, head: prev };
    }
    if (e.seq !== n || e.prev_hash !== prev || auditHash(e) !== e.hash)
      return {
        ok: false,
        entries: n,
        firstBroken: { seq: e.seq, reason: `entry ${e.seq} does not verify` },
        head: prev,
      };
    prev = e.hash;
  }
  return { ok: true, entries: n, head: prev };
}
