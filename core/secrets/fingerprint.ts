// The keys' de-duplication fingerprint: HMAC-SHA-256 (@noble/hashes, synchronous) truncated to 128 bits, as hex.
import { _HMAC } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

type Sha256 = ReturnType<typeof sha256.create>;
const enc = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * The same function as WebCrypto's HMAC sign under the workspace's HKDF-derived key (old workspaces' fingerprints
 * still match), without a WebCrypto job per key: 85,531 keys took 1.7 s CPU one awaited call at a time and about
 * 0.25 s here. The key's inner and outer pads are hashed once; each fingerprint copies that state (two SHA-256
 * blocks per recovery password) into one reused HMAC, so a key makes no objects but its hex string.
 */
export class Fingerprinter {
  private readonly base: _HMAC<Sha256>;
  private readonly work: _HMAC<Sha256>;
  private readonly out = new Uint8Array(32);
  // A recovery password is 55 bytes; a longer or odd cell (flagged, still fingerprinted) is encoded on its own.
  private readonly scratch = new Uint8Array(128);

  constructor(key: Uint8Array) {
    this.base = new _HMAC<Sha256>(sha256, key);
    this.work = this.base.clone();
  }

  /** The first 16 bytes of HMAC-SHA-256(key, UTF-8 of `text`), lower-case hex. */
  hex128(text: string): string {
    const h = this.base._cloneInto(this.work);
    const { read, written } = enc.encodeInto(text, this.scratch);
    h.update(read === text.length ? this.scratch.subarray(0, written) : enc.encode(text));
    h.digestInto(this.out);
    const o = this.out;
    let s = '';
    for (let i = 0; i < 16; i++) s += HEX[o[i]!]!;
    return s;
  }
}
