// The audit tests' shared log builders: a bare database with a workspace id and keyed logs, or a real workspace's log.
import { createHmac } from 'node:crypto';
import { beforeAll } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { appendAudit, enableKeyedAudit, type AuditAnchor } from '../../../../core/store/audit.js';
import { deriveAuditKey } from '../../../../core/store/audit-key.js';
import { Db } from '../../../../core/store/db.js';
import { audit, openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

export const T0 = Date.parse('2024-07-19T04:09:00Z');

/**
 * Builds logs for one test file: its own workspace id and key (so two files never share an anchor by accident) and
 * the action entry i is written with. sql.js and the key are loaded in the file's beforeAll, hence the getters.
 */
export function auditLogs(ws: string, keyFill: number, action: (i: number) => string) {
  let SQL: SqlJsStatic;
  let KEY: Uint8Array;
  beforeAll(async () => {
    SQL = await loadSqlJs();
    KEY = await deriveAuditKey(new Uint8Array(32).fill(keyFill));
  });
  const hmac = (s: string) => createHmac('sha256', KEY).update(s).digest('hex');
  /** The anchor MAC as the format says: HMAC-SHA-256 of "ringside/audit/anchor/v1|ws|count|head", first 32 hex. */
  const macOf = (count: number, head: string, id = ws) =>
    hmac(`ringside/audit/anchor/v1|${id}|${count}|${head}`).slice(0, 32);
  const bare = (): Db => {
    const db = Db.open(SQL);
    db.run("INSERT INTO meta(key, value) VALUES ('workspace_id', ?)", [ws]);
    return db;
  };
  const append = async (db: Db, n: number, from = 1) => {
    for (let i = from; i < from + n; i++)
      await appendAudit(db, { at: T0 + i * 1000, actor: 'tech-1', action: action(i), detail: { i } });
  };
  return {
    sql: () => SQL,
    key: () => KEY,
    hmac,
    macOf,
    anchor: (count: number, head: string, source?: string): AuditAnchor => ({
      count,
      head,
      mac: macOf(count, head),
      ...(source ? { source } : {}),
    }),
    hashOf: (db: Db, seq: number) => db.value<string>('SELECT hash FROM audit WHERE seq = ?', [seq])!,
    short: (h: string) => `${h.slice(0, 16)}…`,
    bare,
    append,
    /** A keyed log of n entries (entry i at T0 + i s), built on a bare database: no workspace open per test. */
    keyedLog: async (n: number): Promise<Db> => {
      const db = bare();
      enableKeyedAudit(db, KEY, T0, 'tech-1');
      await append(db, n);
      return db;
    },
  };
}

/** The workspace-log tests' key material and clock start. */
export const WS_MATERIAL = new Uint8Array(32).fill(9);
export const WS_T0 = Date.parse('2024-07-19T05:00:00Z');

/** A real workspace whose keyed log has n entries, one second apart (entry i at WS_T0 + i s), alternating two actions. */
export async function workspaceLog(SQL: SqlJsStatic, n: number): Promise<Workspace> {
  let t = WS_T0;
  const ws = await openWorkspace({ SQL, keyMaterial: WS_MATERIAL, now: () => (t += 1000) });
  for (let i = 1; i <= n; i++) await audit(ws, i % 2 ? 'key.reveal' : 'pack.create', { i });
  return ws;
}
