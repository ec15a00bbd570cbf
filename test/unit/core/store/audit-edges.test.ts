// Audit rules at their edges: inclusive time filters, the page size bounds, receipts and anchors that just agree or
// just do not, the wording of one missing entry against several; expected values worked out by hand.
import { beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { auditPage, verifyAudit } from '../../../../core/store/audit.js';
import type { Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { workspaceLog } from './audit-fixture.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

/** A keyed log of n entries, one second apart (entry i at T0 + i s), alternating two actions. */
const withLog = (n: number) => workspaceLog(SQL, n);
const atOf = (ws: Workspace, seq: number) => ws.db.value<number>('SELECT at FROM audit WHERE seq = ?', [seq])!;

describe('audit page filters: from and to are inclusive', () => {
  test('an entry exactly at from or to is in; one millisecond outside is out', async () => {
    const ws = await withLog(5);
    const a2 = atOf(ws, 2);
    const a4 = atOf(ws, 4);
    expect(auditPage(ws.db, 0, 50, { from: a2, to: a4 }).rows.map((r) => r.seq)).toEqual([4, 3, 2]);
    expect(auditPage(ws.db, 0, 50, { from: a2 + 1, to: a4 - 1 }).rows.map((r) => r.seq)).toEqual([3]);
  });

  test('a non-finite bound is no bound', async () => {
    const ws = await withLog(3);
    expect(auditPage(ws.db, 0, 50, { from: NaN, to: Infinity }).total).toBe(
      ws.db.value<number>('SELECT count(*) FROM audit'),
    );
  });

  test('an unknown action group is refused by name', async () => {
    const ws = await withLog(1);
    expect(() => auditPage(ws.db, 0, 50, { group: 'nope' })).toThrow(/unknown action group "nope"/);
  });
});

describe('audit page size: 1 to 1000 rows, offset from 0', () => {
  test('a limit of 0 or less gives one row; 2.9 gives 2; a negative offset starts at the newest', async () => {
    const ws = await withLog(4);
    const total = ws.db.value<number>('SELECT count(*) FROM audit')!;
    expect(auditPage(ws.db, 0, 0).rows).toHaveLength(1);
    expect(auditPage(ws.db, 0, -5).rows).toHaveLength(1);
    expect(auditPage(ws.db, 0, 2.9).rows).toHaveLength(2);
    expect(auditPage(ws.db, -3, 1).rows[0]!.seq).toBe(total);
    expect(auditPage(ws.db, 1.7, 1).rows[0]!.seq).toBe(total - 1);
  });
});

describe('missing entries are named one or as a range', () => {
  test('one removed entry: "entry 3 is missing"; two: "entries 3–4 are missing"', async () => {
    const one = await withLog(5);
    one.db.run('DELETE FROM audit WHERE seq = 3');
    expect(verifyAudit(one.db).problems[0]).toMatchObject({
      kind: 'missing',
      seq: 4,
      message: 'entry 3 is missing (the next entry is 4): an entry was removed',
    });
    const two = await withLog(5);
    two.db.run('DELETE FROM audit WHERE seq IN (3, 4)');
    expect(verifyAudit(two.db).problems[0]).toMatchObject({
      kind: 'missing',
      seq: 5,
      message: 'entries 3–4 are missing (the next entry is 5): entries were removed',
    });
  });
});
