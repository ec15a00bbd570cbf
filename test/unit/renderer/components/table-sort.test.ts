// The shared table's ordering: empty cells last in both directions, numbers by value, text in natural order, stable.
import { describe, expect, it } from 'vitest';
import { compareCells, sortRows } from '../../../../renderer/components/table-sort.js';

describe('table sort', () => {
  const rows = [
    { id: 'a', n: 3 },
    { id: 'b', n: null },
    { id: 'c', n: 10 },
    { id: 'd', n: undefined },
    { id: 'e', n: 2 },
  ];

  it('puts empty cells last ascending and descending', () => {
    expect(sortRows(rows, (r) => r.n, 'asc').map((r) => r.id)).toEqual(['e', 'a', 'c', 'b', 'd']);
    expect(sortRows(rows, (r) => r.n, 'desc').map((r) => r.id)).toEqual(['c', 'a', 'e', 'b', 'd']);
  });

  it('orders text naturally (PC-2 before PC-10) and ignores case; an empty string is empty', () => {
    const hosts = ['PC-10', 'pc-2', '', 'PC-1'];
    expect(sortRows(hosts, (h) => h, 'asc')).toEqual(['PC-1', 'pc-2', 'PC-10', '']);
    expect(sortRows(hosts, (h) => h, 'desc')).toEqual(['PC-10', 'pc-2', 'PC-1', '']);
  });

  it('keeps ties in their incoming order', () => {
    const tied = [
      { id: 1, v: 'x' },
      { id: 2, v: 'x' },
      { id: 3, v: 'a' },
    ];
    expect(sortRows(tied, (r) => r.v, 'desc').map((r) => r.id)).toEqual([1, 2, 3]);
    expect(compareCells(NaN, 1, 'desc')).toBe(1);
  });
});
