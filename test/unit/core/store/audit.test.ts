// The audit chain: verify finds the first broken link for edits, deletions and reordering; export re-verifies.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { sha256HexSync } from '../../../../core/shared/hash.js';
import { exportAudit, verifyAudit, verifyAuditLines, auditPage } from '../../../../core/store/audit.js';
import { deriveAuditKey } from '../../../../core/store/audit-key.js';
import { audit, openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

async function withLog(n: number): Promise<Workspace> {
  const ws = await openWorkspace({ SQL, keyMaterial: new Uint8Array(32).fill(7), now: () => 1_721_370_000_000 });
  for (let i = 1; i <= n; i++)
    await audit(ws, i % 2 ? 'import' : 'key.reveal', { i, note: i === 3 ? '=HYPERLINK("x")' : 'ok' });
  return ws;
}

test('the synchronous SHA-256 matches node:crypto on block-boundary and multi-byte inputs', () => {
  for (const s of ['', 'abc', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'é'.repeat(1000), '\u{1F600}'])
    expect(sha256HexSync(s)).toBe(createHash('sha256').update(s).digest('hex'));
});

describe('verifyAudit', () => {
  test('an untouched chain verifies', async () => {
    const ws = await withLog(10);
    const v = verifyAudit(ws.db);
    expect(v).toMatchObject({ ok: true, entries: 10 });
    expect(v.firstBroken).toBeUndefined();
  });

  test('an edited detail is reported at that entry', async () => {
    const ws = await withLog(10);
    ws.db.run(`UPDATE audit SET detail = '{"i":4,"note":"nothing to see"}' WHERE seq = 4`);
    expect(verifyAudit(ws.db)).toMatchObject({ ok: false, firstBroken: { seq: 4 } });
    expect(verifyAudit(ws.db).firstBroken!.reason).toMatch(/altered/);
  });

  test('an edit that also recomputes its own hash breaks the next link', async () => {
    const ws = await withLog(10);
    const { auditHash } = await import('../../../../core/store/audit.js');
    const e = ws.db.get<Record<string, never>>('SELECT * FROM audit WHERE seq = 6')!;
    const forged = { ...(e as object), actor: 'someone-else' } as Parameters<typeof auditHash>[0];
    ws.db.run('UPDATE audit SET actor = ?, hash = ? WHERE seq = 6', ['someone-else', auditHash(forged)]);
    // Keyed chain (issue 17): a plain hash recomputed without the key no longer matches the entry itself.
    expect(verifyAudit(ws.db)).toMatchObject({ ok: false, firstBroken: { seq: 6 } });
  });

  test('a deleted entry is reported', async () => {
    const ws = await withLog(10);
    ws.db.run('DELETE FROM audit WHERE seq = 5');
    const v = verifyAudit(ws.db);
    expect(v.ok).toBe(false);
    expect(v.firstBroken!.reason).toMatch(/missing/);
  });

  test('the JSON-lines export re-verifies on its own and detects tampering; CSV neutralises formulas', async () => {
    const ws = await withLog(6);
    const lines = exportAudit(ws.db, 'jsonl');
    const key = await deriveAuditKey(new Uint8Array(32).fill(7));
    expect(verifyAuditLines(lines, key)).toMatchObject({ ok: true, entries: 6 });
    expect(verifyAuditLines(lines.replace('"actor":"user"', '"actor":"mallory"'), key).ok).toBe(false);
    const csv = exportAudit(ws.db, 'csv');
    expect(csv.split('\r\n')[0]).toBe('seq,at,actor,action,detail,prev_hash,hash,alg,time_utc');
    expect(csv).not.toMatch(/,=HYPERLINK|,"=HYPERLINK/);
    // A hostile value in a cell of its own (the actor), not inside the JSON detail cell that starts with `{`:
    // every cell starting with = + - @ tab or CR gets a leading apostrophe.
    for (const [actor, lead] of [
      ['=HYPERLINK("http://x")', '='],
      ['+1+cmd', '+'],
      ['-2+3', '-'],
      ['@SUM(A1)', '@'],
      ['\tx', '\t'],
      ['\rx', '\r'],
    ] as const) {
      const one = await withLog(0);
      await audit({ ...one, actor } as Workspace, 'import', { ok: 1 });
      const row = exportAudit(one.db, 'csv').split('\r\n')[1]!;
      const cell = row.split(',')[2]!.replace(/^"/, '');
      expect(cell.startsWith(`'${lead}`), `${JSON.stringify(actor)} -> ${JSON.stringify(cell)}`).toBe(true);
    }
    expect(auditPage(ws.db, 0, 4)).toMatchObject({ total: 6 });
    expect(auditPage(ws.db, 0, 4).rows.map((r) => r.seq)).toEqual([6, 5, 4, 3]);
  });
});
