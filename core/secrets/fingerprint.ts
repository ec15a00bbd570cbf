// The keys' de-duplication fingerprint: HMAC-SHA-256 (@noble/hashes, synchronous) truncated to 128 bits, as hex.
import { _HMAC } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

type Sha256 = ReturnType<typeof sha256.create>;
const enc = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** SHA-256's round constants and initial state (FIPS 180-4). */
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
 * One SHA-256 block: `out` = compress(`state`, the 16 big-endian words in w[0..15]); w's other words are scratch.
 * The rounds are written out eight at a time, the working variables renamed instead of shifted (about twice as fast).
 */
function compress(state: Int32Array, w: Int32Array, out: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    w[i] =
      (w[i - 16]! +
        (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) +
        w[i - 7]! +
        (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) |
      0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  let t1 = 0;
  for (let i = 0; i < 64; i += 8) {
    t1 =
      (h +
        (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        ((e & f) ^ (~e & g)) +
        K[i + 0]! +
        w[i + 0]!) |
      0;
    d = (d + t1) | 0;
    h =
      (t1 +
        (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) ^ (a & c) ^ (b & c))) |
      0;
    t1 =
      (g +
        (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) +
        ((d & e) ^ (~d & f)) +
        K[i + 1]! +
        w[i + 1]!) |
      0;
    c = (c + t1) | 0;
    g =
      (t1 +
        (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) +
        ((h & a) ^ (h & b) ^ (a & b))) |
      0;
    t1 =
      (f +
        (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) +
        ((c & d) ^ (~c & e)) +
        K[i + 2]! +
        w[i + 2]!) |
      0;
    b = (b + t1) | 0;
    f =
      (t1 +
        (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) +
        ((g & h) ^ (g & a) ^ (h & a))) |
      0;
    t1 =
      (e +
        (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) +
        ((b & c) ^ (~b & d)) +
        K[i + 3]! +
        w[i + 3]!) |
      0;
    a = (a + t1) | 0;
    e =
      (t1 +
        (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) +
        ((f & g) ^ (f & h) ^ (g & h))) |
      0;
    t1 =
      (d +
        (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) +
        ((a & b) ^ (~a & c)) +
        K[i + 4]! +
        w[i + 4]!) |
      0;
    h = (h + t1) | 0;
    d =
      (t1 +
        (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) +
        ((e & f) ^ (e & g) ^ (f & g))) |
      0;
    t1 =
      (c +
        (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) +
        ((h & a) ^ (~h & b)) +
        K[i + 5]! +
        w[i + 5]!) |
      0;
    g = (g + t1) | 0;
    c =
      (t1 +
        (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) +
        ((d & e) ^ (d & f) ^ (e & f))) |
      0;
    t1 =
      (b +
        (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) +
        ((g & h) ^ (~g & a)) +
        K[i + 6]! +
        w[i + 6]!) |
      0;
    f = (f + t1) | 0;
    b =
      (t1 +
        (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) +
        ((c & d) ^ (c & e) ^ (d & e))) |
      0;
    t1 =
      (a +
        (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) +
        ((f & g) ^ (~f & h)) +
        K[i + 7]! +
        w[i + 7]!) |
      0;
    e = (e + t1) | 0;
    a =
      (t1 +
        (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) +
        ((b & c) ^ (b & d) ^ (c & d))) |
      0;
  }
  out[0] = (state[0]! + a) | 0;
  out[1] = (state[1]! + b) | 0;
  out[2] = (state[2]! + c) | 0;
  out[3] = (state[3]! + d) | 0;
  out[4] = (state[4]! + e) | 0;
  out[5] = (state[5]! + f) | 0;
  out[6] = (state[6]! + g) | 0;
  out[7] = (state[7]! + h) | 0;
}

/** The longest message (bytes) whose inner hash is one block: the message, 0x80, and the 8-byte length fit in 64. */
const ONE_BLOCK = 55;

/**
 * The same function as WebCrypto's HMAC sign under the workspace's HKDF-derived key (old workspaces' fingerprints
 * still match), without a WebCrypto job per key: 85,531 keys took 1.7 s CPU one awaited call at a time and about
 * 0.25 s with @noble/hashes. A recovery password is 55 ASCII bytes, so its HMAC is two SHA-256 blocks after the
 * key's pads (hashed once here): those two blocks are computed directly, without a hash object's buffering and
 * padding, several times faster. Any other text (longer, or not ASCII) goes through @noble/hashes' HMAC.
 */
export class Fingerprinter {
  private readonly base: _HMAC<Sha256>;
  private readonly work: _HMAC<Sha256>;
  private readonly out = new Uint8Array(32);
  // A recovery password is 55 bytes; a longer or odd cell (flagged, still fingerprinted) is encoded on its own.
  private readonly scratch = new Uint8Array(128);
  /** The SHA-256 states after the key's inner and outer pad blocks. */
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly w = new Int32Array(64);
  private readonly h = new Int32Array(8);

  constructor(key: Uint8Array) {
    this.base = new _HMAC<Sha256>(sha256, key);
    this.work = this.base.clone();
    // RFC 2104: a key longer than a block is hashed first; then it is zero-padded to the block.
    const k = new Uint8Array(64);
    k.set(key.length > 64 ? sha256(key) : key);
    for (const [pad, state] of [
      [0x36, this.inner],
      [0x5c, this.outer],
    ] as const) {
      for (let i = 0; i < 16; i++)
        this.w[i] =
          ((k[4 * i]! ^ pad) << 24) |
          ((k[4 * i + 1]! ^ pad) << 16) |
          ((k[4 * i + 2]! ^ pad) << 8) |
          (k[4 * i + 3]! ^ pad);
      compress(IV, this.w, state);
    }
    k.fill(0);
    this.w.fill(0);
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
    const n = text.length;
    // Four characters a word, big-endian; then 0x80 after the text, zeros, and the inner message's bit length (the
    // pad block's 64 bytes and the text's).
    let i = 0;
    let k = 0;
    for (; i + 4 <= n; i += 4, k++)
      w[k] =
        (text.charCodeAt(i) << 24) |
        (text.charCodeAt(i + 1) << 16) |
        (text.charCodeAt(i + 2) << 8) |
        text.charCodeAt(i + 3);
    let last = 0;
    for (let sh = 24; i < n; i++, sh -= 8) last |= text.charCodeAt(i) << sh;
    w[k++] = last | (0x80 << (24 - 8 * (n & 3)));
    for (; k < 15; k++) w[k] = 0;
    w[15] = (64 + n) * 8;
    const h = this.h;
    compress(this.inner, w, h);
    for (let j = 0; j < 8; j++) w[j] = h[j]!;
    w[8] = 0x80000000;
    w.fill(0, 9, 15);
    w[15] = (64 + 32) * 8;
    compress(this.outer, w, h);
    const x0 = h[0]!;
    const x1 = h[1]!;
    const x2 = h[2]!;
    const x3 = h[3]!;
    return (
      HEX[x0 >>> 24]! +
      HEX[(x0 >>> 16) & 0xff]! +
      HEX[(x0 >>> 8) & 0xff]! +
      HEX[x0 & 0xff]! +
      HEX[x1 >>> 24]! +
      HEX[(x1 >>> 16) & 0xff]! +
      HEX[(x1 >>> 8) & 0xff]! +
      HEX[x1 & 0xff]! +
      HEX[x2 >>> 24]! +
      HEX[(x2 >>> 16) & 0xff]! +
      HEX[(x2 >>> 8) & 0xff]! +
      HEX[x2 & 0xff]! +
      HEX[x3 >>> 24]! +
      HEX[(x3 >>> 16) & 0xff]! +
      HEX[(x3 >>> 8) & 0xff]! +
      HEX[x3 & 0xff]!
    );
  }
}

/** Whether every code unit is ASCII (one UTF-8 byte each). */
function ascii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}
