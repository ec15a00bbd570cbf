// BitLocker recovery passwords for the sample: valid ones by the checksum rule, and the deliberately broken kinds.
import type { Rng } from './random.js';

/** 65536 × 11: every group of a real recovery password is a multiple of 11 below this. */
export const GROUP_LIMIT = 720896;

const group = (n: number) => String(n).padStart(6, '0');

/** 8 groups of random(0..65535) × 11, zero-padded to 6 digits: a password BitLocker would accept. */
export function validRecoveryPassword(rng: Rng): string {
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) parts.push(group(rng.int(65536) * 11));
  return parts.join('-');
}

export type InvalidKind = 'not-divisible' | 'too-large';

/** A password that looks right but fails the checksum: one group not a multiple of 11, or one >= 720896. */
export function invalidRecoveryPassword(rng: Rng, kind: InvalidKind): string {
  const parts = validRecoveryPassword(rng).split('-');
  const at = rng.int(8);
  if (kind === 'not-divisible') {
    // Off by 1..10 from a multiple of 11 is never a multiple of 11; stay below the limit so only one rule fails.
    const base = rng.int(65535) * 11;
    parts[at] = group(base + rng.range(1, 10));
  } else {
    // A multiple of 11 from 720896 up to 999999: divisible, but the 16-bit word would overflow.
    parts[at] = group(rng.range(65536, 90909) * 11);
  }
  return parts.join('-');
}

/** The checksum rule (formats.md 2.1): 8 hyphenated groups of 6 digits, each divisible by 11 and below 720896. */
export function isValidRecoveryPassword(text: string): boolean {
  if (!/^(\d{6}-){7}\d{6}$/.test(text)) return false;
  return text.split('-').every((g) => {
    const n = Number(g);
    return n % 11 === 0 && n < GROUP_LIMIT;
  });
}
