// Field-pack limits at their edges: the 31-day life, the 24 h grace after expiry and the 10 min clock skew, by hand.
import { describe, expect, it } from 'vitest';
import { packClosed, timeProblem, type PackLife } from '../../../../core/field/pack-life.js';
import { parseExpiry } from '../../../../core/field/packs.js';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const NOW = Date.parse('2024-07-19T12:00:00Z');

describe('a pack lives at most 31 days', () => {
  it('exactly 31 days is allowed; 1 ms more is refused', () => {
    expect(parseExpiry(NOW + 31 * DAY, NOW)).toBe(NOW + 31 * DAY);
    expect(() => parseExpiry(NOW + 31 * DAY + 1, NOW)).toThrow('a field pack may live at most 31 days');
  });
  it('1 ms from now is allowed; now itself is in the past', () => {
    expect(parseExpiry(NOW + 1, NOW)).toBe(NOW + 1);
    expect(() => parseExpiry(NOW, NOW)).toThrow(/already in the past/);
  });
  it('a date means the end of that day, UTC: 18 Aug is 30 d 12 h away (allowed), 19 Aug is 31 d 12 h (refused)', () => {
    expect(parseExpiry('2024-08-18', NOW)).toBe(Date.parse('2024-08-18T23:59:59.999Z'));
    expect(() => parseExpiry('2024-08-19', NOW)).toThrow(/31 days/);
  });
  it('a value that is not a date names itself', () => {
    expect(() => parseExpiry('next friday', NOW)).toThrow('expiry "next friday" is not a date');
  });
});

describe('results are merged until 24 h after expiry; record times within the life, 10 min skew allowed', () => {
  const life: PackLife = {
    packId: 'p1',
    createdAt: NOW,
    expiresAt: NOW + 2 * DAY,
    revokedAt: null,
    revokedBy: null,
    revokedReason: null,
  };
  it('merging on the end of the grace is open; 1 ms later the pack is expired', () => {
    expect(packClosed(life, life.expiresAt + DAY)).toBeNull();
    expect(packClosed(life, life.expiresAt + DAY + 1)).toMatchObject({ code: 'expired' });
  });
  it('a revoked pack is closed at once, whatever the time', () => {
    expect(packClosed({ ...life, revokedAt: NOW + H, revokedBy: 'lead' }, NOW + H)).toMatchObject({ code: 'revoked' });
  });
  it('a record 10 min before the pack was made is accepted (clock skew); 1 ms more is refused', () => {
    const now = NOW + H;
    expect(timeProblem(NOW - 10 * MIN, life, now)).toBeNull();
    expect(timeProblem(NOW - 10 * MIN - 1, life, now)).toMatch(/before the pack was made/);
  });
  it('a record 10 min ahead of the merging clock is accepted; 1 ms more is in the future', () => {
    const now = NOW + H;
    expect(timeProblem(now + 10 * MIN, life, now)).toBeNull();
    expect(timeProblem(now + 10 * MIN + 1, life, now)).toMatch(/in the future of this merge/);
  });
  it('a record on the end of the grace is accepted; 1 ms after it is outside the life', () => {
    const now = life.expiresAt + DAY;
    expect(timeProblem(life.expiresAt + DAY, life, now)).toBeNull();
    // Merged 5 min later (still before the skew allowance runs out): the record is past the grace.
    expect(timeProblem(life.expiresAt + DAY + 1, life, now + 5 * MIN)).toMatch(/after the pack's life/);
  });
  it('no time, or a time that is not a number, is refused', () => {
    expect(timeProblem(undefined, life, NOW)).toBe('no valid time');
    expect(timeProblem('2024-07-19', life, NOW)).toBe('no valid time');
    expect(timeProblem(Number.NaN, life, NOW)).toBe('no valid time');
  });
});
