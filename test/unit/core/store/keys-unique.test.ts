// Migration 039: a key's uniqueness as a named index a bulk key load drops and builds again, keys kept unique meanwhile.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFile } from '../../../../core/ingest/index.js';
import { KeyVault } from '../../../../core/secrets/key-vault.js';
import { SEALED_KEY_COLUMNS, type SealedKeyRef } from '../../../../core/store/keys.js';
import type { Workspace } from '../../../../core/workspace.js';
import { rows } from '../analysis/analysis-dump.js';
import { open } from './open-workspace.js';

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
const keyId = (i: number) => `${hex(i, 8)}-0000-4000-8000-${hex(i, 12)}`;
/** Key i's recovery password (salt: a rotated one): 8 groups, each a multiple of 11 below 720896. */
const pw = (i: number, salt = 0) =>
  Array.from({ length: 8 }, (_, g) => String((((i * 8 + g + salt) % 65000) + 1) * 11).padStart(6, '0')).join('-');
const csv = (keys: Array<{ i: number; salt?: number }>) =>
  new TextEncoder().encode(
    [
      'Hostname,KeyID,RecoveryKey,Directory',
      ...keys.map((k) => `PC-${k.i},{${keyId(k.i)}},${pw(k.i, k.salt)},EntraID`),
      '',
    ].join('\n'),
  );
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => ({ i: a + k }));
/** What the import recorded as duplicates (the import view and `ringside import` report it). */
const dups = (ws: Workspace, importId: number | null) =>
  ws.db.value<number>('SELECT duplicates FROM imports WHERE id = ?', [importId]);
const indexSql = (ws: Workspace, name: string) =>
  ws.db.value<string>("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", [name]) ?? null;

describe('keys unique through ux_keys_key_fp (migration 039)', () => {
  it('a bulk key file drops the index, skips the duplicates itself, and the index is built again', async () => {
    const ws = await open();
    await importFile(ws, inputFromBytes('first.csv', csv(range(0, 1000))));
    // 6,000 rows against 1,000 on file: a bulk load. In it: keys 500..999 again (on file: duplicates), keys 1000..5999,
    // key 1000 twice more in the file itself (duplicates), key 1001 with a rotated password (a new row), then that
    // rotated password and the first one again (duplicates of a key ID that now has two passwords).
    const second = [
      ...range(500, 6000),
      { i: 1000 },
      { i: 1000 },
      { i: 1001, salt: 5 },
      { i: 1001, salt: 5 },
      { i: 1001 },
    ];
    const timings: Record<string, number> = {};
    const r = await importFile(ws, inputFromBytes('second.csv', csv(second)), { timings });
    expect(timings['index:ux_keys_key_fp']).toBeGreaterThanOrEqual(0);
    expect(dups(ws, r.importId)).toBe(500 + 2 + 2);
    expect(ws.db.value('SELECT COUNT(*) FROM keys')).toBe(6000 + 1);
    expect(ws.db.value('SELECT COUNT(*) FROM keys WHERE key_id = ?', [keyId(1001)])).toBe(2);
    expect(indexSql(ws, 'ux_keys_key_fp')).toBe('CREATE UNIQUE INDEX ux_keys_key_fp ON keys(key_id, fingerprint)');
    expect(ws.db.value('PRAGMA integrity_check')).toBe('ok');
    // The rule still holds row by row once the index is back: the same file again (other bytes) adds nothing.
    const again = await importFile(ws, inputFromBytes('third.csv', csv([{ i: 1001, salt: 5 }, { i: 3 }])));
    expect(dups(ws, again.importId)).toBe(2);
    expect(ws.db.value('SELECT COUNT(*) FROM keys')).toBe(6001);
    // In file order: key 1001 from the first part, key 5999, then the rotated 1001 the file ends with.
    const vault = new KeyVault(ws.db, ws.box);
    const refs = ws.db.all<SealedKeyRef>(`SELECT ${SEALED_KEY_COLUMNS} FROM keys WHERE key_id IN (?, ?) ORDER BY id`, [
      keyId(1001),
      keyId(5999),
    ]);
    expect(await Promise.all(refs.map((k) => vault.reveal(k)))).toEqual([pw(1001), pw(5999), pw(1001, 5)]);
  }, 60_000);

  it('an image with the constraint written into the table opens with the named index, every key row as it was', async () => {
    const ws = await open();
    await importFile(ws, inputFromBytes('k.csv', csv([...range(0, 40), { i: 7, salt: 3 }])));
    const before = rows(ws, 'SELECT * FROM keys ORDER BY id');
    // The table as 001 made it (UNIQUE inside), 039 not recorded.
    const cols =
      'id, device_id, key_id, host_hint, secret, fingerprint, valid, problem, volume_type, created_at, import_id, line, seal, chunk_id, slot';
    ws.db
      .run(`CREATE TABLE keys_old(id INTEGER PRIMARY KEY, device_id INTEGER REFERENCES devices(id), key_id TEXT NOT NULL,
      host_hint TEXT, secret BLOB NOT NULL, fingerprint TEXT NOT NULL, valid INTEGER NOT NULL, problem TEXT, volume_type TEXT,
      created_at INTEGER, import_id INTEGER REFERENCES imports(id), line INTEGER, seal INTEGER NOT NULL DEFAULT 1,
      chunk_id INTEGER REFERENCES key_chunks(id), slot INTEGER, UNIQUE(key_id, fingerprint))`);
    ws.db.run(`INSERT INTO keys_old(${cols}) SELECT ${cols} FROM keys`);
    ws.db.run('DROP TABLE keys');
    ws.db.run('ALTER TABLE keys_old RENAME TO keys');
    ws.db.run('CREATE INDEX ix_keys_chunk ON keys(chunk_id, slot) WHERE chunk_id IS NOT NULL');
    ws.db.run('CREATE INDEX ix_keys_device ON keys(device_id)');
    ws.db.run('DELETE FROM schema_migrations WHERE version = 39');
    expect(ws.db.value("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_autoindex_keys_1'")).toBe(1);
    const old = await open(ws.db.export());
    expect(old.db.value("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_keys%'")).toBe(0);
    expect(indexSql(old, 'ux_keys_key_fp')).not.toBeNull();
    expect(indexSql(old, 'ix_keys_chunk')).not.toBeNull();
    expect(indexSql(old, 'ix_keys_device')).not.toBeNull();
    expect(old.db.value('SELECT COUNT(*) FROM schema_migrations WHERE version = 39')).toBe(1);
    expect(old.db.value('PRAGMA integrity_check')).toBe('ok');
    expect(rows(old, 'SELECT * FROM keys ORDER BY id')).toEqual(before);
    const vault = new KeyVault(old.db, old.box);
    const seven = old.db.all<SealedKeyRef>(`SELECT ${SEALED_KEY_COLUMNS} FROM keys WHERE key_id = ? ORDER BY id`, [
      keyId(7),
    ]);
    expect(await Promise.all(seven.map((k) => vault.reveal(k)))).toEqual([pw(7), pw(7, 3)]);
    // A duplicate is still refused by the table itself, whatever writes it.
    expect(() =>
      old.db
        .run(`INSERT INTO keys(${cols}) SELECT NULL, device_id, key_id, host_hint, secret, fingerprint, valid, problem,
        volume_type, created_at, import_id, line, seal, chunk_id, slot FROM keys WHERE id = 1`),
    ).toThrow(/UNIQUE/);
  }, 60_000);
});
