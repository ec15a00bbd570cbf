// The war-room overview: large numbers, state bars by ring and site, crash timeline, burn-down, critical devices, rules.
import { debugTimings } from '../../components/format.js';
import { useState } from 'react';
import type { Counts } from '../../../core/contract/analysis.js';
import { ChartPanel } from '../../components/charts/ChartPanel.js';
import { seriesTable } from '../../components/charts/chart-table.js';
import { TimeLines } from '../../components/charts/charts.js';
import { ShareBars } from '../../components/charts/ShareBars.js';
import { CrashRateChart } from '../../components/charts/CrashRateChart.js';
import { CriticalTable } from '../../components/CriticalTable.js';
import { Table } from '../../components/DataTable.js';
import { BurnDownPanel } from '../../components/charts/BurnDownPanel.js';
import { useQuery } from '../../state/workspace.js';
import { ChangeLog } from './ChangeLog.js';
import { ExposureWindowLine } from './ExposureWindowLine.js';
import { FilterBar } from './FilterBar.js';
import { useDashFilter } from '../../state/filter-store.js';
import { showDevices } from '../../state/navigate.js';
import { sourceLabel } from '../../../core/analysis/freshness.js';

const CARDS: Array<[keyof Counts, string]> = [
  ['devices', 'Devices'],
  ['exposed', 'Exposed'],
  ['affected', 'Affected'],
  ['recovered', 'Self-recovered'],
  ['fixed', 'Fixed'],
  ['remaining', 'Remaining'],
];

/** The numbers behind a chart, for screen readers (and for tests reading what the chart shows). */
function ChartData(props: { testId: string; label: string; rows: Array<Counts & { name: string }> }) {
  return (
    <Table
      className="visually-hidden"
      testId={props.testId}
      caption={props.label}
      captionVisible
      virtualiseAbove={Infinity}
      rows={props.rows}
      rowKey={(r) => r.name}
      rowProps={(r) => ({ 'data-name': r.name })}
      columns={[
        { key: 'name', label: 'name', rowHeader: true, render: (r) => r.name },
        ...CARDS.map(([k]) => ({
          key: k,
          label: k,
          cellProps: () => ({ 'data-k': k }),
          render: (r: Counts & { name: string }) => r[k],
        })),
      ]}
    />
  );
}

const utc = (t: number) => `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "19 Jul 09:12 UTC" */
const dayTime = (t: number) => {
  const d = new Date(t);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.toISOString().slice(11, 16)} UTC`;
};
const age = (ms: number) => {
  const h = ms / 3600_000;
  return h < 1
    ? `${Math.round(ms / 60_000)} min old`
    : h < 48
      ? `${Math.round(h)} h old`
      : `${Math.round(h / 24)} days old`;
};
const fmt = (n: number) => n.toLocaleString('en-US');

export function OverviewView() {
  const [filter, setFilter] = useDashFilter();
  const dash = useQuery((db) => db.dashboard(filter), [filter]);
  const rules = useQuery((db) => db.stateRules(), []);
  // The critical list reads its own table: it refreshes beside the numbers and charts, never holding them up.
  const critical = useQuery((db) => db.criticalDevices(filter, 25), [filter]);
  const [showRules, setShowRules] = useState(false);
  const d = dash.data;
  const s = d?.summary;

  return (
    <section className="view overview" aria-labelledby="overview-title" aria-busy={dash.loading}>
      <header className="view-head">
        <h1 id="overview-title">Overview</h1>
        {s && (
          <p className="muted small" data-testid="data-time">
            States as of {s.asOf ? utc(s.asOf) : '— (no data time yet)'}
            {d && debugTimings() && ` · refreshed in ${d.ms} ms`}
          </p>
        )}
        {s && <ExposureWindowLine window={s.window} />}
      </header>
      {d && d.freshness.length > 0 && (
        <ul className="freshness small" data-testid="freshness" aria-label="How old each source is">
          {d.freshness.map((f) => (
            <li key={f.format} data-source={f.format} data-stale={f.stale} className={f.stale ? 'warn' : 'muted'}>
              {sourceLabel(f.format)} export as of {dayTime(f.asOf)}, {age(f.ageMs)}
              {f.stale && ' — stale: older than the other sources by more than 12 h'}
            </li>
          ))}
        </ul>
      )}
      <FilterBar value={filter} options={s?.options} onChange={setFilter} />
      {dash.error && <p className="error">{dash.error.message}</p>}
      {s && s.devices === 0 && !Object.keys(filter).length && (
        <p className="panel">No devices yet: import a device export (Import view) or open the sample incident.</p>
      )}
      <div className="cards big-numbers" data-testid="counts">
        {CARDS.map(([k, label]) => (
          <div key={k} className={`card count-${k}`}>
            <button
              type="button"
              className="num link"
              data-testid={`count-${k}`}
              title={`List the ${label.toLowerCase()} devices`}
              onClick={() => showDevices({ state: k === 'devices' ? undefined : k })}
            >
              {s ? fmt(s.totals[k]) : '…'}
            </button>
            <div className="label">{label}</div>
            {s && k !== 'devices' && s.suspected[k] > 0 && (
              <div className="small muted" data-testid={`certainty-${k}`}>
                {fmt(s.confirmed[k])} confirmed ·{' '}
                <button
                  type="button"
                  className="link"
                  data-testid={`suspected-${k}`}
                  onClick={() => showDevices({ state: k, certainty: 'suspected' })}
                >
                  {fmt(s.suspected[k])} suspected
                </button>
              </div>
            )}
          </div>
        ))}
      </div>
      {s && (
        <div className="chart-grid">
          <ChartPanel title="Device states by ring" testId="ring-chart" empty={!s.byRing.length}>
            <ShareBars
              rows={s.byRing.map((r) => ({ name: r.ring, states: r.states, suspected: r.suspectedStates }))}
              testId="ring-bars"
              unit="ring"
              onSelect={(ring, state, certainty) => showDevices({ state, certainty }, { ...filter, ring })}
            />
            <ChartData testId="ring-data" label="Counts by ring" rows={s.byRing.map((r) => ({ ...r, name: r.ring }))} />
          </ChartPanel>
          <ChartPanel title="Device states by site" testId="site-chart" empty={!s.bySite.length}>
            <ShareBars
              rows={s.bySite.map((r) => ({ name: r.site, states: r.states, suspected: r.suspectedStates }))}
              testId="site-bars"
              unit="site"
              onSelect={(site, state, certainty) => showDevices({ state, certainty }, { ...filter, site })}
            />
            <ChartData testId="site-data" label="Counts by site" rows={s.bySite.map((r) => ({ ...r, name: r.site }))} />
          </ChartPanel>
          <CrashRateChart filter={filter} />
          <ChartPanel
            title="New crashes per ring (15 min)"
            testId="crash-chart"
            empty={!d.series.crashTimeline.points.length}
            table={seriesTable(d.series.crashTimeline, 'New crashes per ring, per 15 minutes')}
          >
            <TimeLines series={d.series.crashTimeline} colourBy="ring" yLabel="devices" bars />
          </ChartPanel>
          <BurnDownPanel
            by="ring"
            title="Burn-down: devices still down, by ring"
            testId="burn-ring-chart"
            multiplesTestId="burn-ring"
            series={d.series.burnDownByRing}
            rows={s.byRing.map((r) => ({ key: r.ring, devices: r.devices }))}
            marks={d.series.exportPoints.map((p) => p.t)}
          >
            <p className="small muted export-points" data-testid="export-points">
              Each export, all rings:{' '}
              {d.series.exportPoints.map((p, i) => (
                <span key={p.t} data-t={p.t} data-remaining={p.remaining} title={p.files.join('\n')}>
                  {i ? ' · ' : ''}○ {dayTime(p.t)}: {fmt(p.remaining)} down
                </span>
              ))}
            </p>
          </BurnDownPanel>
          <section className="panel" aria-labelledby="ttr-title" data-testid="ttr-table">
            <h2 id="ttr-title">Time to recover, by ring</h2>
            <Table
              className="num-table"
              labelledBy="ttr-title"
              rows={s.byRing.map((r) => ({ r, t: d.series.timeToRecover.find((x) => x.ring === r.ring) }))}
              rowKey={(x) => x.r.ring}
              columns={[
                { key: 'ring', label: 'Ring', rowHeader: true, render: (x) => x.r.ring },
                { key: 'n', label: 'Back up', render: (x) => fmt(x.t?.n ?? 0) },
                { key: 'median', label: 'Median h', render: (x) => x.t?.medianHours ?? '–' },
                { key: 'p90', label: 'p90 h', render: (x) => x.t?.p90Hours ?? '–' },
                { key: 'mean', label: 'Mean h', render: (x) => x.t?.meanHours ?? '–' },
                { key: 'down', label: 'Still down', render: (x) => fmt(x.r.remaining) },
              ]}
            />
          </section>
          <BurnDownPanel
            by="site"
            title="Burn-down: devices still down, by site"
            testId="burn-site-chart"
            multiplesTestId="burn-site"
            series={d.series.burnDownBySite}
            rows={s.bySite.map((r) => ({ key: r.site, devices: r.devices }))}
            marks={d.series.exportPoints.map((p) => p.t)}
          />
        </div>
      )}
      {critical.data && (
        <section className="panel" aria-labelledby="critical-title" data-testid="critical">
          <h2 id="critical-title">Critical devices still down</h2>
          <p className="small">
            {critical.data.byCategory.map((c) => (
              <span key={c.category} className="chip">
                {c.category}: <strong>{fmt(c.remaining)}</strong> of {fmt(c.total)} down
              </span>
            ))}
            {!critical.data.byCategory.length && <span className="muted">No devices tagged as critical.</span>}
          </p>
          {critical.data.rows.length > 0 && <CriticalTable rows={critical.data.rows} />}
        </section>
      )}
      <section className="panel" aria-labelledby="rules-title" data-testid="state-rules">
        <h2 id="rules-title">
          <button type="button" className="link" aria-expanded={showRules} onClick={() => setShowRules((x) => !x)}>
            How states are decided {showRules ? '▾' : '▸'}
          </button>
        </h2>
        {rules.data && (
          <>
            <p>{rules.data.exposure}</p>
            {showRules && (
              <>
                <p className="muted small">{rules.data.dataTime}</p>
                <dl className="rules">
                  {rules.data.rules.map((r) => (
                    <div key={r.state}>
                      <dt>
                        <span className={`state-dot st-${r.state}`} aria-hidden="true" /> {r.label}
                        {s && <span className="muted"> ({fmt(s.states[r.state])})</span>}
                      </dt>
                      <dd>{r.rule}</dd>
                    </div>
                  ))}
                </dl>
              </>
            )}
          </>
        )}
      </section>
      <ChangeLog />
    </section>
  );
}
