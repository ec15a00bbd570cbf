// KeyPairSet answers as a set of the two strings would: canonical pairs in its table, any other spelling apart.
import { describe, expect, it } from 'vitest';
import { KeyPairSet } from '../../../../core/store/key-pairs.js';

/** A small deterministic generator, so a failure names the same pairs every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}
const hex = (next: () => number, n: number) => Array.from({ length: n }, () => (next() >>> 28).toString(16)).join('');
const guid = (next: () => number) => `${hex(next, 8)}-${hex(next, 4)}-${hex(next, 4)}-${hex(next, 4)}-${hex(next, 12)}`;

describe('KeyPairSet', () => {
  it('agrees with a Set of the pairs over many keys, repeats, and pairs one hex digit apart (growing many times)', () => {
    const next = rng(7);
    const set = new KeyPairSet();
    const ref = new Set<string>();
    const pairs: [string, string][] = [];
    for (let i = 0; i < 20_000; i++) {
      const k = guid(next);
      const f = hex(next, 32);
      pairs.push([k, f]);
      // The same key ID with a password that differs in the fingerprint's last digit, or its first: another pair.
      if (i % 7 === 0) pairs.push([k, f.slice(0, 31) + ((parseInt(f[31]!, 16) + 1) % 16).toString(16)]);
      if (i % 11 === 0) pairs.push([k, ((parseInt(f[0]!, 16) + 1) % 16).toString(16) + f.slice(1)]);
      // The same fingerprint under a key ID one digit apart, in each of its five groups.
      if (i % 13 === 0)
        for (const at of [0, 9, 14, 19, 35])
          pairs.push([k.slice(0, at) + (k[at] === 'a' ? 'b' : 'a') + k.slice(at + 1), f]);
      // Repeats, near and far.
      if (i % 5 === 0) pairs.push([k, f]);
      if (i % 17 === 0 && pairs.length > 100) pairs.push(pairs[Math.floor(pairs.length / 2)]!);
    }
    for (const [k, f] of pairs) {
      const want = !ref.has(`${k}|${f}`);
      ref.add(`${k}|${f}`);
      expect(set.add(k, f), `${k} ${f}`).toBe(want);
    }
  });

  it('keeps other spellings as strings: upper case, braces or a short cell are not the canonical pair', () => {
    const set = new KeyPairSet();
    const k = '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9';
    const f = '00112233445566778899aabbccddeeff';
    expect(set.add(k, f)).toBe(true);
    expect(set.add(k.toUpperCase(), f)).toBe(true);
    expect(set.add(k, f.toUpperCase())).toBe(true);
    expect(set.add(`{${k}}`, f)).toBe(true);
    expect(set.add('not-a-guid', f)).toBe(true);
    expect(set.add('not-a-guid', 'x')).toBe(true);
    // Two strings that would run together without their lengths are two pairs.
    expect(set.add('ab', 'c')).toBe(true);
    expect(set.add('a', 'bc')).toBe(true);
    for (const [a, b] of [
      [k, f],
      [k.toUpperCase(), f],
      [k, f.toUpperCase()],
      [`{${k}}`, f],
      ['not-a-guid', f],
      ['ab', 'c'],
      ['a', 'bc'],
    ] as const)
      expect(set.add(a, b), `${a} ${b}`).toBe(false);
  });
});
