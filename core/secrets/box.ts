// Encrypts secrets at rest (AES-256-GCM, WebCrypto) and fingerprints them (HMAC-SHA-256) under one workspace key.
import { buf } from '../shared/hash.js';
import { Fingerprinter } from './fingerprint.js';
const enc = new TextEncoder();
const dec = new TextDecoder();

export class SecretBox {
  private constructor(
    private readonly aes: CryptoKey,
    private readonly mac: Fingerprinter,
    private readonly macKey: Uint8Array,
  ) {}

  /** Derives separate encryption and fingerprint keys from 32 bytes of workspace key material. */
  static async fromKeyMaterial(material: Uint8Array): Promise<SecretBox> {
    if (material.byteLength < 32) throw new Error('workspace key material must be at least 32 bytes');
    const base = await crypto.subtle.importKey('raw', buf(material), 'HKDF', false, ['deriveKey', 'deriveBits']);
    const hkdf = (info: string) => ({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: enc.encode(info) });
    const aes = await crypto.subtle.deriveKey(
      hkdf('ringside/secrets/aes-gcm'),
      base,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
    // The HMAC key is the same 256 HKDF bits that deriveKey(HMAC, length 256) imported before, taken as bytes so
    // the fingerprint can be computed synchronously (old workspaces' fingerprints still match).
    const macKey = new Uint8Array(await crypto.subtle.deriveBits(hkdf('ringside/secrets/hmac'), base, 256));
    return new SecretBox(aes, new Fingerprinter(macKey), macKey);
  }

  static randomKeyMaterial(): Uint8Array {
    return crypto.getRandomValues(new Uint8Array(32));
  }

  async seal(plaintext: string): Promise<Uint8Array> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, this.aes, enc.encode(plaintext)));
    const out = new Uint8Array(iv.length + ct.length);
    out.set(iv, 0);
    out.set(ct, iv.length);
    return out;
  }

  async open(sealed: Uint8Array): Promise<string> {
    const iv = buf(sealed.subarray(0, 12));
    const ct = buf(sealed.subarray(12));
    return dec.decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, this.aes, ct));
  }

  /**
   * Seals many secrets with one AES-GCM call, bound to `aad`: the import seals a chunk of keys at once, because one
   * WebCrypto call per key was most of a key file's import time.
   */
  async sealMany(plaintexts: readonly string[], aad: Uint8Array): Promise<{ nonce: Uint8Array; sealed: Uint8Array }> {
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const body = enc.encode(JSON.stringify(plaintexts));
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: buf(aad) },
      this.aes,
      body,
    );
    return { nonce, sealed: new Uint8Array(sealed) };
  }

  /** Opens what sealMany sealed; throws (naming no secret) when the chunk, its nonce or its `aad` was changed. */
  async openMany(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<string[]> {
    let body: ArrayBuffer;
    try {
      body = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: buf(nonce), additionalData: buf(aad) },
        this.aes,
        buf(sealed),
      );
    } catch {
      throw new Error('a sealed key chunk does not open: it was changed, or it belongs to another workspace key');
    }
    const list: unknown = JSON.parse(dec.decode(body));
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string'))
      throw new Error('a sealed key chunk opened to something that is not a list of secrets');
    return list as string[];
  }

  /**
   * A copy of the fingerprint key (not the encryption key), for the thread that reads a key file: it fingerprints
   * each recovery password as it parses it (KeyNormSpec), and it holds those passwords in clear already.
   */
  fingerprintKey(): Uint8Array {
    return this.macKey.slice();
  }

  /** The de-duplication fingerprint of a secret: HMAC-SHA-256 under the workspace's fingerprint key, first 128 bits. */
  fingerprintSync(plaintext: string): string {
    return this.mac.hex128(plaintext);
  }

  async fingerprint(plaintext: string): Promise<string> {
    return Promise.resolve(this.fingerprintSync(plaintext));
  }
}

// The hashing helpers live in shared/hash.ts; re-exported here for the callers that import them with the box.
export { buf, sha256Hex, toHex } from '../shared/hash.js';
