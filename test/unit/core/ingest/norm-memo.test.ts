// The normalisers' memo: a column's distinct labels worked out once, null answers kept too, and no more than its bound held.
import { describe, expect, it } from 'vitest';
import { memo } from '../../../../core/ingest/norm-cells.js';
import { ringFromLabel } from '../../../../core/ingest/normalize.js';

describe('memo', () => {
  it('gives what the function gives, asking it once per distinct input, a null answer included', () => {
    const asked: string[] = [];
    const ring = memo((s: string) => {
      asked.push(s);
      return ringFromLabel(s);
    });
    const labels = ['Ring - Test', 'Servers', 'Ring - Test', 'Servers', 'Sensor_Ring_2', 'Ring - Test'];
    expect(labels.map(ring)).toEqual(labels.map(ringFromLabel));
    expect(labels.map(ring)).toEqual(['Test', null, 'Test', null, '2', 'Test']);
    expect(asked).toEqual(['Ring - Test', 'Servers', 'Sensor_Ring_2']);
  });

  it('holds at most its bound: inputs past it are worked out each time', () => {
    const asked: string[] = [];
    const upper = memo((s: string) => {
      asked.push(s);
      return s.toUpperCase();
    }, 2);
    for (const s of ['a', 'b', 'c', 'a', 'b', 'c']) upper(s);
    expect(asked).toEqual(['a', 'b', 'c', 'c']);
  });
});
