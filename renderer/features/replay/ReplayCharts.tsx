// Replay charts: devices reached over time per ring (actual dashed, simulated solid) and devices spared per ring.
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
import type { ReplayResult } from '../../../core/replay/simulate.js';
import { useChartTheme } from '../../components/charts/theme.js';

const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);

export function SpreadChart(props: { result: ReplayResult }) {
  const theme = useChartTheme();
  const { rings, points } = props.result.charts.spread;
  return (
    <ResponsiveContainer width="100%" height={300}>
      <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={['dataMin', 'dataMax']}
          tickFormatter={hhmm}
          stroke={theme.muted}
          tick={{ fill: theme.text, fontSize: 12 }}
        />
        <YAxis stroke={theme.muted} tick={{ fill: theme.text, fontSize: 12 }} allowDecimals={false} />
        <Tooltip
          labelFormatter={(t) => `${hhmm(Number(t))} UTC`}
          contentStyle={{ background: theme.panel, borderColor: theme.grid, color: theme.text }}
        />
        <Legend wrapperStyle={{ color: theme.text, fontSize: 12 }} />
        {rings.map((r, k) => (
          <Line
            key={`a${k}`}
            dataKey={`a${k}`}
            name={`${r} actual`}
            stroke={theme.series(k)}
            strokeDasharray="4 3"
            dot={false}
            isAnimationActive={false}
          />
        ))}
        {rings.map((r, k) => (
          <Line
            key={`s${k}`}
            dataKey={`s${k}`}
            name={`${r} simulated`}
            stroke={theme.series(k)}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

export function SparedChart(props: { result: ReplayResult }) {
  const theme = useChartTheme();
  return (
    <ResponsiveContainer width="100%" height={260}>
      <BarChart data={props.result.charts.spared} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
        <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="ring" stroke={theme.muted} tick={{ fill: theme.text, fontSize: 13 }} interval={0} />
        <YAxis stroke={theme.muted} tick={{ fill: theme.text, fontSize: 12 }} allowDecimals={false} />
        <Tooltip contentStyle={{ background: theme.panel, borderColor: theme.grid, color: theme.text }} />
        <Legend wrapperStyle={{ color: theme.text, fontSize: 12 }} />
        <Bar dataKey="reached" name="still reached" fill={theme.series(1)} isAnimationActive={false} />
        <Bar dataKey="spared" name="spared" fill={theme.series(2)} isAnimationActive={false} />
        <Bar dataKey="crashesAvoided" name="crashes avoided" fill={theme.series(0)} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
