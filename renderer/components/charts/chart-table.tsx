// The text alternative of a chart: its numbers as a table screen readers read inside the chart's one tab stop.
import type { Series } from '../../../core/charts/series.js';
import { Table } from '../DataTable.js';

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

type Cell = string | number;

export function ChartTable(props: { data: ChartTableData; testId?: string }) {
  const { data } = props;
  return (
    // Hidden tables are read whole (screen readers, tests): never virtualised.
    <Table
      className="visually-hidden"
      testId={props.testId}
      caption={data.caption}
      captionVisible
      virtualiseAbove={Infinity}
      rows={data.rows}
      rowKey={(_, i) => i}
      columns={data.columns.map((c, j) => ({
        key: `${j}-${c}`,
        label: c,
        rowHeader: j === 0,
        render: (r: Cell[]) => {
          const v = r[j]!;
          return j > 0 && typeof v === 'number' ? v.toLocaleString('en-US') : v;
        },
      }))}
    />
  );
}
