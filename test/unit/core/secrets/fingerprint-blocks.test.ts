// The fingerprint's two-block fast path: every one-block length and tail against @noble/hashes' HMAC.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { Fingerprinter } from '../../../../core/secrets/fingerprint.js';

const enc = new TextEncoder();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
/** The reference: the library's HMAC-SHA-256 of the UTF-8 text, first 16 bytes. */
const want = (key: Uint8Array, text: string) => hex(hmac(sha256, key, enc.encode(text)).subarray(0, 16));

describe('Fingerprinter.hex128 on the two-block path', () => {
  it('matches HMAC-SHA-256 for every ASCII length 0 to 64 (each tail of a word, the 55-byte edge and past it)', () => {
    for (const key of [new Uint8Array(32).map((_, i) => (i * 53 + 1) & 0xff), new Uint8Array(70).fill(0xa5)]) {
      const f = new Fingerprinter(key);
      for (let n = 0; n <= 64; n++) {
        // Every printable ASCII character turns up, high bits included (0x7e), so each byte lane is checked.
        const text = Array.from({ length: n }, (_, i) => String.fromCharCode(0x20 + ((i * 37 + n) % 95))).join('');
        expect(f.hex128(text), `length ${n}`).toBe(want(key, text));
      }
    }
  });

  it('recovery passwords, one after another on one instance (nothing carried over between calls)', () => {
    const key = new Uint8Array(32).fill(7);
    const f = new Fingerprinter(key);
    const pws = Array.from({ length: 200 }, (_, k) =>
      Array.from({ length: 8 }, (_, g) => String(((k * 8 + g) * 7919 * 11) % 720896).padStart(6, '0')).join('-'),
    );
    for (const pw of [...pws, ...pws.slice().reverse()]) expect(f.hex128(pw)).toBe(want(key, pw));
  });
});
