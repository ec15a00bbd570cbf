// Issue 17: each way of tampering with the audit log is detected, with its exit code; the hash covers the entry's time.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import {
  auditHash,
  auditReceipt,
  acknowledgeAudit,
  exportAudit,
  auditPage,
  verifyAudit,
  verifyAuditLines,
  parseReceipt,
} from '../../../../core/store/audit.js';
import { deriveAuditKey } from '../../../../core/store/audit-key.js';
import { Db } from '../../../../core/store/db.js';
import { audit, openWorkspace } from '../../../../core/workspace.js';
import { main } from '../../../../electron/cli.js';
import { FileKeyStore } from '../../../../electron/node/keystore.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { WS_MATERIAL as MATERIAL, WS_T0 as T0, workspaceLog } from './audit-fixture.js';
import { WorkspaceStorage } from '../../../../electron/storage.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

/** A keyed log of n entries, one second apart (entry i at T0 + i s), alternating two actions. */
const withLog = (n: number) => workspaceLog(SQL, n);

describe('each tampering is detected', () => {
  test('altered entry: exit 1', async () => {
    const ws = await withLog(8);
    expect(verifyAudit(ws.db)).toMatchObject({ ok: true, entries: 8, keyed: 8, exitCode: 0 });
    ws.db.run(`UPDATE audit SET detail = '{"i":99}' WHERE seq = 4`);
    const v = verifyAudit(ws.db);
    expect(v).toMatchObject({ ok: false, exitCode: 1, firstBroken: { seq: 4 } });
    expect(v.problems[0]!.kind).toBe('altered');
  });

  test('deleted in the middle: exit 1, "missing" in words', async () => {
    const ws = await withLog(8);
    ws.db.run('DELETE FROM audit WHERE seq = 5');
    const v = verifyAudit(ws.db);
    expect(v).toMatchObject({ ok: false, exitCode: 1 });
    expect(v.problems[0]).toMatchObject({ kind: 'missing', seq: 6 });
    expect(v.problems[0]!.message).toMatch(/entry 5 is missing/);
  });

  test('deleted tail: exit 3, caught by the keyed anchor outside the table', async () => {
    const ws = await withLog(8);
    ws.db.run('DELETE FROM audit WHERE seq >= 7');
    const v = verifyAudit(ws.db);
    expect(v).toMatchObject({ ok: false, exitCode: 3, entries: 6 });
    expect(v.problems[0]).toMatchObject({ kind: 'tail-cut' });
    expect(v.problems[0]!.message).toMatch(/holds 6 entries but workspace metadata recorded 8/);
    // New entries after the cut do not hide it: the anchor stays where it was until acknowledged.
    await audit(ws, 'import', { later: true });
    await audit(ws, 'import', { later: true });
    expect(verifyAudit(ws.db).problems.map((p) => p.kind)).toEqual(['rewritten']);
  });

  test('reordered entries: exit 1, "reordered" in words', async () => {
    const ws = await withLog(8);
    // Swap entries 3 and 4 by their seq numbers.
    ws.db.run('UPDATE audit SET seq = -3 WHERE seq = 3');
    ws.db.run('UPDATE audit SET seq = 3 WHERE seq = 4');
    ws.db.run('UPDATE audit SET seq = 4 WHERE seq = -3');
    const v = verifyAudit(ws.db);
    expect(v).toMatchObject({ ok: false, exitCode: 1 });
    expect(v.problems[0]).toMatchObject({ kind: 'reordered', seq: 3 });
  });

  test('whole chain rewritten without the key (plain hashes, labels kept or dropped): exit 1', async () => {
    for (const relabel of [false, true]) {
      const ws = await withLog(6);
      const rows = ws.db.all<{ seq: number; at: number; actor: string; action: string; detail: string }>(
        'SELECT seq, at, actor, action, detail FROM audit ORDER BY seq',
      );
      let prev = '0'.repeat(64);
      for (const r of rows) {
        const e = { ...r, actor: 'mallory', prev_hash: prev };
        const hash = auditHash(e);
        ws.db.run('UPDATE audit SET actor = ?, prev_hash = ?, hash = ?, alg = ? WHERE seq = ?', [
          'mallory',
          prev,
          hash,
          relabel ? 'sha256' : 'hmac-sha256',
          r.seq,
        ]);
        prev = hash;
      }
      const v = verifyAudit(ws.db);
      expect(v.ok).toBe(false);
      expect(v.exitCode).toBe(1);
      expect(v.problems[0]!.kind).toBe(relabel ? 'downgraded' : 'altered');
    }
  });

  test("the audit hash no longer covering the entry's time, so back-dating goes unseen: caught", async () => {
    // Rule: "the audit hash no longer covering the entry's time, so back-dating goes unseen" must fail this test.
    const ws = await withLog(5);
    ws.db.run('UPDATE audit SET at = at - 86400000 WHERE seq = 3');
    expect(verifyAudit(ws.db)).toMatchObject({ ok: false, firstBroken: { seq: 3 } });
    const plain = { seq: 1, at: T0, actor: 'a', action: 'x', detail: '{}', prev_hash: '0'.repeat(64) };
    expect(auditHash({ ...plain, at: T0 - 1 })).not.toBe(auditHash(plain));
  });
});

describe('migration of an old plain log', () => {
  test('old entries keep their plain hashes; the key change is itself a keyed entry', async () => {
    const db = Db.open(SQL);
    db.run("INSERT INTO meta(key, value) VALUES ('workspace_id', 'old-ws')");
    let prev = '0'.repeat(64);
    for (let seq = 1; seq <= 3; seq++) {
      const e = { seq, at: T0 + seq, actor: 'u', action: 'import', detail: '{}', prev_hash: prev };
      const hash = auditHash(e);
      db.run('INSERT INTO audit(seq, at, actor, action, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?)', [
        seq,
        e.at,
        e.actor,
        e.action,
        e.detail,
        prev,
        hash,
      ]);
      prev = hash;
    }
    const ws = await openWorkspace({ SQL, bytes: db.export(), keyMaterial: MATERIAL, now: () => T0 + 10 });
    const last = ws.db.get<{ action: string; alg: string; detail: string }>(
      'SELECT action, alg, detail FROM audit ORDER BY seq DESC LIMIT 1',
    )!;
    expect(last).toMatchObject({ action: 'audit.keyed', alg: 'hmac-sha256' });
    expect(JSON.parse(last.detail)).toMatchObject({ from: 'sha256', to: 'hmac-sha256', plainEntries: 3 });
    expect(verifyAudit(ws.db)).toMatchObject({ ok: true, entries: 4, plain: 3, keyed: 1 });
    // Opening again does not upgrade twice.
    const again = await openWorkspace({ SQL, bytes: ws.db.export(), keyMaterial: MATERIAL });
    expect(verifyAudit(again.db)).toMatchObject({ ok: true, entries: 4 });
    // A different key cannot verify the keyed entry.
    const wrong = await openWorkspace({ SQL, bytes: ws.db.export(), keyMaterial: new Uint8Array(32).fill(1) });
    expect(verifyAudit(wrong.db)).toMatchObject({ ok: false, exitCode: 1, firstBroken: { seq: 4 } });
  });
});

describe('receipts, acknowledgement, filters, export', () => {
  test('a receipt checks the head; a cut tail then fails --expect; acknowledgement is audited', async () => {
    const ws = await withLog(6);
    const r = auditReceipt(ws.db, T0);
    expect(verifyAudit(ws.db, { expect: parseReceipt(r.text) }).ok).toBe(true);
    await audit(ws, 'import', {});
    expect(verifyAudit(ws.db, { expect: parseReceipt(r.text) }).ok).toBe(true);
    ws.db.run('DELETE FROM audit WHERE seq >= 5');
    ws.db.run("UPDATE meta SET value = ? WHERE key = 'audit_anchor'", [
      JSON.stringify({
        count: 4,
        head: ws.db.value<string>('SELECT hash FROM audit WHERE seq = 4'),
        mac: 'f'.repeat(32),
      }),
    ]);
    const v = verifyAudit(ws.db, { expect: parseReceipt(r.text) });
    expect(v.problems.map((p) => p.kind)).toEqual(['anchor-invalid', 'receipt-mismatch']);
    expect(v.exitCode).toBe(3);
    await expect(acknowledgeAudit(ws.db, { at: T0, actor: 'lead', note: '' })).rejects.toThrow(/few words/);
  });

  test('acknowledging a cut tail records it and the log verifies again', async () => {
    const ws = await withLog(6);
    ws.db.run('DELETE FROM audit WHERE seq = 6');
    const after = await acknowledgeAudit(ws.db, { at: T0, actor: 'lead', note: 'restored from backup' });
    expect(after.ok).toBe(true);
    const ack = ws.db.get<{ action: string; actor: string; detail: string }>(
      "SELECT action, actor, detail FROM audit WHERE action = 'audit.acknowledge'",
    )!;
    expect(ack.actor).toBe('lead');
    expect(JSON.parse(ack.detail)).toMatchObject({ anchoredCount: 6, foundCount: 5, note: 'restored from backup' });
  });

  test('filters by action group, actor and time; the export carries its receipt', async () => {
    const ws = await withLog(6);
    expect(auditPage(ws.db, 0, 50, { group: 'key-reveals' }).total).toBe(3);
    const from = ws.db.value<number>('SELECT at FROM audit WHERE seq = 4')!;
    expect(auditPage(ws.db, 0, 50, { group: 'packs', from }).rows.map((r) => r.seq)).toEqual([6, 4]);
    expect(auditPage(ws.db, 0, 50, { actor: 'nobody' }).total).toBe(0);
    const text = exportAudit(ws.db, 'jsonl', { now: T0 });
    expect(text.trim().split('\n').at(-1)).toMatch(/"receipt":"RINGSIDE-AUDIT-1 ws=/);
    const key = await deriveAuditKey(MATERIAL);
    expect(verifyAuditLines(text, key)).toMatchObject({ ok: true, entries: 6 });
    const cut = text
      .split('\n')
      .filter((l, i) => i !== 5)
      .join('\n');
    expect(verifyAuditLines(cut, key)).toMatchObject({ ok: false, exitCode: 3 });
    expect(exportAudit(ws.db, 'csv', { now: T0 })).toMatch(/# receipt RINGSIDE-AUDIT-1/);
  });
});

describe('CLI exit codes on files', () => {
  let dir: string;
  const prevHome = process.env.RINGSIDE_HOME;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-audit-'));
    process.env.RINGSIDE_HOME = path.join(dir, 'home');
  });
  afterAll(() => {
    process.env.RINGSIDE_HOME = prevHome;
    rmSync(dir, { recursive: true, force: true });
  });
  async function run(...argv: string[]) {
    let out = '';
    let err = '';
    const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
    return { code, out, err };
  }

  test('restoring an older snapshot is caught by the snapshot anchor file (exit 3) and by a receipt (--expect)', async () => {
    const file = path.join(dir, 'w.ringside');
    const storage = new WorkspaceStorage();
    const ws = await openWorkspace({ SQL, keyMaterial: (id) => new FileKeyStore().get(id), actor: 't' });
    for (let i = 0; i < 3; i++) await audit(ws, 'import', { i });
    await storage.save(file, ws.db, 0);
    copyFileSync(file, path.join(dir, 'old.ringside'));
    await audit(ws, 'key.reveal', { keyId: 'x' });
    await storage.save(file, ws.db, 0);
    const receipt = (await run('audit', 'receipt', file)).out.trim().split('\n').at(-1)!;
    expect(await run('audit', 'verify', file)).toMatchObject({ code: 0 });
    copyFileSync(path.join(dir, 'old.ringside'), file);
    const res = await run('audit', 'verify', file, '--json');
    expect(res.code).toBe(3);
    expect(JSON.parse(res.out)).toMatchObject({ ok: false, problems: [{ kind: 'tail-cut' }] });
    expect(JSON.parse(res.out).problems[0].message).toMatch(/snapshot anchor file recorded 4/);
    const withReceipt = await run('audit', 'verify', file, '--expect', receipt);
    expect(withReceipt.code).toBe(3);
    expect(withReceipt.err).toMatch(/receipt-mismatch/);
    expect((await run('audit', 'verify', file, '--expect', 'nonsense')).code).toBe(2);
  });
});
