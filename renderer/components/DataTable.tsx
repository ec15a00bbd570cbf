// A virtualised, keyboard-navigable table for very large row counts: only the visible rows exist in the DOM.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

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
