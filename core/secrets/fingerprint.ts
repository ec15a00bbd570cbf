// The keys' de-duplication fingerprint: HMAC-SHA-256 (@noble/hashes, synchronous) truncated to 128 bits, as hex.
import { _HMAC } from '@noble/hashes/hmac.js';
import { _SHA256, sha256 } from '@noble/hashes/sha2.js';

type Sha256 = ReturnType<typeof sha256.create>;
const enc = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * @noble/hashes' own SHA-256 block function, run from a given state: the HMAC's pad blocks are hashed once, and a
 * recovery password's HMAC is then two blocks, without a hash object's buffering, padding and copies.
 */
class Blocks extends _SHA256 {
  /** SHA-256's initial state. */
  initial(): number[] {
    return new Blocks().get();
  }

  /** The state after one 64-byte block (`view`) from `state`. */
  next(state: readonly number[], view: DataView): number[] {
    this.set(state[0]!, state[1]!, state[2]!, state[3]!, state[4]!, state[5]!, state[6]!, state[7]!);
    this.process(view, 0);
    return this.get();
  }
}

/** The longest message (bytes) whose inner hash is one block: the message, 0x80, and the 8-byte length fit in 64. */
const ONE_BLOCK = 55;

/**
 * The same function as WebCrypto's HMAC sign under the workspace's HKDF-derived key (old workspaces' fingerprints
 * still match), without a WebCrypto job per key: 85,531 keys took 1.7 s CPU one awaited call at a time and about
 * 0.25 s with @noble/hashes. A recovery password is 55 ASCII bytes, so its HMAC is two SHA-256 blocks after the
 * key's pads (hashed once here): those two blocks go straight through the library's block function, without a
 * hash object's buffering and padding. Any other text (longer, or not ASCII) goes through @noble/hashes' HMAC.
 */
export class Fingerprinter {
  private readonly base: _HMAC<Sha256>;
  private readonly work: _HMAC<Sha256>;
  private readonly out = new Uint8Array(32);
  // A recovery password is 55 bytes; a longer or odd cell (flagged, still fingerprinted) is encoded on its own.
  private readonly scratch = new Uint8Array(128);
  private readonly blocks = new Blocks();
  private readonly block = new Uint8Array(64);
  private readonly view = new DataView(this.block.buffer);
  /** The SHA-256 states after the key's inner and outer pad blocks. */
  private readonly inner: number[];
  private readonly outer: number[];

  constructor(key: Uint8Array) {
    this.base = new _HMAC<Sha256>(sha256, key);
    this.work = this.base.clone();
    // RFC 2104: a key longer than a block is hashed first; then it is zero-padded to the block.
    const k = new Uint8Array(64);
    k.set(key.length > 64 ? sha256(key) : key);
    const iv = this.blocks.initial();
    const padded = (pad: number) => {
      for (let i = 0; i < 64; i++) this.block[i] = k[i]! ^ pad;
      return this.blocks.next(iv, this.view);
    };
    this.inner = padded(0x36);
    this.outer = padded(0x5c);
    k.fill(0);
    this.block.fill(0);
  }

  /** The first 16 bytes of HMAC-SHA-256(key, UTF-8 of `text`), lower-case hex. */
  hex128(text: string): string {
    const n = text.length;
    if (n <= ONE_BLOCK && ascii(text)) return this.oneBlock(text);
    const h = this.base._cloneInto(this.work);
    const { read, written } = enc.encodeInto(text, this.scratch);
    h.update(read === text.length ? this.scratch.subarray(0, written) : enc.encode(text));
    h.digestInto(this.out);
    const o = this.out;
    let s = '';
    for (let i = 0; i < 16; i++) s += HEX[o[i]!]!;
    return s;
  }

  /** hex128 of ASCII text of at most 55 characters: inner block (the text padded), then outer block (inner hash). */
  private oneBlock(text: string): string {
    const b = this.block;
    const v = this.view;
    const n = text.length;
    // The text, 0x80, zeros, and the inner message's bit length (the pad block's 64 bytes and the text's).
    for (let i = 0; i < n; i++) b[i] = text.charCodeAt(i);
    b[n] = 0x80;
    b.fill(0, n + 1, 60);
    v.setUint32(60, (64 + n) * 8);
    const h = this.blocks.next(this.inner, v);
    for (let j = 0; j < 8; j++) v.setUint32(4 * j, h[j]!);
    b[32] = 0x80;
    b.fill(0, 33, 60);
    v.setUint32(60, (64 + 32) * 8);
    const o = this.blocks.next(this.outer, v);
    let s = '';
    for (let j = 0; j < 4; j++) {
      const x = o[j]!;
      s += HEX[x >>> 24]! + HEX[(x >>> 16) & 0xff]! + HEX[(x >>> 8) & 0xff]! + HEX[x & 0xff]!;
    }
    return s;
  }
}

/** Whether every code unit is ASCII (one UTF-8 byte each). */
function ascii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}
