// The keys' de-duplication fingerprint: HMAC-SHA-256 (synchronous, in JavaScript) truncated to 128 bits, as hex.
import { _HMAC } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

type Sha256 = ReturnType<typeof sha256.create>;
const enc = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** SHA-256's round constants (FIPS 180-4, 4.2.2) and initial state (5.3.3). */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/**
 * One SHA-256 block: `out` = compress(`state`, the 16 big-endian words in w[0..15]); w[16..63] is the schedule.
 * Written out here (typed arrays, no objects) because a recovery password's HMAC is two blocks and the key file's
 * import computes one per key: @noble/hashes' block function through its hash object took about 1.4 µs a key,
 * this about 0.85 µs (85,531 keys: 120 → 72 ms).
 */
function compress(state: Int32Array, w: Int32Array, out: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!;
    const b = w[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (s1 + w[i - 7]! + s0 + w[i - 16]!) | 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  out[0] = (a + state[0]!) | 0;
  out[1] = (b + state[1]!) | 0;
  out[2] = (c + state[2]!) | 0;
  out[3] = (d + state[3]!) | 0;
  out[4] = (e + state[4]!) | 0;
  out[5] = (f + state[5]!) | 0;
  out[6] = (g + state[6]!) | 0;
  out[7] = (h + state[7]!) | 0;
}

/** The longest message (bytes) whose inner hash is one block: the message, 0x80, and the 8-byte length fit in 64. */
const ONE_BLOCK = 55;

/**
 * The same function as WebCrypto's HMAC sign under the workspace's HKDF-derived key (old workspaces' fingerprints
 * still match), without a WebCrypto job per key: 85,531 keys took 1.7 s CPU one awaited call at a time. A recovery
 * password is 55 ASCII bytes, so its HMAC is two SHA-256 blocks after the key's pads (hashed once here), run through
 * compress() above. Any other text (longer, or not ASCII) goes through @noble/hashes' HMAC.
 */
export class Fingerprinter {
  private readonly base: _HMAC<Sha256>;
  private readonly work: _HMAC<Sha256>;
  private readonly out = new Uint8Array(32);
  // A recovery password is 55 bytes; a longer or odd cell (flagged, still fingerprinted) is encoded on its own.
  private readonly scratch = new Uint8Array(128);
  private readonly w = new Int32Array(64);
  private readonly h = new Int32Array(8);
  private readonly codes = new Array<number>(32).fill(0);
  /** The SHA-256 states after the key's inner and outer pad blocks. */
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);

  constructor(key: Uint8Array) {
    this.base = new _HMAC<Sha256>(sha256, key);
    this.work = this.base.clone();
    // RFC 2104: a key longer than a block is hashed first; then it is zero-padded to the block.
    const k = new Uint8Array(64);
    k.set(key.length > 64 ? sha256(key) : key);
    const w = this.w;
    for (const [pad, state] of [
      [0x36, this.inner],
      [0x5c, this.outer],
    ] as const) {
      for (let i = 0; i < 16; i++)
        w[i] =
          ((k[4 * i]! ^ pad) << 24) |
          ((k[4 * i + 1]! ^ pad) << 16) |
          ((k[4 * i + 2]! ^ pad) << 8) |
          (k[4 * i + 3]! ^ pad);
      compress(IV, w, state);
    }
    k.fill(0);
    w.fill(0);
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
    const w = this.w;
    const h = this.h;
    const n = text.length;
    // The text as big-endian words, then 0x80, zeros, and the inner message's bit length (the pad block's 64 bytes
    // and the text's).
    let i = 0;
    for (; i + 4 <= n; i += 4)
      w[i >> 2] =
        (text.charCodeAt(i) << 24) |
        (text.charCodeAt(i + 1) << 16) |
        (text.charCodeAt(i + 2) << 8) |
        text.charCodeAt(i + 3);
    let last = 0x80 << (24 - 8 * (n - i));
    for (let k = 0; i < n; i++, k++) last |= text.charCodeAt(i) << (24 - 8 * k);
    w[n >> 2] = last;
    for (let j = (n >> 2) + 1; j < 15; j++) w[j] = 0;
    w[15] = (64 + n) * 8;
    compress(this.inner, w, h);
    // The outer block: the inner hash, 0x80, zeros, and the outer message's bit length.
    for (let j = 0; j < 8; j++) w[j] = h[j]!;
    w[8] = 0x80000000 | 0;
    for (let j = 9; j < 15; j++) w[j] = 0;
    w[15] = (64 + 32) * 8;
    compress(this.outer, w, h);
    // One flat string from 32 character codes (no 16-part concatenation to flatten when it is hashed or bound).
    const codes = this.codes;
    for (let j = 0; j < 4; j++) {
      const x = h[j]!;
      for (let q = 0; q < 8; q++) codes[8 * j + q] = HEX_CODES[(x >>> (28 - 4 * q)) & 15]!;
    }
    return String.fromCharCode.apply(null, codes);
  }
}

/** Whether every code unit is ASCII (one UTF-8 byte each). */
function ascii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}
