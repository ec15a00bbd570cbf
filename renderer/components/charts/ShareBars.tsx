// State bars per ring or site with a "share of ring" (100 % stacked) view by default and counts one toggle away.
import { useState } from 'react';
import { Table } from '../DataTable.js';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DEVICE_STATES, type DeviceState } from '../../../core/contract/analysis.js';
import { STATE_LABEL } from '../../../core/analysis/rules.js';
import { shareRows } from '../../../core/charts/share.js';
import { useChartFills, useChartTheme } from './theme.js';

const fmt = (n: number) => n.toLocaleString('en-US');
const pct = (v: number) => (v >= 10 || v === 0 ? `${Math.round(v)} %` : `${v.toFixed(1)} %`);

type Datum = { name: string; devices: number } & Record<string, number | string>;

/** Share is the default: a 3-device ring and a 190,000-device ring are both a full-height bar. */
export function ShareBars(props: {
  rows: Array<{ name: string; states: Record<DeviceState, number>; suspected?: Record<DeviceState, number> }>;
  testId: string;
  unit: string;
  /** A click on a segment: the row (ring or site) and the state it shows. */
  onSelect?: (name: string, state: DeviceState, certainty: 'confirmed' | 'suspected') => void;
}) {
  const theme = useChartTheme();
  const fills = useChartFills(theme);
  const [mode, setMode] = useState<'share' | 'count'>('share');
  const rows = shareRows(props.rows);
  const susOf = (name: string) => props.rows.find((x) => x.name === name)?.suspected;
  const data: Datum[] = rows.map((r) => {
    const d: Datum = { name: r.name, devices: r.devices };
    const sus = susOf(r.name);
    for (const s of DEVICE_STATES) {
      const v = mode === 'share' ? r.share[s] : r.counts[s];
      // Confirmed and suspected are two shades of the state's colour: the segment splits by count.
      const part = r.counts[s] ? (sus?.[s] ?? 0) / r.counts[s] : 0;
      d[s] = v * (1 - part);
      d[`sus_${s}`] = v * part;
      d[`n_${s}`] = r.counts[s];
      d[`p_${s}`] = r.share[s];
      d[`ns_${s}`] = sus?.[s] ?? 0;
    }
    return d;
  });
  const shown = DEVICE_STATES.filter((s) => rows.some((r) => r.counts[s] > 0));
  const shownSus = shown.filter((s) => props.rows.some((r) => (r.suspected?.[s] ?? 0) > 0));
  const select = (state: DeviceState, certainty: 'confirmed' | 'suspected') =>
    props.onSelect
      ? (entry: unknown) => props.onSelect!(String((entry as { name?: string }).name ?? ''), state, certainty)
      : undefined;
  return (
    <div className="share-bars" style={{ height: '100%', display: 'flex', flexDirection: 'column' }}>
      <div className="segmented no-print" role="group" aria-label="Bar values" data-chart-controls="">
        {(['share', 'count'] as const).map((m) => (
          <button
            key={m}
            type="button"
            className={`ghost small${mode === m ? ' active' : ''}`}
            aria-pressed={mode === m}
            style={mode === m ? { fontWeight: 700, textDecoration: 'underline' } : undefined}
            data-testid={`${props.testId}-${m}`}
            onClick={() => setMode(m)}
          >
            {m === 'share' ? `% of ${props.unit}` : 'Devices'}
          </button>
        ))}
      </div>
      <div style={{ flex: 1, minHeight: 0 }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid stroke={theme.grid} strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="name"
              stroke={theme.muted}
              tick={{ fill: theme.text, fontSize: 12 }}
              interval={data.length > 14 ? 'preserveStartEnd' : 0}
            />
            <YAxis
              stroke={theme.muted}
              tick={{ fill: theme.text, fontSize: 12 }}
              allowDecimals={false}
              domain={mode === 'share' ? [0, 100] : [0, 'auto']}
              ticks={mode === 'share' ? [0, 25, 50, 75, 100] : undefined}
              tickFormatter={(v: number) => (mode === 'share' ? `${v} %` : fmt(v))}
              width={mode === 'share' ? 48 : 64}
            />
            <Tooltip
              contentStyle={{ background: theme.panel, borderColor: theme.grid, color: theme.text }}
              formatter={(_v, name, item) => {
                const p = item.payload as Datum;
                const label = String(name).replace(/ \(suspected\)$/, '');
                const s = DEVICE_STATES.find((k) => STATE_LABEL[k] === label) ?? (label as DeviceState);
                const sus = Number(p[`ns_${s}`]);
                const tail = sus ? `, ${fmt(sus)} suspected` : '';
                if (String(name) !== label) return [`${fmt(sus)} suspected`, name];
                return [`${fmt(Number(p[`n_${s}`]))} of ${fmt(p.devices)} (${pct(Number(p[`p_${s}`]))})${tail}`, name];
              }}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v) => <span style={{ color: theme.text }}>{v}</span>} />
            {/* Each state's suspected part sits right on top of its confirmed part, in a lighter shade. */}
            {shown.flatMap((s) => [
              <Bar
                key={s}
                dataKey={s}
                name={STATE_LABEL[s]}
                stackId="st"
                fill={fills.state[s]}
                isAnimationActive={false}
                className={`bar-${s}`}
                cursor={props.onSelect ? 'pointer' : undefined}
                onClick={select(s, 'confirmed')}
              />,
              ...(shownSus.includes(s)
                ? [
                    <Bar
                      key={`sus_${s}`}
                      dataKey={`sus_${s}`}
                      name={`${STATE_LABEL[s]} (suspected)`}
                      stackId="st"
                      fill={theme.state[s]}
                      fillOpacity={0.45}
                      isAnimationActive={false}
                      className={`bar-sus-${s}`}
                      cursor={props.onSelect ? 'pointer' : undefined}
                      onClick={select(s, 'suspected')}
                      legendType="none"
                    />,
                  ]
                : []),
            ])}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <Table
        className="visually-hidden"
        testId={`${props.testId}-values`}
        caption={`Share of each ${props.unit} by state, in percent`}
        captionVisible
        virtualiseAbove={Infinity}
        rows={rows}
        rowKey={(r) => r.name}
        rowProps={(r) => ({ 'data-name': r.name, 'data-devices': r.devices })}
        columns={[
          { key: 'name', label: props.unit, rowHeader: true, render: (r) => r.name },
          ...DEVICE_STATES.map((s) => ({
            key: s,
            label: s,
            cellProps: (r: (typeof rows)[number]) => ({ 'data-k': s, 'data-n': String(r.counts[s]) }),
            render: (r: (typeof rows)[number]) => r.share[s],
          })),
        ]}
      />
    </div>
  );
}
