// Seals BitLocker keys in chunks and reveals one key at a time; the only place recovery passwords are decrypted.
import type { Db } from '../store/db.js';
import { keyChunk, type SealedKeyRef } from '../store/keys.js';
import type { SecretBox } from './box.js';

const enc = new TextEncoder();

/**
 * Keys per AES-GCM call. Measured with WebCrypto in Node on 85,531 keys (2 shared cores, load 18): one call per key
 * 7.2 s with its fingerprint; per chunk of 64 keys 2.9 s, of 256 0.44 s, of 1,024 0.81 s (seal only). A per-key
 * synchronous AEAD from @noble/ciphers was slower still (ChaCha20-Poly1305 12 s, AES-GCM 24 s), so chunks it is.
 */
export const KEY_CHUNK = 256;

/** The chunk's additional data: its id and [key ID, host hint] per slot, so rows cannot trade slots or chunks. */
export function chunkAad(chunkId: number, bound: string): Uint8Array {
  return enc.encode(`ringside/key-chunk/v2 ${chunkId}\n${bound}`);
}

export interface ChunkKey {
  keyId: string;
  hostHint: string | null;
  password: string;
}

/** Seals one chunk's keys (slot = index); returns what key_chunks stores. */
export async function sealChunk(
  box: SecretBox,
  chunkId: number,
  keys: readonly ChunkKey[],
): Promise<{ nonce: Uint8Array; sealed: Uint8Array; bound: string }> {
  const bound = JSON.stringify(keys.map((k) => [k.keyId, k.hostHint ?? '']));
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
  private readonly chunks = new Map<number, Promise<{ bound: [string, string][]; passwords: string[] }>>();
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
    if (ref.seal !== 2) throw new KeyRevealError(ref.key_id, `unknown key seal format ${ref.seal}`);
    if (ref.chunk_id === null || ref.slot === null) throw new KeyRevealError(ref.key_id, 'the key names no chunk');
    let chunk: Awaited<ReturnType<KeyVault['load']>>;
    try {
      chunk = await this.chunk(ref.chunk_id);
    } catch (err) {
      throw new KeyRevealError(ref.key_id, (err as Error).message);
    }
    const at = chunk.bound[ref.slot];
    // The chunk's own (authenticated) list says which key each slot holds: a row moved to another slot is refused.
    if (!at || at[0] !== ref.key_id || at[1] !== (ref.host_hint ?? ''))
      throw new KeyRevealError(ref.key_id, 'the key row does not match its sealed chunk (a swapped or edited row)');
    return chunk.passwords[ref.slot]!;
  }

  private chunk(id: number) {
    let p = this.chunks.get(id);
    if (!p) {
      p = this.load(id);
      this.chunks.set(id, p);
    }
    return p;
  }

  private async load(id: number) {
    const row = keyChunk(this.db, id);
    if (!row) throw new Error(`its sealed chunk ${id} is missing`);
    let passwords: string[];
    try {
      passwords = await this.box.openMany(row.nonce, row.sealed, chunkAad(id, row.bound));
    } catch {
      throw new Error(`its sealed chunk ${id} does not open (changed, or another workspace key)`);
    }
    // Authenticated with the passwords, so it parses; the length check guards a chunk sealed by a buggy writer.
    const bound = JSON.parse(row.bound) as [string, string][];
    if (!Array.isArray(bound) || bound.length !== passwords.length)
      throw new Error(`its sealed chunk ${id} does not hold one password per listed key`);
    return { bound, passwords };
  }
}
