// Crash-rate timeline: cumulative % of each ring crashed, the policy's crash gates as lines, the replay's trips as marks.
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { DashFilter } from '../../../core/analysis/filter.js';
import { useQuery } from '../../state/workspace.js';
import { ChartPanel } from './ChartPanel.js';
import { seriesTable } from './chart-table.js';
import { ringColour, useChartTheme } from './theme.js';

const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);
const fmt = (n: number) => n.toLocaleString('en-US');
/** One dash style per ring (Test solid), far enough apart to tell in black-and-white print and in the legend. */
const DASHES = ['', '10 4', '2 3', '12 3 2 3', '5 5', '1 6'];

export function CrashRateChart(props: { filter: DashFilter; testId?: string }) {
  const theme = useChartTheme();
  const rate = useQuery((db) => db.crashRate(props.filter), [props.filter]);
  // The default policy's replay: when its gates would have tripped on this rollout, and what that would have spared.
  const replay = useQuery(async (db) => {
    const policy = await db.defaultPolicy();
    return { policy, res: await db.replay(policy) };
  }, []);
  const r = rate.data;
  const res = replay.data?.res;
  const keys = r?.rings.map((x) => x.ring) ?? [];
  // A trip after the last crash is still drawn: the cumulative rates hold their last values until then.
  const last = r?.points[r.points.length - 1];
  const points =
    r && last && res?.halt && res.halt.at > last.t ? [...r.points, { ...last, t: res.halt.at }] : (r?.points ?? []);
  const multiDay = points.length > 1 && points[points.length - 1]!.t - points[0]!.t > 86400_000;
  const thresholds = [
    ...new Set((replay.data?.policy.gates ?? []).filter((g) => g.metric === 'crash').map((g) => g.thresholdPercent)),
  ];
  return (
    <ChartPanel
      title="Crash rate: % of each ring crashed"
      testId={props.testId ?? 'crash-rate-chart'}
      empty={!r?.points.length}
      table={
        r
          ? seriesTable({ keys, points: r.points, bucketMs: r.bucketMs }, 'Crash rate, % of each ring crashed')
          : undefined
      }
      note={
        res && (
          <p
            className="small"
            data-testid={props.testId ? `${props.testId}-trip` : 'crash-rate-trip'}
            data-trip-at={res.halt?.at ?? ''}
            data-spared={res.totals.spared}
            data-t0={r?.points[0]?.t ?? ''}
            data-t1={points[points.length - 1]?.t ?? ''}
          >
            {res.halt
              ? `${res.policy.name}: gate would trip in ${res.halt.ring} at ${hhmm(res.halt.at)} UTC, sparing ${fmt(res.totals.spared)} devices. `
              : `${res.policy.name}: no gate would have tripped. `}
            <a href="#/replay">Open the rollout replay</a>
          </p>
        )
      }
    >
      {r && (
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 16, right: 24, bottom: 8, left: 8 }}>
            <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={['dataMin', 'dataMax']}
              tickFormatter={(t: number) =>
                multiDay ? `${new Date(t).toISOString().slice(5, 10)} ${hhmm(t)}` : hhmm(t)
              }
              stroke={theme.muted}
              tick={{ fill: theme.text, fontSize: 12 }}
            />
            <YAxis
              stroke={theme.muted}
              tick={{ fill: theme.text, fontSize: 12 }}
              tickFormatter={(v: number) => `${v} %`}
              width={52}
            />
            <Tooltip
              labelFormatter={(t) => `${hhmm(Number(t))} UTC`}
              formatter={(v) => `${Number(v).toFixed(2)} %`}
              contentStyle={{ background: theme.panel, borderColor: theme.grid, color: theme.text }}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v) => <span style={{ color: theme.text }}>{v}</span>} />
            {keys.map((k, i) => (
              <Line
                key={k}
                dataKey={k}
                type="stepAfter"
                stroke={ringColour(theme, k, keys)}
                strokeWidth={2.5}
                legendType="plainline"
                strokeDasharray={DASHES[i % DASHES.length] || undefined}
                dot={false}
                isAnimationActive={false}
              />
            ))}
            {res?.halt && (
              <ReferenceLine
                x={res.halt.at}
                stroke={theme.text}
                strokeDasharray="4 2"
                label={{
                  value: `trip ${hhmm(res.halt.at)}`,
                  fill: theme.text,
                  fontSize: 11,
                  // Right of the line, or left of it in the chart's right half, so the label is never cut off.
                  position:
                    points.length && res.halt.at > (points[0]!.t + points[points.length - 1]!.t) / 2
                      ? 'insideTopRight'
                      : 'insideTopLeft',
                }}
              />
            )}
            {thresholds.map((y) => (
              <ReferenceLine
                key={y}
                y={y}
                stroke={theme.muted}
                strokeDasharray="2 2"
                label={{ value: `gate ${y} %`, fill: theme.text, fontSize: 11, position: 'insideBottomRight' }}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      )}
    </ChartPanel>
  );
}
