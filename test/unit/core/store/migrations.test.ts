// Migrations from an empty database, the migration ledger, transactions and the audit chain on real sql.js.
import { describe, expect, it } from 'vitest';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { Db } from '../../../../core/store/db.js';
import { migrate, schemaVersion } from '../../../../core/store/migrate.js';
import { migrations } from '../../../../core/store/migrations/index.js';
import { GENESIS } from '../../../../core/store/audit.js';
import { audit, openWorkspace } from '../../../../core/workspace.js';

describe('migrations', () => {
  it('bring an empty database to the latest version and record each one', async () => {
    const db = Db.open(await loadSqlJs());
    const latest = Math.max(...migrations.map((m) => m.version));
    expect(schemaVersion(db)).toBe(latest);
    const rows = db.all<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version).sort((a, b) => a - b));
    for (const table of [
      'devices',
      'device_sources',
      'keys',
      'events',
      'imports',
      'import_errors',
      'results',
      'audit',
      'meta',
    ]) {
      expect(db.value('SELECT count(*) FROM sqlite_master WHERE type = ? AND name = ?', ['table', table])).toBe(1);
    }
    expect(db.value('PRAGMA integrity_check')).toBe('ok');
  });

  it('are idempotent: reopening an exported image applies nothing twice', async () => {
    const SQL = await loadSqlJs();
    const first = Db.open(SQL);
    const image = first.export();
    const second = Db.open(SQL, image);
    expect(migrate(second)).toEqual([]);
    expect(schemaVersion(second)).toBe(schemaVersion(first));
  });

  it('refuse a database whose applied migration was edited afterwards', async () => {
    const db = Db.open(await loadSqlJs());
    db.run("UPDATE schema_migrations SET hash = 'deadbeef' WHERE version = 1");
    expect(() => migrate(db)).toThrow(/migration 1 \(base\) was edited/);
  });
});

describe('Db transactions', () => {
  it('roll back everything on a throw, including nested savepoints', async () => {
    const db = Db.open(await loadSqlJs());
    expect(() =>
      db.tx(() => {
        db.run("INSERT INTO meta(key, value) VALUES ('a', '1')");
        db.tx(() => db.run("INSERT INTO meta(key, value) VALUES ('b', '2')"));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(db.value("SELECT count(*) FROM meta WHERE key IN ('a','b')")).toBe(0);
  });

  it('refuse to export while a write transaction is open', async () => {
    const db = Db.open(await loadSqlJs());
    await expect(
      db.txAsync(async () => {
        db.run("INSERT INTO meta(key, value) VALUES ('x', '1')");
        db.export();
      }),
    ).rejects.toThrow(/write transaction/);
    expect(db.value("SELECT count(*) FROM meta WHERE key = 'x'")).toBe(0);
    expect(db.export().byteLength).toBeGreaterThan(0);
  });
});

describe('audit chain', () => {
  it('links each entry to the hash of the previous one', async () => {
    const ws = await openWorkspace({
      SQL: await loadSqlJs(),
      keyMaterial: new Uint8Array(32).fill(1),
      now: () => 1_721_362_140_000,
    });
    const a = await audit(ws, 'import', { file: 'a.csv' });
    const b = await audit(ws, 'scripts.generate', { devices: 3 });
    expect(a.prev_hash).toBe(GENESIS);
    expect(b.prev_hash).toBe(a.hash);
    expect(b.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('secret box', () => {
  it('seals recovery passwords so the plaintext is not in the workspace image', async () => {
    const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(2) });
    const password = '123456-234567-345675-456786-567897-678908-011110-122221';
    const sealed = await ws.box.seal(password);
    ws.db.run('INSERT INTO meta(key, value) VALUES (?, ?)', ['probe', Array.from(sealed).join(',')]);
    expect(await ws.box.open(sealed)).toBe(password);
    const image = new TextDecoder('latin1').decode(ws.db.export());
    expect(image.includes(password)).toBe(false);
    expect(await ws.box.fingerprint(password)).toBe(await ws.box.fingerprint(password));
  });
});
