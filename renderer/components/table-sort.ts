// Row ordering for the shared table: numbers by value, text in natural order, empty values last in both directions.

export type SortValue = string | number | null | undefined;
export type SortDir = 'asc' | 'desc';

function empty(v: SortValue): boolean {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

/** Compares two cells for `dir`; an empty cell sorts after every filled one whichever way the column is sorted. */
export function compareCells(a: SortValue, b: SortValue, dir: SortDir): number {
  const ea = empty(a);
  const eb = empty(b);
  if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1;
  const c =
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' });
  return dir === 'asc' ? c : -c;
}

/** A stable sort of rows by one column's value (ties keep their incoming order). */
export function sortRows<R>(rows: readonly R[], value: (row: R) => SortValue, dir: SortDir): R[] {
  return rows
    .map((row, i) => ({ row, i, v: value(row) }))
    .sort((x, y) => compareCells(x.v, y.v, dir) || x.i - y.i)
    .map((x) => x.row);
}
