// The key vault rule by rule: what a chunk binds, each refusal and its words, one decrypt per chunk per action.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SecretBox } from '../../../../core/secrets/box.js';
import {
  boundList,
  chunkAad,
  chunkAadV3,
  KeyRevealError,
  KeyVault,
  sealChunk,
  sealKeyChunk,
} from '../../../../core/secrets/key-vault.js';
import { Db } from '../../../../core/store/db.js';
import { KeyChunkWrites, type SealedKeyRef } from '../../../../core/store/keys.js';
import { openWorkspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const K1 = '11111111-0000-4000-8000-000000000001';
const K2 = '22222222-0000-4000-8000-000000000002';
const P1 = '000011-000022-000033-000044-000055-000066-000077-000088';
const P2 = '000110-000220-000330-000440-000550-000660-000770-000880';

let db: Db;
let box: SecretBox;
/** The key chunks' rows, written as the keys writer writes them. */
let chunks: KeyChunkWrites;
beforeAll(async () => {
  const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(5) });
  db = ws.db;
  box = ws.box;
  chunks = new KeyChunkWrites(db);
});

/** A chunk holding K1 (hint PC-1) in slot 0 and K2 (no hint) in slot 1, as the keys writer stores it. */
async function twoKeyChunk(): Promise<number> {
  const id = chunks.create();
  const s = await sealChunk(box, id, [
    { keyId: K1, hostHint: 'PC-1', password: P1 },
    { keyId: K2, hostHint: null, password: P2 },
  ]);
  chunks.seal(id, s.nonce, s.sealed, s.bound);
  return id;
}

const ref = (r: Partial<SealedKeyRef>): SealedKeyRef => ({
  key_id: K1,
  host_hint: 'PC-1',
  seal: 2,
  secret: new Uint8Array(0),
  chunk_id: null,
  slot: null,
  ...r,
});

/** The refusal's words, or "revealed" when the vault hands out a password. */
async function refusal(vault: KeyVault, r: SealedKeyRef): Promise<string> {
  return vault.reveal(r).then(
    () => 'revealed',
    (e: Error) => `${e.name}: ${e.message}`,
  );
}

describe('what a chunk binds', () => {
  it('the bound list is [key ID, host hint or ""] per slot, in slot order, and is the additional data', async () => {
    const s = await sealChunk(box, 7, [
      { keyId: K1, hostHint: 'PC-1', password: P1 },
      { keyId: K2, hostHint: null, password: P2 },
    ]);
    expect(s.bound).toBe(`[["${K1}","PC-1"],["${K2}",""]]`);
    expect(await box.openMany(s.nonce, s.sealed, chunkAad(7, s.bound))).toEqual([P1, P2]);
    expect(new TextDecoder().decode(chunkAad(7, '[]'))).toBe('ringside/key-chunk/v2 7\n[]');
  });
});

describe('a reveal', () => {
  it('a key with no host hint matches its slot\'s "" and reveals', async () => {
    const id = await twoKeyChunk();
    const vault = new KeyVault(db, box);
    expect(await vault.reveal(ref({ key_id: K2, host_hint: null, chunk_id: id, slot: 1 }))).toBe(P2);
    expect(await vault.reveal(ref({ chunk_id: id, slot: 0 }))).toBe(P1);
  });

  it('a chunk is decrypted once per vault, however many of its keys the action opens', async () => {
    const id = await twoKeyChunk();
    const spy = vi.spyOn(box, 'openMany');
    try {
      const vault = new KeyVault(db, box);
      await vault.reveal(ref({ chunk_id: id, slot: 0 }));
      await vault.reveal(ref({ key_id: K2, host_hint: null, chunk_id: id, slot: 1 }));
      await vault.reveal(ref({ chunk_id: id, slot: 0 }));
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('an old one-blob-per-key row (seal 1) opens with the box; a wrong blob is refused by key ID', async () => {
    const vault = new KeyVault(db, box);
    expect(await vault.reveal(ref({ seal: 1, secret: await box.seal(P1) }))).toBe(P1);
    const other = await (await SecretBox.fromKeyMaterial(new Uint8Array(32).fill(6))).seal(P1);
    expect(await refusal(vault, ref({ seal: 1, secret: other }))).toBe(
      `KeyRevealError: key {${K1}}: the sealed recovery password does not open (changed, or another key)`,
    );
  });

  it('an unknown seal format is refused, naming it', async () => {
    expect(await refusal(new KeyVault(db, box), ref({ seal: 4 }))).toBe(
      `KeyRevealError: key {${K1}}: unknown key seal format 4`,
    );
    expect(await refusal(new KeyVault(db, box), ref({ seal: 0 }))).toBe(
      `KeyRevealError: key {${K1}}: unknown key seal format 0`,
    );
  });

  it('a chunk-sealed row without its chunk or its slot is refused', async () => {
    const id = await twoKeyChunk();
    const vault = new KeyVault(db, box);
    const words = `KeyRevealError: key {${K1}}: the key names no chunk`;
    expect(await refusal(vault, ref({ chunk_id: null, slot: 0 }))).toBe(words);
    expect(await refusal(vault, ref({ chunk_id: id, slot: null }))).toBe(words);
  });

  it('a slot past the chunk, another key ID or another host hint is refused as a swapped or edited row', async () => {
    const id = await twoKeyChunk();
    const vault = new KeyVault(db, box);
    const words = (k: string) =>
      `KeyRevealError: key {${k}}: the key row does not match its sealed chunk (a swapped or edited row)`;
    expect(await refusal(vault, ref({ chunk_id: id, slot: 2 }))).toBe(words(K1));
    expect(await refusal(vault, ref({ key_id: K2, chunk_id: id, slot: 0 }))).toBe(words(K2));
    expect(await refusal(vault, ref({ host_hint: 'PC-2', chunk_id: id, slot: 0 }))).toBe(words(K1));
    expect(await refusal(vault, ref({ host_hint: null, chunk_id: id, slot: 0 }))).toBe(words(K1));
  });

  it('a missing chunk is refused, naming the chunk', async () => {
    expect(await refusal(new KeyVault(db, box), ref({ chunk_id: 9999, slot: 0 }))).toBe(
      `KeyRevealError: key {${K1}}: its sealed chunk 9999 is missing`,
    );
  });

  it('a chunk whose list and passwords differ in length is refused, though it opens', async () => {
    const id = chunks.create();
    const bound = JSON.stringify([[K1, 'PC-1']]);
    const { nonce, sealed } = await box.sealMany([P1, P2], chunkAad(id, bound));
    chunks.seal(id, nonce, sealed, bound);
    expect(await refusal(new KeyVault(db, box), ref({ chunk_id: id, slot: 0 }))).toBe(
      `KeyRevealError: key {${K1}}: its sealed chunk ${id} does not hold one password per listed key`,
    );
  });

  it('a refusal is a KeyRevealError by name and class, and never carries a password', async () => {
    const id = await twoKeyChunk();
    const err = await new KeyVault(db, box).reveal(ref({ key_id: K2, chunk_id: id, slot: 0 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyRevealError);
    expect((err as Error).name).toBe('KeyRevealError');
    expect(String((err as Error).message)).not.toContain(P1);
    expect(String((err as Error).message)).not.toContain(P2);
  });
});

describe('seal 3: the chunk’s rows are its bound list (migration 27)', () => {
  /** K1 (hint PC-1) in slot 0 and K2 (no hint) in slot 1, as rows of a seal-3 chunk, the way the keys writer stores them. */
  async function rowsChunk(): Promise<number> {
    const id = chunks.create();
    const ins = db.prepare(
      "INSERT INTO keys(key_id, host_hint, secret, fingerprint, valid, seal, chunk_id, slot) VALUES (?, ?, x'', ?, 1, 3, ?, ?)",
    );
    try {
      ins.run([K1, 'PC-1', `fp1-${id}`, id, 0]);
      ins.run([K2, null, `fp2-${id}`, id, 1]);
    } finally {
      ins.free();
    }
    const s = await sealKeyChunk(box, id, [
      { keyId: K1, hostHint: 'PC-1', password: P1 },
      { keyId: K2, hostHint: null, password: P2 },
    ]);
    chunks.seal(id, s.nonce, s.sealed, '');
    return id;
  }
  const v3 = (r: Partial<SealedKeyRef>) => ref({ seal: 3, ...r });

  it('the additional data names v3, the chunk id and the rows’ [key ID, host hint or ""] in slot order', async () => {
    expect(
      boundList([
        { keyId: K1, hostHint: 'PC-1' },
        { keyId: K2, hostHint: null },
      ]),
    ).toBe(`[["${K1}","PC-1"],["${K2}",""]]`);
    expect(new TextDecoder().decode(chunkAadV3(7, '[]'))).toBe('ringside/key-chunk/v3 7\n[]');
    const s = await sealKeyChunk(box, 7, [{ keyId: K1, hostHint: null, password: P1 }]);
    expect(await box.openMany(s.nonce, s.sealed, chunkAadV3(7, `[["${K1}",""]]`))).toEqual([P1]);
    // Not the v2 words for the same list: a seal-3 chunk cannot be read as a seal-2 one.
    await expect(box.openMany(s.nonce, s.sealed, chunkAad(7, `[["${K1}",""]]`))).rejects.toThrow(/does not open/);
  });

  it('each row reveals its slot’s password, and the chunk is decrypted once per vault', async () => {
    const id = await rowsChunk();
    const spy = vi.spyOn(box, 'openMany');
    try {
      const vault = new KeyVault(db, box);
      expect(await vault.reveal(v3({ key_id: K2, host_hint: null, chunk_id: id, slot: 1 }))).toBe(P2);
      expect(await vault.reveal(v3({ chunk_id: id, slot: 0 }))).toBe(P1);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('a stale reference (another key ID or host hint than the slot’s row) is refused as a swapped or edited row', async () => {
    const id = await rowsChunk();
    const vault = new KeyVault(db, box);
    const words = (k: string) =>
      `KeyRevealError: key {${k}}: the key row does not match its sealed chunk (a swapped or edited row)`;
    expect(await refusal(vault, v3({ key_id: K2, chunk_id: id, slot: 0 }))).toBe(words(K2));
    expect(await refusal(vault, v3({ host_hint: null, chunk_id: id, slot: 0 }))).toBe(words(K1));
    expect(await refusal(vault, v3({ chunk_id: id, slot: 2 }))).toBe(words(K1));
  });

  it('rows edited, renumbered or removed after sealing keep the whole chunk shut, naming the chunk', async () => {
    const edited = await rowsChunk();
    db.run("UPDATE keys SET host_hint = 'PC-9' WHERE chunk_id = ? AND slot = 1", [edited]);
    expect(await refusal(new KeyVault(db, box), v3({ chunk_id: edited, slot: 0 }))).toBe(
      `KeyRevealError: key {${K1}}: its sealed chunk ${edited} does not open (changed, or another workspace key)`,
    );
    const gap = await rowsChunk();
    db.run('UPDATE keys SET slot = 2 WHERE chunk_id = ? AND slot = 1', [gap]);
    expect(await refusal(new KeyVault(db, box), v3({ chunk_id: gap, slot: 0 }))).toBe(
      `KeyRevealError: key {${K1}}: its sealed chunk ${gap} has a missing, added or moved key row`,
    );
    const gone = await rowsChunk();
    db.run('DELETE FROM keys WHERE chunk_id = ? AND slot = 0', [gone]);
    expect(await refusal(new KeyVault(db, box), v3({ key_id: K2, host_hint: null, chunk_id: gone, slot: 1 }))).toBe(
      `KeyRevealError: key {${K2}}: its sealed chunk ${gone} has a missing, added or moved key row`,
    );
  });

  it('a chunk with more passwords than rows is refused, though it opens', async () => {
    const id = chunks.create();
    db.run(
      "INSERT INTO keys(key_id, host_hint, secret, fingerprint, valid, seal, chunk_id, slot) VALUES (?, 'PC-1', x'', ?, 1, 3, ?, 0)",
      [K1, `fp-extra-${id}`, id],
    );
    const { nonce, sealed } = await box.sealMany([P1, P2], chunkAadV3(id, `[["${K1}","PC-1"]]`));
    chunks.seal(id, nonce, sealed, '');
    expect(await refusal(new KeyVault(db, box), v3({ chunk_id: id, slot: 0 }))).toBe(
      `KeyRevealError: key {${K1}}: its sealed chunk ${id} does not hold one password per listed key`,
    );
  });

  it('a seal-3 row of a missing chunk is refused, naming the chunk', async () => {
    expect(await refusal(new KeyVault(db, box), v3({ chunk_id: 9998, slot: 0 }))).toBe(
      `KeyRevealError: key {${K1}}: its sealed chunk 9998 is missing`,
    );
  });
});
