// The text alternative of a chart: its numbers as a table screen readers read inside the chart's one tab stop.
import type { Series } from '../../../core/charts/series.js';

export interface ChartTableData {
  caption: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

const utcMinute = (t: number) => `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** One row per time point, one column per series key. */
export function seriesTable(series: Series, caption: string, timeLabel = 'Time (UTC)'): ChartTableData {
  return {
    caption,
    columns: [timeLabel, ...series.keys],
    rows: series.points.map((p) => [utcMinute(p.t), ...series.keys.map((k) => Number(p[k] ?? 0))]),
  };
}

export function ChartTable(props: { data: ChartTableData; testId?: string }) {
  const { data } = props;
  return (
    <table className="visually-hidden" data-testid={props.testId}>
      <caption>{data.caption}</caption>
      <thead>
        <tr>
          {data.columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {data.rows.map((r, i) => (
          <tr key={i}>
            {r.map((v, j) =>
              j === 0 ? (
                <th key={j} scope="row">
                  {v}
                </th>
              ) : (
                <td key={j}>{typeof v === 'number' ? v.toLocaleString('en-US') : v}</td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
