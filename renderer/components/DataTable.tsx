// The tables: DataTable, a virtualised grid over paged rows (the device explorer), and Table, every other table view.
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  Fragment,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type HTMLAttributes,
  type KeyboardEvent,
  type Key,
  type ReactNode,
} from 'react';
import { sortRows, type SortDir, type SortValue } from './table-sort.js';

export interface Column<R> {
  key: string;
  label: string;
  /** A CSS grid track, e.g. "minmax(160px, 2fr)". */
  width: string;
  render: (row: R) => ReactNode;
  sortable?: boolean;
}

export interface DataTableProps<R> {
  testId: string;
  label: string;
  columns: Column<R>[];
  total: number;
  /** The row at an index, or undefined while its page loads. */
  rowAt: (index: number) => R | undefined;
  /** Called with the visible index range so the owner can fetch the pages it needs. */
  onRange: (start: number, end: number) => void;
  sort?: { key: string; dir: 'asc' | 'desc' };
  onSort?: (key: string) => void;
  onOpen?: (row: R, index: number) => void;
  rowKey: (row: R) => string | number;
  rowHeight?: number;
  height?: number | string;
}

export function DataTable<R>(props: DataTableProps<R>) {
  const { columns, total, rowAt, onRange, rowHeight = 34 } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const head = useRef<HTMLDivElement>(null);
  // The header is sticky inside the one scrolling grid (a scrolling region must be focusable, and the grid is the
  // focus): the virtualizer counts its height as a margin so rows are placed, and scrolled to, below it.
  const [headHeight, setHeadHeight] = useState(0);
  useLayoutEffect(() => {
    setHeadHeight(head.current?.offsetHeight ?? 0);
  }, [columns]);
  const [active, setActive] = useState(0);
  const grid = columns.map((c) => c.width).join(' ');
  // Columns never shrink below their minimum (a UTC time stays whole): a narrow table scrolls sideways instead.
  const minWidth = columns.reduce((n, c) => n + (Number(/minmax\((\d+)px/.exec(c.width)?.[1]) || 80), 0);
  // The compiler cannot memoise through the virtualizer; this component is not memoised, so that is fine.
  // eslint-disable-next-line react-hooks/incompatible-library
  const v = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    scrollMargin: headHeight,
    scrollPaddingStart: headHeight,
  });
  const items = v.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (total > 0) onRange(first, last);
  }, [first, last, total, onRange]);
  useEffect(() => setActive((a) => Math.min(a, Math.max(0, total - 1))), [total]);

  const move = (to: number) => {
    const i = Math.max(0, Math.min(total - 1, to));
    setActive(i);
    v.scrollToIndex(i, { align: 'auto' });
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 400) / rowHeight) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      PageDown: () => move(active + page),
      PageUp: () => move(active - page),
      Home: () => move(0),
      End: () => move(total - 1),
      Enter: () => {
        const r = rowAt(active);
        if (r && props.onOpen) props.onOpen(r, active);
      },
    };
    const fn = keys[e.key];
    if (fn) {
      e.preventDefault();
      fn();
    }
  };
  const activeId = total ? `${props.testId}-row-${active}` : undefined;

  return (
    // The grid is the one focusable element (arrow keys move the active row); header and body are its row groups.
    <div
      ref={scroller}
      className="datatable"
      data-testid={props.testId}
      role="grid"
      aria-label={props.label}
      aria-rowcount={total + 1}
      aria-activedescendant={activeId}
      tabIndex={0}
      onKeyDown={onKey}
      style={{ height: props.height ?? '60vh' }}
    >
      <div className="dt-head" role="rowgroup" ref={head}>
        <div role="row" aria-rowindex={1} className="dt-head-row" style={{ gridTemplateColumns: grid, minWidth }}>
          {columns.map((c) => {
            const sorted = props.sort?.key === c.key;
            return (
              <div
                key={c.key}
                role="columnheader"
                aria-sort={sorted ? (props.sort!.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {c.sortable && props.onSort ? (
                  <button type="button" className="dt-sort" onClick={() => props.onSort!(c.key)}>
                    {c.label} {sorted ? (props.sort!.dir === 'asc' ? '▲' : '▼') : ''}
                  </button>
                ) : (
                  c.label
                )}
              </div>
            );
          })}
        </div>
      </div>
      <div className="dt-body" role="rowgroup" style={{ height: v.getTotalSize(), position: 'relative' }}>
        {items.map((it) => {
          const row = rowAt(it.index);
          return (
            <div
              key={row ? props.rowKey(row) : `loading-${it.index}`}
              id={`${props.testId}-row-${it.index}`}
              role="row"
              aria-rowindex={it.index + 2}
              aria-selected={it.index === active}
              className={`dt-row${it.index === active ? ' active' : ''}${row ? '' : ' loading'}`}
              style={{
                transform: `translateY(${it.start - headHeight}px)`,
                height: rowHeight,
                gridTemplateColumns: grid,
                minWidth,
              }}
              onClick={() => {
                setActive(it.index);
                if (row && props.onOpen) props.onOpen(row, it.index);
              }}
            >
              {columns.map((c) => (
                <div key={c.key} role="gridcell">
                  {row ? c.render(row) : c === columns[0] ? '…' : ''}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}

export interface TableColumn<R> {
  key: string;
  label: ReactNode;
  render: (row: R, index: number) => ReactNode;
  /** A column with a sort value can be sorted by its header; empty values go last in both directions. */
  sortValue?: (row: R) => SortValue;
  /** Class of the column's cells (num-cell for figures); headerClass for its header. */
  className?: string;
  headerClass?: string;
  /** Extra attributes on a cell (data-k for tests and styles). */
  cellProps?: (row: R) => HTMLAttributes<HTMLTableCellElement> & Record<`data-${string}`, string | undefined>;
  /** The column names the row: its cells are row headers. */
  rowHeader?: boolean;
}

export interface TableProps<R> {
  columns: TableColumn<R>[];
  rows: readonly R[];
  rowKey: (row: R, index: number) => Key;
  testId?: string;
  className?: string;
  /** An accessible name: a visible heading's id, an aria-label, or a caption (hidden unless captionVisible). */
  labelledBy?: string;
  label?: string;
  caption?: string;
  captionVisible?: boolean;
  rowProps?: (row: R, index: number) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, unknown>;
  initialSort?: { key: string; dir: SortDir };
  /** A full-width row under a row (an expanded detail), or null; such a table is never virtualised. */
  rowDetail?: (row: R) => ReactNode | null;
  /** Shown in a full-width row when there are no rows; the header stays. */
  empty?: ReactNode;
  /** Above this many rows only the visible ones are in the DOM, in a scrolling box of `maxHeight`. */
  virtualiseAbove?: number;
  maxHeight?: number | string;
  rowHeight?: number;
}

/**
 * A semantic <table> (so screen readers, copy and paste, and printing work as for any table) with a header always,
 * optional sorting by column, and virtualised rows for long lists.
 */
export function Table<R>(props: TableProps<R>) {
  const { columns, rows, virtualiseAbove = 300, maxHeight = 480, rowHeight = 30 } = props;
  const [sort, setSort] = useState(props.initialSort);
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const col = columns.find((c) => c.key === sort.key);
    return col?.sortValue ? sortRows(rows, col.sortValue, sort.dir) : rows;
  }, [rows, columns, sort]);
  const virtual = !props.rowDetail && sorted.length > virtualiseAbove;
  const box = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- see DataTable: this component is not memoised
  const v = useVirtualizer({
    count: virtual ? sorted.length : 0,
    getScrollElement: () => box.current,
    estimateSize: () => rowHeight,
    overscan: 20,
  });
  const items = virtual ? v.getVirtualItems() : sorted.map((_, index) => ({ index, start: 0, end: 0 }));
  const top = virtual ? (items[0]?.start ?? 0) : 0;
  const bottom = virtual ? v.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;

  const table = (
    <table
      className={props.className}
      data-testid={props.testId}
      aria-labelledby={props.labelledBy}
      aria-label={props.label}
      aria-rowcount={virtual ? sorted.length + 1 : undefined}
    >
      {props.caption && (
        <caption className={props.captionVisible ? undefined : 'visually-hidden'}>{props.caption}</caption>
      )}
      <thead>
        <tr>
          {columns.map((c) => {
            const on = sort?.key === c.key;
            return (
              <th
                key={c.key}
                scope="col"
                className={c.headerClass}
                aria-sort={on ? (sort!.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {c.sortValue ? (
                  <button
                    type="button"
                    className="dt-sort"
                    onClick={() => setSort({ key: c.key, dir: on && sort!.dir === 'asc' ? 'desc' : 'asc' })}
                  >
                    {c.label} {on ? (sort!.dir === 'asc' ? '▲' : '▼') : ''}
                  </button>
                ) : (
                  c.label
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {top > 0 && <tr aria-hidden="true" style={{ height: top }} />}
        {items.map(({ index }) => {
          const row = sorted[index]!;
          const detail = props.rowDetail?.(row);
          const key = props.rowKey(row, index);
          return (
            <Fragment key={key}>
              <tr
                key={props.rowKey(row, index)}
                aria-rowindex={virtual ? index + 2 : undefined}
                {...props.rowProps?.(row, index)}
              >
                {columns.map((c) => {
                  const Cell = c.rowHeader ? 'th' : 'td';
                  return (
                    <Cell
                      key={c.key}
                      scope={c.rowHeader ? 'row' : undefined}
                      className={c.className}
                      {...c.cellProps?.(row)}
                    >
                      {c.render(row, index)}
                    </Cell>
                  );
                })}
              </tr>
              {detail != null && (
                <tr>
                  <td colSpan={columns.length}>{detail}</td>
                </tr>
              )}
            </Fragment>
          );
        })}
        {bottom > 0 && <tr aria-hidden="true" style={{ height: bottom }} />}
        {sorted.length === 0 && props.empty !== undefined && (
          <tr>
            <td colSpan={columns.length} className="muted">
              {props.empty}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
  if (!virtual) return table;
  return (
    // A scrolling region must be reachable by keyboard; it is named after the table it holds.
    <div
      ref={box}
      className="table-scroll"
      tabIndex={0}
      role="region"
      aria-label={props.label ?? props.caption ?? 'Table'}
      style={{ maxHeight, overflow: 'auto' }}
    >
      {table}
    </div>
  );
}
