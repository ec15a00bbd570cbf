// A titled chart panel with PNG and SVG export buttons; the chart inside is any recharts chart.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useWorkspace } from '../../state/workspace.js';
import { ChartTable, type ChartTableData } from './chart-table.js';
import { exportChart } from './export.js';
import { useChartTheme } from './theme.js';

export function ChartPanel(props: {
  title: string;
  testId: string;
  /** 'auto' lets the content set it (small multiples wrap to as many rows as they need). */
  height?: number | 'auto';
  empty?: boolean;
  note?: ReactNode;
  /** Spans the whole chart grid (many small panels). */
  wide?: boolean;
  /** The numbers behind the chart, read by screen readers in place of the drawing. */
  table?: ChartTableData;
  children: ReactNode;
}) {
  const { host } = useWorkspace();
  const theme = useChartTheme();
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const save = async (kind: 'png' | 'svg') => {
    setError(null);
    try {
      if (box.current)
        await exportChart(host, box.current, props.title, kind, { background: theme.panel, text: theme.text });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const id = `${props.testId}-title`;
  useEffect(() => {
    // recharts makes its svg (and legend parts) tab stops of their own: unnamed, several per chart. The chart box is
    // the one stop; whatever recharts renders inside it, now or after a resize, is taken out of the tab order.
    const el = box.current;
    if (!el) return;
    const quiet = () =>
      el.querySelectorAll<HTMLElement | SVGElement>('[tabindex]:not([tabindex="-1"])').forEach((n) => {
        n.setAttribute('tabindex', '-1');
      });
    quiet();
    const watch = new MutationObserver(quiet);
    watch.observe(el, { subtree: true, childList: true, attributes: true, attributeFilter: ['tabindex'] });
    return () => watch.disconnect();
  }, []);
  return (
    <figure className={`panel chart-panel${props.wide ? ' wide' : ''}`} data-testid={props.testId} aria-labelledby={id}>
      <figcaption className="chart-head">
        <h2 id={id}>{props.title}</h2>
        <span className="chart-actions no-print">
          <button
            type="button"
            className="ghost small"
            onClick={() => void save('png')}
            data-testid={`${props.testId}-png`}
          >
            PNG
          </button>
          <button
            type="button"
            className="ghost small"
            onClick={() => void save('svg')}
            data-testid={`${props.testId}-svg`}
          >
            SVG
          </button>
        </span>
      </figcaption>
      {props.note}
      {error && <p className="error">{error}</p>}
      <div
        ref={box}
        className="chart-box"
        style={{ height: props.height === 'auto' ? undefined : (props.height ?? 280) }}
        role="group"
        aria-label={`${props.title}: chart${props.table || !props.empty ? ', its data table follows' : ''}`}
        tabIndex={0}
        data-testid={`${props.testId}-box`}
      >
        {props.empty ? <p className="muted chart-empty">No data for this filter.</p> : props.children}
        {props.table && !props.empty && <ChartTable data={props.table} testId={`${props.testId}-table`} />}
      </div>
    </figure>
  );
}
