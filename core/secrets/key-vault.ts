// Seals BitLocker keys in chunks and reveals one key at a time; the only place recovery passwords are decrypted.
import type { Db } from '../store/db.js';
import { keyChunk, keyChunkRows, type SealedKeyRef } from '../store/keys.js';
import type { SecretBox } from './box.js';

const enc = new TextEncoder();

/**
 * Keys per AES-GCM call. Measured with WebCrypto in Node on 85,531 keys (2 shared cores, load 18): one call per key
 * 7.2 s with its fingerprint; per chunk of 64 keys 2.9 s, of 256 0.44 s, of 1,024 0.81 s (seal only). A per-key
 * synchronous AEAD from @noble/ciphers was slower still (ChaCha20-Poly1305 12 s, AES-GCM 24 s), so chunks it is.
 */
export const KEY_CHUNK = 256;

/** A seal-2 chunk's additional data: its id and its stored bound list, so rows cannot trade slots or chunks. */
export function chunkAad(chunkId: number, bound: string): Uint8Array {
  return enc.encode(`ringside/key-chunk/v2 ${chunkId}\n${bound}`);
}

/** The bound list of a chunk's keys: [key ID, host hint or ""] per slot, in slot order, as JSON. */
export function boundList(keys: readonly { keyId: string; hostHint: string | null }[]): string {
  return JSON.stringify(keys.map((k) => [k.keyId, k.hostHint ?? '']));
}

/**
 * A seal-3 chunk's additional data (migration 27): the same list, but built from the chunk's key rows when it is
 * opened rather than stored beside it, so the import binds no copy of every key ID and host hint.
 */
export function chunkAadV3(chunkId: number, bound: string): Uint8Array {
  return enc.encode(`ringside/key-chunk/v3 ${chunkId}\n${bound}`);
}

export interface ChunkKey {
  keyId: string;
  hostHint: string | null;
  password: string;
}

/** Seals one chunk's keys (slot = index) in the format the import writes (seal 3): key_chunks stores no bound list. */
export async function sealKeyChunk(
  box: SecretBox,
  chunkId: number,
  keys: readonly ChunkKey[],
): Promise<{ nonce: Uint8Array; sealed: Uint8Array }> {
  return box.sealMany(
    keys.map((k) => k.password),
    chunkAadV3(chunkId, boundList(keys)),
  );
}

/** Seals one chunk's keys in the seal-2 format (bound list stored): still read; written only to test that reading. */
export async function sealChunk(
  box: SecretBox,
  chunkId: number,
  keys: readonly ChunkKey[],
): Promise<{ nonce: Uint8Array; sealed: Uint8Array; bound: string }> {
  const bound = boundList(keys);
  const { nonce, sealed } = await box.sealMany(
    keys.map((k) => k.password),
    chunkAad(chunkId, bound),
  );
  return { nonce, sealed, bound };
}

/** A refused reveal: names the key ID, never the password. */
export class KeyRevealError extends Error {
  constructor(keyId: string, why: string) {
    super(`key {${keyId}}: ${why}`);
    this.name = 'KeyRevealError';
  }
}

/**
 * Opens keys for one audited action (a pack, a script generation). A chunk is decrypted once per vault and only the
 * asked slot is handed out; drop the vault when the action is done so the chunk's other passwords go with it.
 */
export class KeyVault {
  private readonly chunks = new Map<string, Promise<{ bound: [string, string][]; passwords: string[] }>>();
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async reveal(ref: SealedKeyRef): Promise<string> {
    if (ref.seal === 1) {
      try {
        return await this.box.open(ref.secret);
      } catch {
        throw new KeyRevealError(ref.key_id, 'the sealed recovery password does not open (changed, or another key)');
      }
    }
    if (ref.seal !== 2 && ref.seal !== 3) throw new KeyRevealError(ref.key_id, `unknown key seal format ${ref.seal}`);
    if (ref.chunk_id === null || ref.slot === null) throw new KeyRevealError(ref.key_id, 'the key names no chunk');
    let chunk: Awaited<ReturnType<KeyVault['load']>>;
    try {
      chunk = await this.chunk(ref.chunk_id, ref.seal);
    } catch (err) {
      throw new KeyRevealError(ref.key_id, (err as Error).message);
    }
    const at = chunk.bound[ref.slot];
    // The chunk's own (authenticated) list says which key each slot holds: a row moved to another slot is refused.
    if (!at || at[0] !== ref.key_id || at[1] !== (ref.host_hint ?? ''))
      throw new KeyRevealError(ref.key_id, 'the key row does not match its sealed chunk (a swapped or edited row)');
    return chunk.passwords[ref.slot]!;
  }

  private chunk(id: number, seal: 2 | 3) {
    const at = `${seal}:${id}`;
    let p = this.chunks.get(at);
    if (!p) {
      p = this.load(id, seal);
      this.chunks.set(at, p);
    }
    return p;
  }

  /** Seal 3: the chunk's rows, in slot order, are its bound list; each slot 0..n-1 must be held by exactly one row. */
  private rowsBound(id: number): string {
    const rows = keyChunkRows(this.db, id);
    rows.forEach((r, i) => {
      if (r.slot !== i) throw new Error(`its sealed chunk ${id} has a missing, added or moved key row`);
    });
    return boundList(rows.map((r) => ({ keyId: r.key_id, hostHint: r.host_hint })));
  }

  private async load(id: number, seal: 2 | 3) {
    const row = keyChunk(this.db, id);
    if (!row) throw new Error(`its sealed chunk ${id} is missing`);
    const boundText = seal === 3 ? this.rowsBound(id) : row.bound;
    const aad = seal === 3 ? chunkAadV3(id, boundText) : chunkAad(id, boundText);
    let passwords: string[];
    try {
      passwords = await this.box.openMany(row.nonce, row.sealed, aad);
    } catch {
      throw new Error(`its sealed chunk ${id} does not open (changed, or another workspace key)`);
    }
    // Authenticated with the passwords, so it parses; the length check guards a chunk sealed by a buggy writer.
    const bound = JSON.parse(boundText) as [string, string][];
    if (!Array.isArray(bound) || bound.length !== passwords.length)
      throw new Error(`its sealed chunk ${id} does not hold one password per listed key`);
    return { bound, passwords };
  }
}
