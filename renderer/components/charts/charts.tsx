// The dashboard's charts: state bars per ring/site, crash timeline, burn-down lines. Data comes pre-aggregated from core.
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { DEVICE_STATES, type DeviceState } from '../../../core/contract/analysis.js';
import type { Series } from '../../../core/charts/series.js';
import { STATE_LABEL } from '../../../core/analysis/rules.js';
import { niceTicks } from '../../../core/charts/multiples.js';
import { ringColour, useChartFills, useChartTheme } from './theme.js';

const utcLabel = (t: number, withDate: boolean) => {
  const iso = new Date(t).toISOString();
  return withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
};

/** Stacked bars of device states, one bar per category (ring or site). */
export function StateBars(props: {
  rows: Array<{ name: string; states: Record<DeviceState, number> }>;
  layout?: 'horizontal' | 'vertical';
}) {
  const theme = useChartTheme();
  const fills = useChartFills(theme);
  const data = props.rows.map((r) => ({ name: r.name, ...r.states }));
  const shown = DEVICE_STATES.filter((s) => data.some((d) => d[s] > 0));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" stroke={theme.muted} tick={{ fill: theme.text, fontSize: 13 }} interval={0} />
        <YAxis stroke={theme.muted} tick={{ fill: theme.text, fontSize: 12 }} allowDecimals={false} />
        <Tooltip contentStyle={{ background: theme.panel, borderColor: theme.grid, color: theme.text }} />
        <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v) => <span style={{ color: theme.text }}>{v}</span>} />
        {shown.map((s) => (
          <Bar key={s} dataKey={s} name={STATE_LABEL[s]} stackId="st" fill={fills.state[s]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

/** One line per key over time; `kind` picks labels (crash counts vs devices down). */
export function TimeLines(props: { series: Series; colourBy: 'ring' | 'index'; yLabel: string; bars?: boolean }) {
  const theme = useChartTheme();
  const fills = useChartFills(theme);
  const { keys, points } = props.series;
  // Round ticks at any size: stacked bars top out at the largest bucket's sum, lines at the largest value.
  let top = 0;
  for (const p of points) {
    let sum = 0;
    for (const k of keys) sum = props.bars ? sum + (p[k] ?? 0) : Math.max(sum, p[k] ?? 0);
    top = Math.max(top, sum);
  }
  const ticks = niceTicks(top);
  const multiDay = points.length > 1 && points[points.length - 1]!.t - points[0]!.t > 86400_000;
  const colour = (k: string, i: number) => (props.colourBy === 'ring' ? ringColour(theme, k, keys) : theme.series(i));
  const axis = (
    <>
      <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        scale="time"
        domain={['dataMin', 'dataMax']}
        tickFormatter={(t: number) => utcLabel(t, multiDay)}
        stroke={theme.muted}
        tick={{ fill: theme.text, fontSize: 12 }}
      />
      <YAxis
        stroke={theme.muted}
        tick={{ fill: theme.text, fontSize: 12 }}
        domain={[0, ticks[ticks.length - 1]!]}
        ticks={ticks}
        tickFormatter={(v: number) => v.toLocaleString('en-US')}
        width={Math.max(40, 9 + 7.5 * ticks[ticks.length - 1]!.toLocaleString('en-US').length)}
      />
      <Tooltip
        labelFormatter={(t) => `${utcLabel(Number(t), true)} UTC`}
        contentStyle={{ background: theme.panel, borderColor: theme.grid, color: theme.text }}
      />
      <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v) => <span style={{ color: theme.text }}>{v}</span>} />
    </>
  );
  if (props.bars)
    return (
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          {axis}
          {keys.map((k, i) => (
            <Bar key={k} dataKey={k} stackId="k" fill={fills.series(colour(k, i), i)} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    );
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        {axis}
        {keys.map((k, i) => (
          <Line
            key={k}
            dataKey={k}
            type="stepAfter"
            stroke={colour(k, i)}
            strokeWidth={2}
            strokeDasharray={i >= 6 && props.colourBy === 'index' ? '5 3' : undefined}
            dot={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
