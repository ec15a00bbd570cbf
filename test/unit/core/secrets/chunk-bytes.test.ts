// A sealed chunk's bytes written piece by piece are JSON.stringify's bytes; a chunk sealed that way opens as before.
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../../../core/secrets/box.js';
import { boundList, chunkAadV3, JsonBytes, sealKeyChunk } from '../../../../core/secrets/key-vault.js';

const enc = new TextEncoder();
/** Strings JSON escapes (quote, backslash, controls, a lone surrogate), text past ASCII, DEL, and plain cells. */
const ODD = [
  '',
  'PC-0142',
  'say "hi"',
  'back\\slash',
  'tab\there',
  'nul\u0000',
  '\u001f',
  'del\u007f',
  'é',
  'ünïcödé – ✓',
  '😀',
  'cut \ud83d',
  '\udc00 alone',
  '111111-222222-333333-444444-555555-666666-777777-888888',
  'CN=PC-0142,OU=Workstations,DC=corp,DC=example,DC=com',
];

describe('JsonBytes', () => {
  it('writes the UTF-8 of JSON.stringify of a list of strings, for each odd string and all of them at once', () => {
    for (const list of [...ODD.map((s) => [s]), ODD, []]) {
      const b = new JsonBytes(4);
      b.byte(0x5b);
      list.forEach((s, i) => {
        if (i > 0) b.byte(0x2c);
        b.string(s);
      });
      b.byte(0x5d);
      expect(Array.from(b.done()), JSON.stringify(list)).toEqual(Array.from(enc.encode(JSON.stringify(list))));
    }
  });
});

describe('sealKeyChunk', () => {
  it('seals the passwords under the seal-3 additional data built the old way (JSON.stringify, then UTF-8)', async () => {
    const box = await SecretBox.fromKeyMaterial(new Uint8Array(32).fill(3));
    const keys = ODD.map((s, i) => ({
      keyId: `0000000${i.toString(16)}-0000-0000-0000-000000000000`.slice(-36),
      hostHint: i % 3 === 0 ? null : s,
      password: ODD[(i + 5) % ODD.length]!,
    }));
    const s = await sealKeyChunk(box, 41, keys);
    const opened = await box.openMany(s.nonce, s.sealed, chunkAadV3(41, boundList(keys)));
    expect(opened).toEqual(keys.map((k) => k.password));
    // Another chunk id, or a host hint changed, does not open it.
    await expect(box.openMany(s.nonce, s.sealed, chunkAadV3(42, boundList(keys)))).rejects.toThrow();
    const moved = keys.map((k, i) => (i === 1 ? { ...k, hostHint: 'PC-9999' } : k));
    await expect(box.openMany(s.nonce, s.sealed, chunkAadV3(41, boundList(moved)))).rejects.toThrow();
  });

  it('seals the same body bytes as sealMany: the same list opens from either', async () => {
    const box = await SecretBox.fromKeyMaterial(new Uint8Array(32).fill(9));
    const keys = ODD.map((p, i) => ({ keyId: `k${i}`, hostHint: null, password: p }));
    const aad = chunkAadV3(5, boundList(keys));
    const a = await sealKeyChunk(box, 5, keys);
    const b = await box.sealMany(
      keys.map((k) => k.password),
      aad,
    );
    expect(await box.openMany(a.nonce, a.sealed, aad)).toEqual(await box.openMany(b.nonce, b.sealed, aad));
    // AES-GCM's ciphertext is as long as its plaintext (plus a 16-byte tag): the bodies are the same length.
    expect(a.sealed.length).toBe(b.sealed.length);
  });
});
