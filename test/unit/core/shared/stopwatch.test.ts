// The bench's step timings: each lap records the time since the previous one, under its prefix, adding up repeats.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stopwatch } from '../../../../core/shared/stopwatch.js';

describe('stopwatch', () => {
  afterEach(() => vi.restoreAllMocks());

  it('records each step since the previous lap, adds a repeated step, and leaves out skipped time', () => {
    const clock = [100, 130, 180, 500, 510, 520];
    vi.spyOn(performance, 'now').mockImplementation(() => clock.shift()!);
    const timings: Record<string, number> = { 'index:old': 7 };
    const { lap, skip } = stopwatch(timings, 'index:');
    lap('a'); // 100 -> 130
    lap('b'); // 130 -> 180
    skip(); // 180 -> 500 belongs to no step
    lap('a'); // 500 -> 510, added to a's 30
    lap('old'); // 510 -> 520, added to what was there
    // By hand: a 30 + 10, b 50, old 7 + 10.
    expect(timings).toEqual({ 'index:a': 40, 'index:b': 50, 'index:old': 17 });
  });

  it('keeps time without a map to write into', () => {
    const { lap, skip } = stopwatch(undefined);
    expect(() => {
      lap('x');
      skip();
      lap('y');
    }).not.toThrow();
  });
});
