// BitLocker keys sealed in chunks: round trip, duplicates and changed keys, tamper refused, packs per site, audit.
import { readFileSync } from 'node:fs';
import type { SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { decryptPack } from '../../../../core/field/format.js';
import { createPack } from '../../../../core/field/packs.js';
import { importFile } from '../../../../core/ingest/index.js';
import { generateScripts } from '../../../../core/remediation/generate.js';
import { KEY_CHUNK, KeyVault } from '../../../../core/secrets/key-vault.js';
import { SEALED_KEY_COLUMNS, type SealedKeyRef } from '../../../../core/store/keys.js';
import { schemaVersion } from '../../../../core/store/migrate.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { fieldWorkspace, T0 } from '../field/helpers.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

const enc = new TextEncoder();
const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
const keyId = (i: number) => `${hex(i, 8)}-0000-4000-8000-${hex(i, 12)}`;
/** Key i's recovery password: 8 groups, each 11 × (something ≤ 65000), so below 720896 and a multiple of 11. */
const pw = (i: number, salt = 0) =>
  Array.from({ length: 8 }, (_, g) => String((((i * 8 + g + salt) % 65000) + 1) * 11).padStart(6, '0')).join('-');

function keysCsv(rows: Array<{ i: number; host: string; salt?: number }>): Uint8Array {
  const lines = rows.map((r) => `${r.host},{${keyId(r.i).toUpperCase()}},${pw(r.i, r.salt)},EntraID`);
  return enc.encode(['Hostname,KeyID,RecoveryKey,Directory', ...lines, ''].join('\n'));
}

async function freshWs(): Promise<Workspace> {
  return openWorkspace({ SQL, keyMaterial: new Uint8Array(32).fill(9), now: () => T0 });
}

const refs = (ws: Workspace, where = '1') =>
  ws.db.all<SealedKeyRef & { id: number }>(`SELECT id, ${SEALED_KEY_COLUMNS} FROM keys WHERE ${where} ORDER BY id`);

describe('keys sealed in chunks', () => {
  it('seals 300 keys in two chunks; each key reveals alone; no password at rest', async () => {
    const ws = await freshWs();
    const rows = Array.from({ length: 300 }, (_, n) => ({ i: n + 1, host: `PC-${n + 1}` }));
    const r = await importFile(ws, inputFromBytes('bitlocker-keys.csv', keysCsv(rows)));
    expect(r.imported).toBe(300);
    expect(KEY_CHUNK).toBe(256);
    // 300 keys = one full chunk of 256 and one of 44.
    expect(ws.db.all('SELECT count(*) AS n FROM keys GROUP BY chunk_id ORDER BY chunk_id')).toEqual([
      { n: 256 },
      { n: 44 },
    ]);
    // Seal 3 (migration 27): the chunks store no bound list; their rows are it.
    expect(ws.db.value("SELECT count(*) FROM keys WHERE seal <> 3 OR secret <> x''")).toBe(0);
    expect(ws.db.value("SELECT count(*) FROM key_chunks WHERE bound <> ''")).toBe(0);
    const vault = new KeyVault(ws.db, ws.box);
    const all = refs(ws);
    for (const k of [all[0]!, all[255]!, all[256]!, all[299]!]) {
      const i = parseInt(k.key_id.slice(0, 8), 16);
      expect(await vault.reveal(k)).toBe(pw(i));
    }
    const image = new TextDecoder('latin1').decode(ws.db.raw.export());
    expect(image.includes(pw(1))).toBe(false);
    expect(image.includes(pw(300).slice(0, 20))).toBe(false);
  });

  it('a re-import of the same keys adds no row and leaves no chunk; a changed key is a new row beside the old', async () => {
    const ws = await freshWs();
    const rows = [1, 2, 3].map((i) => ({ i, host: `PC-${i}` }));
    await importFile(ws, inputFromBytes('keys-a.csv', keysCsv(rows)));
    // Reversed, so the file is not the same bytes (a file imported twice is skipped whole, before any row).
    await importFile(ws, inputFromBytes('keys-b.csv', keysCsv([...rows].reverse())));
    expect(ws.db.value('SELECT count(*) FROM keys')).toBe(3);
    expect(ws.db.value('SELECT count(*) FROM key_chunks')).toBe(1);
    // Key 2 rotated on the device and exported again: same ID, new password (salt 5).
    await importFile(
      ws,
      inputFromBytes(
        'keys-c.csv',
        keysCsv([
          { i: 1, host: 'PC-1' },
          { i: 2, host: 'PC-2', salt: 5 },
        ]),
      ),
    );
    expect(ws.db.value('SELECT count(*) FROM key_chunks')).toBe(2);
    const two = refs(ws, `key_id = '${keyId(2)}'`);
    expect(two).toHaveLength(2);
    const vault = new KeyVault(ws.db, ws.box);
    expect(await vault.reveal(two[0]!)).toBe(pw(2));
    expect(await vault.reveal(two[1]!)).toBe(pw(2, 5));
    // The new chunk holds only the changed key: key 1 was a duplicate and took no slot.
    expect(two[1]!.slot).toBe(0);
    expect(ws.db.all('SELECT key_id, host_hint, slot FROM keys WHERE chunk_id = ?', [two[1]!.chunk_id])).toEqual([
      { key_id: keyId(2), host_hint: 'PC-2', slot: 0 },
    ]);
  });

  describe('tampering is refused, and the refusal names no password', () => {
    async function twoKeys() {
      const ws = await freshWs();
      await importFile(
        ws,
        inputFromBytes(
          'k.csv',
          keysCsv([
            { i: 1, host: 'PC-1' },
            { i: 2, host: 'PC-2' },
          ]),
        ),
      );
      return { ws, rows: refs(ws) };
    }
    async function refusal(ws: Workspace, ref: SealedKeyRef): Promise<string> {
      const err = await new KeyVault(ws.db, ws.box).reveal(ref).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).not.toMatch(/\d{6}-\d{6}/);
      return err!.message;
    }

    it('a flipped byte in the sealed chunk', async () => {
      const { ws, rows } = await twoKeys();
      const sealed = ws.db.value<Uint8Array>('SELECT sealed FROM key_chunks')!;
      sealed[5]! ^= 1;
      ws.db.run('UPDATE key_chunks SET sealed = ?', [sealed]);
      expect(await refusal(ws, rows[0]!)).toMatch(/^key \{00000001-.*chunk \d+ does not open/);
    });

    it('a flipped byte in the nonce', async () => {
      const { ws, rows } = await twoKeys();
      const nonce = ws.db.value<Uint8Array>('SELECT nonce FROM key_chunks')!;
      nonce[0]! ^= 0x80;
      ws.db.run('UPDATE key_chunks SET nonce = ?', [nonce]);
      expect(await refusal(ws, rows[1]!)).toMatch(/does not open/);
    });

    it('an edited key ID in one row of the chunk (its rows are the authenticated list): the chunk stays shut', async () => {
      const { ws, rows } = await twoKeys();
      ws.db.run('UPDATE keys SET key_id = ? WHERE key_id = ?', [keyId(3), keyId(2)]);
      // Key 1's row is untouched, but the list its chunk was sealed with is not what the rows say now.
      expect(await refusal(ws, rows[0]!)).toMatch(/^key \{00000001-.*chunk \d+ does not open/);
    });

    it('rows swapped onto each other’s slots', async () => {
      const { ws, rows } = await twoKeys();
      expect(await new KeyVault(ws.db, ws.box).reveal(rows[0]!)).toBe(pw(1));
      // Row 1 now points at key 2's sealed password: in slot order the rows list key 2 first, not what was sealed.
      ws.db.run('UPDATE keys SET slot = 1 - slot');
      const moved = refs(ws);
      expect(await refusal(ws, moved[0]!)).toMatch(/does not open/);
      expect(await refusal(ws, moved[1]!)).toMatch(/does not open/);
    });

    it('a row moved onto a slot another row holds, or a row deleted: a missing, added or moved row', async () => {
      const { ws, rows } = await twoKeys();
      ws.db.run('UPDATE keys SET slot = 0');
      expect(await refusal(ws, rows[0]!)).toMatch(/chunk \d+ has a missing, added or moved key row/);
      const other = await twoKeys();
      other.ws.db.run('DELETE FROM keys WHERE key_id = ?', [keyId(1)]);
      // Key 2 is now alone in its chunk, at slot 1: its slot 0 row is gone.
      expect(await refusal(other.ws, other.rows[1]!)).toMatch(/has a missing, added or moved key row/);
    });

    it('a row whose device hint was changed to another machine', async () => {
      const { ws } = await twoKeys();
      ws.db.run("UPDATE keys SET host_hint = 'PC-2' WHERE key_id = ?", [keyId(1)]);
      expect(await refusal(ws, refs(ws)[0]!)).toMatch(/does not open/);
    });

    it('a row whose own copy of its key ID differs from its chunk’s rows (a stale reference) is refused', async () => {
      const { ws, rows } = await twoKeys();
      expect(await refusal(ws, { ...rows[0]!, key_id: keyId(2) })).toMatch(/does not match its sealed chunk/);
    });

    it('a row relabelled to the older seal-2 format', async () => {
      const { ws } = await twoKeys();
      ws.db.run('UPDATE keys SET seal = 2');
      // A seal-2 chunk's list would be key_chunks.bound, empty here: it is not JSON, and not what was sealed.
      expect(await refusal(ws, refs(ws)[0]!)).toMatch(/does not open/);
    });

    it('a chunk opened under another workspace key', async () => {
      const { ws, rows } = await twoKeys();
      const other = await openWorkspace({ SQL, bytes: ws.db.raw.export(), keyMaterial: new Uint8Array(32).fill(8) });
      expect(await refusal(other, rows[0]!)).toMatch(/another workspace key/);
    });
  });

  it('a field pack carries only its site’s keys, though one chunk holds both sites', async () => {
    const ws = await fieldWorkspace(SQL);
    // PC-1..6 are at LON, PC-7..8 at NYC (helpers.ts); one file, so one chunk with both sites' keys.
    const r = await importFile(
      ws,
      inputFromBytes('k.csv', keysCsv([1, 7, 2, 8].map((n) => ({ i: 100 + n, host: `PC-${n}` })))),
    );
    expect(r.imported).toBe(4);
    expect(ws.db.value('SELECT count(DISTINCT chunk_id) FROM keys WHERE seal = 3')).toBe(1);
    const pass = 'correct horse battery staple';
    const pack = await createPack(ws, { site: 'LON', passphrase: pass, expiresAt: '2024-07-26' });
    const p = await decryptPack(pack.bytes, pass, T0);
    const carried = p.devices.flatMap((d) => d.keys.map((k) => k.recoveryPassword));
    expect(carried).toContain(pw(101));
    expect(carried).toContain(pw(102));
    const text = JSON.stringify(p);
    for (const nyc of [107, 108]) {
      expect(text.includes(pw(nyc))).toBe(false);
      expect(text.includes(keyId(nyc))).toBe(false);
    }
    // The pack is audited with its key IDs (never passwords), and its keys go on the rotation list.
    const detail = ws.db.value<string>("SELECT detail FROM audit WHERE action = 'pack.create'")!;
    expect(JSON.parse(detail).keyIds).toEqual(expect.arrayContaining([keyId(101), keyId(102)]));
    expect(detail).not.toMatch(/\d{6}-\d{6}/);
    expect(ws.db.value("SELECT count(*) FROM key_rotation WHERE reason = 'packed' AND key_id = ?", [keyId(101)])).toBe(
      1,
    );
  });
});

describe('migration 27: the index a seal-3 reveal reads its chunk by', () => {
  it('the chunk’s rows are searched through ix_keys_chunk, never by a scan of every key', async () => {
    const ws = await freshWs();
    const plan = ws.db.all<{ detail: string }>(
      'EXPLAIN QUERY PLAN SELECT key_id, host_hint, slot FROM keys WHERE chunk_id = ? ORDER BY slot, id',
      [1],
    );
    expect(plan.map((p) => p.detail)).toEqual(['SEARCH keys USING INDEX ix_keys_chunk (chunk_id=?)']);
  });
});

describe('the audited reveal: scripts with keys', () => {
  it('a script for one site carries its chunk-sealed keys, the generation audits their IDs, other sites stay sealed', async () => {
    const ws = await fieldWorkspace(SQL);
    await importFile(ws, inputFromBytes('k.csv', keysCsv([1, 7].map((n) => ({ i: 200 + n, host: `PC-${n}` })))));
    const b = await generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'winre-cmd',
      target: { site: 'LON' },
      withKeys: true,
    });
    const text = b.files.map((f) => f.content).join('\n');
    expect(text).toContain(pw(201));
    expect(text).not.toContain(pw(207));
    const detail = ws.db.value<string>("SELECT detail FROM audit WHERE action = 'keys.include'")!;
    // Scripts name key IDs in upper case, as manage-bde prints them.
    expect(JSON.parse(detail).keyIds).toContain(keyId(201).toUpperCase());
    expect(JSON.parse(detail).keyIds).not.toContain(keyId(207).toUpperCase());
    expect(detail).not.toMatch(/\d{6}-\d{6}/);
  });
});

describe('a workspace written before the chunked format (test/fixtures/keys-v1)', () => {
  const fixture = new URL('../../../fixtures/keys-v1/keys-v1.sqlite', import.meta.url);
  async function openOld() {
    return openWorkspace({
      SQL,
      bytes: new Uint8Array(readFileSync(fixture)),
      keyMaterial: new Uint8Array(32).fill(0x5a),
      now: () => Date.UTC(2024, 6, 20),
    });
  }

  it('opens, is migrated, and its keys reveal', async () => {
    const ws = await openOld();
    expect(schemaVersion(ws.db)).toBeGreaterThanOrEqual(23);
    const rows = refs(ws);
    expect(rows.map((r) => [r.key_id, r.seal, r.chunk_id])).toEqual([
      ['11111111-aaaa-4aaa-8aaa-000000000001', 1, null],
      ['22222222-bbbb-4bbb-8bbb-000000000002', 1, null],
      ['33333333-cccc-4ccc-8ccc-000000000003', 1, null],
    ]);
    const vault = new KeyVault(ws.db, ws.box);
    // The passwords written in test/fixtures/keys-v1/inputs.ts when the fixture was made.
    expect(await vault.reveal(rows[0]!)).toBe('111111-222222-333333-444444-555555-666666-000011-000022');
    expect(await vault.reveal(rows[1]!)).toBe('000110-000220-000330-000440-000550-000660-000770-000880');
    expect(await vault.reveal(rows[2]!)).toBe('111111-222222-333333-444444-555555-666666-777777-000011');
    // The fingerprints stored by the WebCrypto HMAC of that time are what today's synchronous HMAC computes.
    const stored = ws.db.all<{ fingerprint: string }>('SELECT fingerprint FROM keys ORDER BY id');
    expect(stored.map((r) => r.fingerprint)).toEqual(
      [
        '111111-222222-333333-444444-555555-666666-000011-000022',
        '000110-000220-000330-000440-000550-000660-000770-000880',
        '111111-222222-333333-444444-555555-666666-777777-000011',
      ].map((p) => ws.box.fingerprintSync(p)),
    );
  });

  it('takes new keys in the new format beside the old, and re-importing an old key is still a duplicate', async () => {
    const ws = await openOld();
    const old =
      'LON-PC-0001,{11111111-AAAA-4AAA-8AAA-000000000001},111111-222222-333333-444444-555555-666666-000011-000022,EntraID';
    const added =
      'LON-PC-0001,{44444444-DDDD-4DDD-8DDD-000000000004},000011-000022-000033-000044-000055-000066-000077-000088,EntraID';
    const r = await importFile(
      ws,
      inputFromBytes('more.csv', enc.encode(['Hostname,KeyID,RecoveryKey,Directory', old, added, ''].join('\n'))),
    );
    expect(r.imported).toBe(2);
    // The fingerprint is the same HMAC as before the migration, so the old key is recognised: one row added.
    const rows = refs(ws);
    expect(rows.map((k) => k.seal)).toEqual([1, 1, 1, 3]);
    const vault = new KeyVault(ws.db, ws.box);
    expect(await vault.reveal(rows[3]!)).toBe('000011-000022-000033-000044-000055-000066-000077-000088');
    expect(await vault.reveal(rows[0]!)).toBe('111111-222222-333333-444444-555555-666666-000011-000022');
  });
});

describe('a workspace written in the seal-2 format, bound list stored (test/fixtures/keys-v2)', () => {
  const fixture = new URL('../../../fixtures/keys-v2/keys-v2.sqlite', import.meta.url);
  // The keys written in test/fixtures/keys-v2/inputs.ts when the fixture was made.
  const K4 = '44444444-aaaa-4aaa-8aaa-000000000004';
  const K5 = '55555555-bbbb-4bbb-8bbb-000000000005';
  const K6 = '66666666-cccc-4ccc-8ccc-000000000006';
  const P4 = '000011-000022-000033-000044-000055-000066-000077-000088';
  const P5 = '000121-000242-000363-000484-000605-000726-000847-000968';
  const P6 = '001111-002222-003333-004444-005555-006666-007777-008888';
  async function openOld() {
    return openWorkspace({
      SQL,
      bytes: new Uint8Array(readFileSync(fixture)),
      keyMaterial: new Uint8Array(32).fill(0x6b),
      now: () => Date.UTC(2024, 6, 20),
    });
  }

  it('opens, is migrated, and its keys reveal from their stored-list chunk', async () => {
    const ws = await openOld();
    expect(schemaVersion(ws.db)).toBeGreaterThanOrEqual(27);
    const rows = refs(ws);
    expect(rows.map((r) => [r.key_id, r.host_hint, r.seal, r.slot])).toEqual([
      [K4, 'LON-PC-0001', 2, 0],
      [K5, 'NYC-PC-0002', 2, 1],
      [K6, null, 2, 2],
    ]);
    expect(JSON.parse(ws.db.value<string>('SELECT bound FROM key_chunks')!)).toEqual([
      [K4, 'LON-PC-0001'],
      [K5, 'NYC-PC-0002'],
      [K6, ''],
    ]);
    const vault = new KeyVault(ws.db, ws.box);
    expect(await vault.reveal(rows[2]!)).toBe(P6);
    expect(await vault.reveal(rows[0]!)).toBe(P4);
    expect(await vault.reveal(rows[1]!)).toBe(P5);
  });

  it('its stored list still guards it: an edited list, or an edited row, is refused', async () => {
    const ws = await openOld();
    const rows = refs(ws);
    ws.db.run("UPDATE keys SET host_hint = 'NYC-PC-0002' WHERE key_id = ?", [K4]);
    const vault = new KeyVault(ws.db, ws.box);
    expect(await vault.reveal(refs(ws)[0]!).catch((e: Error) => e.message)).toMatch(/does not match its sealed chunk/);
    const again = await openOld();
    again.db.run('UPDATE key_chunks SET bound = ?', [
      JSON.stringify([
        [K5, 'NYC-PC-0002'],
        [K4, 'LON-PC-0001'],
        [K6, ''],
      ]),
    ]);
    expect(await new KeyVault(again.db, again.box).reveal(rows[0]!).catch((e: Error) => e.message)).toMatch(
      /does not open/,
    );
  });

  it('takes new keys as seal 3 beside the old, and an old key re-imported is a duplicate', async () => {
    const ws = await openOld();
    const added =
      'LON-PC-0001,{77777777-DDDD-4DDD-8DDD-000000000007},000022-000044-000066-000088-000110-000132-000154-000176,EntraID';
    const r = await importFile(
      ws,
      inputFromBytes(
        'more.csv',
        enc.encode(
          ['Hostname,KeyID,RecoveryKey,Directory', `LON-PC-0001,{${K4.toUpperCase()}},${P4},EntraID`, added, ''].join(
            '\n',
          ),
        ),
      ),
    );
    expect(r.imported).toBe(2);
    const rows = refs(ws);
    expect(rows.map((k) => [k.seal, k.slot])).toEqual([
      [2, 0],
      [2, 1],
      [2, 2],
      [3, 0],
    ]);
    const vault = new KeyVault(ws.db, ws.box);
    expect(await vault.reveal(rows[3]!)).toBe('000022-000044-000066-000088-000110-000132-000154-000176');
    expect(await vault.reveal(rows[0]!)).toBe(P4);
  });
});
