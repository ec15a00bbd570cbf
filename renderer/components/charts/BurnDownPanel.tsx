// One burn-down chart panel (small multiples per ring or site), shared by the Overview and the report so both show the same chart.
import type { ReactNode } from 'react';
import type { Series } from '../../../core/charts/series.js';
import { ChartPanel } from './ChartPanel.js';
import { seriesTable } from './chart-table.js';
import { SmallMultiples } from './SmallMultiples.js';
import { ringColour, useChartTheme } from './theme.js';

export function BurnDownPanel(props: {
  by: 'ring' | 'site';
  title: string;
  /** Test id of the panel; the small multiples inside get `multiplesTestId`. */
  testId: string;
  multiplesTestId: string;
  series: Series;
  /** Devices per ring or site: the share view's denominators. */
  rows: ReadonlyArray<{ key: string; devices: number }>;
  /** Times of each export's "as of", drawn as dots on every panel. */
  marks?: number[];
  children?: ReactNode;
}) {
  const theme = useChartTheme();
  const { series, by } = props;
  return (
    <ChartPanel
      title={props.title}
      testId={props.testId}
      empty={!series.points.length}
      table={seriesTable(series, `Devices still down, by ${by}`)}
      height="auto"
      // Sites are many: their panels take the whole width of the chart grid.
      wide={by === 'site'}
    >
      <SmallMultiples
        series={series}
        sizes={new Map(props.rows.map((r) => [r.key, r.devices]))}
        unit={by}
        testId={props.multiplesTestId}
        colour={by === 'ring' ? (k) => ringColour(theme, k, series.keys) : undefined}
        marks={props.marks}
      />
      {props.children}
    </ChartPanel>
  );
}
