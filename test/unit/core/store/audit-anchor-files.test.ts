// The audit head travels in the files Ringside writes: a field pack, the results made from it, and the report.
import { beforeAll, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { decryptPack, parseResults } from '../../../../core/field/format.js';
import { resultsFromPack } from '../../../../core/field/merge.js';
import { createPack } from '../../../../core/field/packs.js';
import { report } from '../../../../core/report/report.js';
import { currentAnchor, parseReceipt } from '../../../../core/store/audit.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { fieldWorkspace, T0 } from '../field/helpers.js';

let SQL: SqlJsStatic;
const PASS = 'correct horse battery staple';
beforeAll(async () => {
  SQL = await loadSqlJs();
});

test('a pack carries the audit head as it stood when the pack was made, and its results file carries it back', async () => {
  const ws = await fieldWorkspace(SQL);
  const pack = await createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-26', technician: 'tech-a' });
  const p = await decryptPack(pack.bytes, PASS, T0);
  // Sealed just before its own pack.create entry: the head is the entry before that one, by count and by hash.
  const after = currentAnchor(ws.db);
  expect(p.audit!.count).toBe(after.count - 1);
  const row = ws.db.get<{ hash: string; action: string }>('SELECT hash, action FROM audit WHERE seq = ?', [
    p.audit!.count,
  ])!;
  expect(p.audit!.head).toBe(row.hash);
  expect(p.audit!.mac).toMatch(/^[0-9a-f]{32}$/);
  expect(ws.db.get<{ action: string }>('SELECT action FROM audit WHERE seq = ?', [after.count])!.action).toBe(
    'pack.create',
  );
  const results = await resultsFromPack(pack.bytes, PASS, T0 + 3_600_000, 'tech-a', [
    { host: 'PC-1', result: 'fixed' },
  ]);
  expect(parseResults(results).body.audit).toEqual(p.audit);
});

test('the report ends with an audit receipt of the current head, which parses back to it', async () => {
  const ws = await fieldWorkspace(SQL);
  const r = report(ws, T0);
  const head = currentAnchor(ws.db);
  const parsed = parseReceipt(r.auditReceipt);
  expect(parsed).toMatchObject({ count: head.count, head: head.head });
  expect(r.markdown).toContain('## Audit receipt');
  expect(r.markdown).toContain(r.auditReceipt);
});
