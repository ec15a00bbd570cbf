// The keys' synchronous fingerprint is the same HMAC-SHA-256 as before: RFC 4231 vectors, and WebCrypto under HKDF.
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../../../core/secrets/box.js';
import { Fingerprinter } from '../../../../core/secrets/fingerprint.js';

const enc = new TextEncoder();
const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);
/** The first 128 bits of a 256-bit hex tag, as the fingerprint keeps them. */
const first128 = (hex: string) => hex.slice(0, 32);

describe('Fingerprinter is HMAC-SHA-256 (RFC 4231 test vectors, truncated to 128 bits)', () => {
  // RFC 4231 section 4; the expected tags are the RFC's, typed in by hand.
  it('test case 1: 20 bytes of 0x0b, "Hi There"', () => {
    const f = new Fingerprinter(bytes(20, 0x0b));
    expect(f.hex128('Hi There')).toBe(first128('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'));
  });

  it('test case 2: key "Jefe", a short key', () => {
    const f = new Fingerprinter(enc.encode('Jefe'));
    expect(f.hex128('what do ya want for nothing?')).toBe(
      first128('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'),
    );
  });

  it('test case 5: the RFC’s own 128-bit truncation', () => {
    const f = new Fingerprinter(bytes(20, 0x0c));
    expect(f.hex128('Test With Truncation')).toBe('a3b6167473100ee06e0c796c2955552b');
  });

  it('test cases 6 and 7: a 131-byte key (hashed first), one short and one long message, on one instance', () => {
    const f = new Fingerprinter(bytes(131, 0xaa));
    expect(f.hex128('Test Using Larger Than Block-Size Key - Hash Key First')).toBe(
      first128('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'),
    );
    // 152 bytes: longer than the reused encoding buffer, so it takes the other path.
    expect(
      f.hex128(
        'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
      ),
    ).toBe(first128('9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2'));
    // And back to case 6: the reused state carries nothing over from the previous message.
    expect(f.hex128('Test Using Larger Than Block-Size Key - Hash Key First')).toBe('60e431591ee0b67f0d8a26aacbf5b77f');
  });
});

/** The derivation SecretBox used before the synchronous fingerprint, spelled out here as the reference. */
async function webCryptoKey(material: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', material, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: enc.encode('ringside/secrets/hmac') },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign'],
  );
}

describe('the workspace fingerprint matches the WebCrypto HMAC that older workspaces stored', () => {
  it('same tags as crypto.subtle.sign under deriveKey(HKDF → HMAC-SHA-256, 256 bits) for many inputs', async () => {
    const material = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
    const old = await webCryptoKey(material);
    const box = await SecretBox.fromKeyMaterial(material);
    const inputs = [
      '000011-000022-000033-000044-000055-000066-000077-000088',
      '000110-000220-000330-000440-000550-000660-000770-000880',
      '',
      '1.23457E+47',
      '111111 222222 333333 444444 555555 666666 777777 888888',
      'ünïcödé – a cell with non-ASCII text ✓',
      'x'.repeat(127),
      'x'.repeat(128),
      'y'.repeat(1000),
    ];
    for (const text of inputs) {
      const sig = new Uint8Array(await crypto.subtle.sign('HMAC', old, enc.encode(text)));
      const want = Array.from(sig.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
      expect(box.fingerprintSync(text), JSON.stringify(text.slice(0, 20))).toBe(want);
      expect(await box.fingerprint(text)).toBe(want);
    }
  });

  it('same tags as WebCrypto for every length around the one-block texts (55 bytes), ASCII or not', async () => {
    const material = new Uint8Array(32).map((_, i) => (i * 53 + 5) & 0xff);
    const old = await webCryptoKey(material);
    const box = await SecretBox.fromKeyMaterial(material);
    const texts: string[] = [];
    // Every length 0-70 of varied ASCII (all of 0x00-0x7f appears), and the same lengths with one é (two bytes).
    for (let n = 0; n <= 70; n++) {
      const t = Array.from({ length: n }, (_, i) => String.fromCharCode((i * 31 + n * 7) & 0x7f)).join('');
      texts.push(t, t.slice(0, -1) + (n ? 'é' : ''));
    }
    for (const text of texts) {
      const sig = new Uint8Array(await crypto.subtle.sign('HMAC', old, enc.encode(text)));
      const want = Array.from(sig.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
      expect(box.fingerprintSync(text), `${text.length} chars`).toBe(want);
    }
  });

  it('another workspace key gives another fingerprint', async () => {
    const a = await SecretBox.fromKeyMaterial(new Uint8Array(32).fill(1));
    const b = await SecretBox.fromKeyMaterial(new Uint8Array(32).fill(2));
    const pw = '000011-000022-000033-000044-000055-000066-000077-000088';
    expect(a.fingerprintSync(pw)).not.toBe(b.fingerprintSync(pw));
    expect(a.fingerprintSync(pw)).toMatch(/^[0-9a-f]{32}$/);
  });
});
