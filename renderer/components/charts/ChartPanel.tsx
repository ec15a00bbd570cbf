// A titled chart panel with PNG and SVG export buttons; the chart inside is any recharts chart.
import { useRef, useState, type ReactNode } from 'react';
import { useWorkspace } from '../../app/workspace.js';
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
      >
        {props.empty ? <p className="muted chart-empty">No data for this filter.</p> : props.children}
      </div>
    </figure>
  );
}
