// Normaliser rules at their edges: whole-value anchors, the month/day 12 and day 31 bounds, the fast ISO path's guards,
// ring label shapes, list and error-code spellings; expected values worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  ambiguousDayMonth,
  clean,
  errorHex,
  normDeviceType,
  normPlatform,
  normRing,
  parseDate,
  parseDateInfo,
  ringFromLabel,
  splitList,
  type DateInfo,
} from '../../../../core/ingest/normalize.js';
import { shortName } from '../../../../core/shared/hostname.js';

const info = (): DateInfo => ({ zone: false, ambiguous: false, order: null });

describe('clean: a leading tab before spaces', () => {
  it('tab then space then text is trimmed whole', () => {
    expect(clean('\t abc')).toBe('abc');
  });
});

describe('parseDate: the whole cell must be a date', () => {
  it('a "never" word inside other text is unreadable, not never', () => {
    expect(parseDate('xnull')).toBeNaN();
  });

  it('a slash date with text before or after it is unreadable', () => {
    expect(parseDate('x7/19/2024')).toBeNaN();
    expect(parseDate('7/19/2024x')).toBeNaN();
  });

  it('a comma and a space between date and time are one separator', () => {
    expect(parseDate('7/19/2024, 10:00')).toBe(Date.UTC(2024, 6, 19, 10, 0));
  });
});

describe('parseDate: the fast ISO path takes only YYYY-MM-DD with dashes at 4 and 7', () => {
  it('a 9-character year-first date (one-digit day) is read by the general rule', () => {
    expect(parseDate('2024-07-1')).toBe(Date.UTC(2024, 6, 1));
  });

  it('another character where a dash belongs is unreadable', () => {
    expect(parseDate('2024x07-19')).toBeNaN();
    expect(parseDate('2024-07x19')).toBeNaN();
  });

  it('a non-digit first character is unreadable, not a year out of range', () => {
    expect(parseDate('x024-07-19')).toBeNaN();
    expect(parseDate('/024-07-19')).toBeNaN();
  });
});

describe('parseDate: US order by default', () => {
  it('07/08/2024 without day-first is 8 July', () => {
    expect(parseDate('07/08/2024')).toBe(Date.UTC(2024, 6, 8));
  });
});

describe('day/month order evidence at 12', () => {
  it('a first number of 12 is still a month: ambiguous, no order evidence', () => {
    const i = info();
    expect(parseDateInfo('12/07/2024', i, false)).toBe(Date.UTC(2024, 11, 7));
    expect(i).toEqual({ zone: true, ambiguous: true, order: null });
  });

  it('a second number of 12 is still a month: ambiguous, no order evidence', () => {
    const i = info();
    expect(parseDateInfo('07/12/2024', i, false)).toBe(Date.UTC(2024, 6, 12));
    expect(i).toEqual({ zone: true, ambiguous: true, order: null });
  });

  it('ambiguousDayMonth: 12 as the second number is ambiguous; text before the date is not a date', () => {
    expect(ambiguousDayMonth('07/12/2024')).toBe(true);
    expect(ambiguousDayMonth('x07/08/2024')).toBe(false);
  });
});

describe('day 31 is a day', () => {
  it('7/31/2024 is 31 July; 7/32/2024 is unreadable', () => {
    expect(parseDate('7/31/2024')).toBe(Date.UTC(2024, 6, 31));
    expect(parseDate('7/32/2024')).toBeNaN();
  });
});

describe('platforms and device types', () => {
  it('a platform starting with linux is linux, whatever follows', () => {
    expect(normPlatform('Linux Mint')).toBe('linux');
  });

  it('a device type is read after trimming', () => {
    expect(normDeviceType(' DC ')).toBe('dc');
  });
});

describe('ring names', () => {
  it('production, canary, last and ring2 map to their labels', () => {
    expect(normRing('production')).toBe('Production');
    expect(normRing('CANARY')).toBe('Canary');
    expect(normRing('last')).toBe('Last');
    expect(normRing('ring2')).toBe('Fast');
  });

  it('Autopatch labels: trailing spaces ignored, Ring2 without a space, nothing after the ring', () => {
    expect(ringFromLabel('Windows Autopatch-Fast ')).toBe('Fast');
    expect(ringFromLabel('Windows Autopatch-Ring2')).toBe('Fast');
    expect(ringFromLabel('Windows Autopatch - Fast lane')).toBeNull();
  });

  it('"<name> ring" only at the end, with or without a space', () => {
    expect(ringFromLabel('FastRing')).toBe('Fast');
    expect(ringFromLabel('Fast ring devices')).toBeNull();
  });

  it('a phase collection ends in its ring: a number of any length, nothing after it', () => {
    expect(ringFromLabel('Sensor_Ring_12')).toBe('12');
    expect(ringFromLabel('Sensor_Ring_2x')).toBeNull();
  });
});

describe('lists and error codes', () => {
  it('a JSON array with a leading space is still read as JSON', () => {
    expect(splitList(' ["a","b"]')).toEqual(['a', 'b']);
  });

  it('errorHex normalises only a whole 0x value; anything else is kept as written', () => {
    expect(errorHex('0x1f_ab')).toBe('0x1F_AB');
    expect(errorHex('g0x1f')).toBe('g0x1f');
    expect(errorHex('0x1fzz')).toBe('0x1fzz');
  });

  it('a positive decimal beyond 32 bits is written as it is, not wrapped', () => {
    expect(errorHex('4294967296')).toBe('0x100000000');
  });
});

describe('shortName: a leading backslash', () => {
  it('\\PC-1 (an empty domain) is PC-1', () => {
    expect(shortName('\\PC-1')).toBe('PC-1');
  });
});
