// Burn-down as small multiples: one small panel per ring or site, shared axes, sorted by devices still down.
import { useState } from 'react';
import { Table } from '../DataTable.js';
import { Area, AreaChart, CartesianGrid, ReferenceDot, Tooltip, XAxis, YAxis } from 'recharts';
import { smallMultiples } from '../../../core/charts/multiples.js';
import type { Series } from '../../../core/charts/series.js';
import { useChartTheme } from './theme.js';

const fmt = (n: number) => n.toLocaleString('en-US');
const pct = (v: number) => (v >= 10 || v === 0 ? `${Math.round(v)} %` : `${v.toFixed(1)} %`);
/** Counts on a narrow axis: 180,000 → 180k. */
const short = (v: number) =>
  v >= 1e6
    ? `${+(v / 1e6).toFixed(1)}M`
    : v >= 1e4
      ? `${+(v / 1e3).toFixed(0)}k`
      : v >= 1e3
        ? `${+(v / 1e3).toFixed(1)}k`
        : fmt(v);
/** Axis ticks: the day over a multi-day span, the time within one day (short enough for a 200 px panel). */
const tickLabel = (t: number, multiDay: boolean) => {
  const iso = new Date(t).toISOString();
  return multiDay ? iso.slice(5, 10) : iso.slice(11, 16);
};
const tipLabel = (t: number) => {
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
};

/** A panel's level at time t on its step line: the last point at or before t (0 before the first). */
function levelAt(points: readonly { t: number; v: number }[], t: number): number {
  let v = 0;
  for (const p of points) {
    if (p.t > t) break;
    v = p.v;
  }
  return v;
}

const PANEL_W = 210;
const PANEL_H = 120;

export function SmallMultiples(props: {
  series: Series;
  /** Devices per ring or site: the share view's denominators. */
  sizes: ReadonlyMap<string, number>;
  unit: string;
  testId: string;
  colour?: (key: string) => string;
  /** Each export's as-of time: drawn as a dot on every panel's line (the caller lists them as text too). */
  marks?: readonly number[];
}) {
  const theme = useChartTheme();
  const [mode, setMode] = useState<'share' | 'count'>('share');
  const m = smallMultiples(props.series, { sizes: props.sizes, mode });
  // The time axis reaches every export's as-of time (the last one is often the data time, past the last bucket).
  const marks = props.marks ?? [];
  const x: [number, number] = marks.length
    ? [Math.min(m.x[0], ...marks), Math.max(m.x[1], ...marks)]
    : [m.x[0], m.x[1]];
  const multiDay = x[1] - x[0] > 86400_000;
  const yTicks = [0, m.yMax / 2, m.yMax];
  const xTicks = [x[0], x[0] + (x[1] - x[0]) / 2, x[1]];
  const yFmt = (v: number) => (mode === 'share' ? `${+v.toFixed(1)}%` : short(v));
  return (
    <div className="small-multiples" data-testid={props.testId} data-multiples="">
      <div className="segmented no-print" role="group" aria-label="Burn-down values" data-chart-controls="">
        {(['share', 'count'] as const).map((k) => (
          <button
            key={k}
            type="button"
            className={`ghost small${mode === k ? ' active' : ''}`}
            aria-pressed={mode === k}
            style={mode === k ? { fontWeight: 700, textDecoration: 'underline' } : undefined}
            data-testid={`${props.testId}-${k}`}
            onClick={() => setMode(k)}
          >
            {k === 'share' ? `% of ${props.unit} down` : 'Devices down'}
          </button>
        ))}
        <span className="muted small"> Shared axes: 0 – {yFmt(m.yMax)}, sorted by devices still down.</span>
      </div>
      <div className="sm-grid">
        {m.panels.map((p) => {
          const colour = props.colour?.(p.key) ?? theme.series(0);
          return (
            <div
              key={p.key}
              className="sm-panel"
              data-key={p.key}
              data-down={p.down}
              data-size={p.size}
              data-title={`${p.key}: ${fmt(p.down)} down`}
            >
              <div className="sm-title">
                <strong>{p.key}</strong>{' '}
                <span className="muted">
                  {fmt(p.down)} down{p.size ? ` of ${fmt(p.size)}` : ''}
                </span>
              </div>
              <AreaChart
                width={PANEL_W}
                height={PANEL_H}
                data={p.points}
                margin={{ top: 4, right: 18, bottom: 0, left: 0 }}
              >
                <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" vertical={false} />
                <XAxis
                  dataKey="t"
                  type="number"
                  scale="time"
                  domain={x}
                  ticks={xTicks}
                  tickFormatter={(t: number) => tickLabel(t, multiDay)}
                  stroke={theme.muted}
                  tick={{ fill: theme.text, fontSize: 10 }}
                  height={18}
                  interval={0}
                />
                <YAxis
                  domain={[0, m.yMax]}
                  ticks={yTicks}
                  allowDataOverflow
                  tickFormatter={yFmt}
                  stroke={theme.muted}
                  tick={{ fill: theme.text, fontSize: 10 }}
                  width={40}
                />
                <Tooltip
                  labelFormatter={(t) => tipLabel(Number(t))}
                  formatter={(v) => [
                    mode === 'share' ? `${pct(Number(v))} of ${fmt(p.size)}` : `${fmt(Number(v))} devices`,
                    `${p.key} down`,
                  ]}
                  contentStyle={{ background: theme.panel, borderColor: theme.grid, color: theme.text, fontSize: 12 }}
                />
                <Area
                  dataKey="v"
                  type="stepAfter"
                  stroke={colour}
                  strokeWidth={1.5}
                  fill={colour}
                  fillOpacity={0.25}
                  dot={false}
                  isAnimationActive={false}
                />
                {marks.map((t) => (
                  <ReferenceDot
                    key={t}
                    x={t}
                    y={levelAt(p.points, t)}
                    r={3}
                    fill={theme.panel}
                    stroke={colour}
                    strokeWidth={1.5}
                    className="sm-export-point"
                  />
                ))}
              </AreaChart>
            </div>
          );
        })}
      </div>
      <Table
        className="visually-hidden"
        testId={`${props.testId}-values`}
        caption={`Devices still down per ${props.unit}, in panel order`}
        captionVisible
        virtualiseAbove={Infinity}
        rows={m.panels}
        rowKey={(p) => p.key}
        rowProps={(p) => ({ 'data-key': p.key, 'data-down': p.down, 'data-size': p.size })}
        columns={[
          { key: 'key', label: props.unit, rowHeader: true, render: (p) => p.key },
          { key: 'down', label: 'Devices still down', render: (p) => p.down },
        ]}
      />
    </div>
  );
}
