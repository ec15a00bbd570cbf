// Batches packed for the thread handover (packRows / unpackRows): the rows come back cell for cell, repeats cross once.
import { describe, expect, it } from 'vitest';
import { packRows, unpackRows } from '../../../../core/ingest/read-plan.js';

describe('packed row batches', () => {
  it('give back every row cell for cell: ragged widths, empty rows, cells the row lacks, rows past the count left out', () => {
    const rows: string[][] = [
      ['2024-07-19T04:09:00Z', 'installed', 'H1'],
      ['2024-07-19T04:10:00Z', 'crashed', 'H1', 'extra'],
      [],
      ['', 'installed'],
      ['x', undefined as unknown as string, 'H2'],
      ['not', 'sent'],
    ];
    const back = unpackRows(packRows(rows, 5));
    expect(back).toEqual(rows.slice(0, 5));
    expect(back.map((r) => r.length)).toEqual([3, 4, 0, 2, 3]);
    // The lacking cell is an undefined cell, not a hole and not ''.
    expect(1 in back[4]!).toBe(true);
    expect(back[4]![1]).toBeUndefined();
  });

  it('send a repeated cell once a batch, a column of new values (a time column) as it is', () => {
    // 200 rows: a state that never changes, a device named by five rows running, and a time new on every row.
    const rows = Array.from({ length: 200 }, (_, r) => [`t${r}`, 'installed', `host-${Math.floor(r / 5)}`]);
    const packed = packRows(rows, rows.length);
    // 200 times + 1 state + 40 devices (200 / 5).
    expect(packed.strings.length).toBe(241);
    expect(packed.cells.length).toBe(600);
    expect(packed.ends[0]).toBe(3);
    expect(packed.ends[199]).toBe(600);
    expect(unpackRows(packed)).toEqual(rows);
    // Rows that share a cell share the string handed over for it.
    expect(packed.cells[1]).toBe(packed.cells[3 * 199 + 1]);
  });

  it('give a cell equal to the row above its string, whether the row above had it from the lookups or new', () => {
    // Runs of equal cells (a device's rows together), a cell that returns after another, and cells the rows lack.
    const rows = [
      ['a', 'x', 'p'],
      ['a', 'y', 'p'],
      ['b', 'x'],
      ['b', 'x', 'p'],
      ['a', undefined as unknown as string, 'q'],
      ['a', 'x', 'q'],
    ];
    const packed = packRows(rows, rows.length);
    expect(unpackRows(packed)).toEqual(rows);
    // Each distinct cell of a column once: a, b / x, y / p, q.
    expect(packed.strings).toEqual(['a', 'x', 'p', 'y', 'b', 'q']);
    const at = (r: number, j: number) => packed.cells[(r === 0 ? 0 : packed.ends[r - 1]!) + j];
    expect([at(1, 0), at(3, 1), at(5, 0), at(5, 1), at(5, 2)]).toEqual([0, 1, 0, 1, 5]);
  });

  it('keep a column of new values out of the lookups after the trial rows, and still give it back', () => {
    // A column that repeats only after the first 100 rows: past the trial it is no longer looked up.
    const rows = Array.from({ length: 300 }, (_, r) => [String(r % 100)]);
    const packed = packRows(rows, rows.length);
    // Every one of rows 0-64 is new: at row 64 (65 new of 65) the column leaves the lookups, so each cell is sent.
    expect(packed.strings.length).toBe(300);
    expect(unpackRows(packed)).toEqual(rows);
  });
});
