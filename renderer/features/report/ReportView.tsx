// The managers' report: summary, impact by ring and site, burn-down, open work and timeline; PDF and Markdown postmortem.
import { useState } from 'react';
import { ChartPanel } from '../../components/charts/ChartPanel.js';
import { ChangeLog } from '../overview/ChangeLog.js';
import { TimeLines } from '../../components/charts/charts.js';
import { ShareBars } from '../../components/charts/ShareBars.js';
import { CrashRateChart } from '../../components/charts/CrashRateChart.js';
import { CriticalTable } from '../../components/CriticalTable.js';
import { BurnDownPanel } from '../../components/charts/BurnDownPanel.js';
import { Table } from '../../components/DataTable.js';
import { useQuery, useWorkspace } from '../../state/workspace.js';
import { WorkbookExports } from './WorkbookExports.js';

const utc = (t: number) => `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const fmt = (n: number) => n.toLocaleString('en-US');
const COLS = ['devices', 'exposed', 'affected', 'recovered', 'fixed', 'remaining'] as const;

export function ReportView() {
  const { host } = useWorkspace();
  const { data: r, error } = useQuery((db) => db.report(), []);
  const [note, setNote] = useState<string | null>(null);

  const pdf = async () => {
    setNote(null);
    const bytes = await host.printToPdf();
    if (bytes) {
      const saved = await host.saveFile({ suggestedName: 'incident-report.pdf', data: bytes, mime: 'application/pdf' });
      setNote(saved ? `Saved ${saved}` : null);
    } else {
      // The browser's own print dialog offers "Save as PDF"; print CSS hides the app around the report.
      window.print();
    }
  };
  const markdown = async () => {
    if (!r) return;
    const saved = await host.saveFile({ suggestedName: 'postmortem.md', data: r.markdown, mime: 'text/markdown' });
    setNote(saved ? `Saved ${saved}` : null);
  };

  return (
    <section className="view report" aria-labelledby="report-title" data-testid="report">
      <header className="view-head">
        <h1 id="report-title">{r?.title ?? 'Incident report'}</h1>
        <div className="toolbar no-print">
          <button type="button" className="primary" onClick={() => void pdf()} disabled={!r} data-testid="report-pdf">
            Print / save as PDF
          </button>
          <button type="button" onClick={() => void markdown()} disabled={!r} data-testid="report-markdown">
            Download postmortem (.md)
          </button>
          {r && (
            <WorkbookExports
              sites={r.summary.bySite.map((x) => x.site)}
              rings={r.summary.byRing.map((x) => x.ring)}
              onSaved={setNote}
            />
          )}
        </div>
      </header>
      {note && <p className="muted small no-print">{note}</p>}
      {error && <p className="error">{error.message}</p>}
      {r && (
        <>
          <section data-testid="report-summary" aria-labelledby="rs-title">
            <h2 id="rs-title">Incident summary</h2>
            <p>
              <span data-testid="report-window">
                {r.summary.window.start !== null && r.summary.window.end !== null
                  ? `Bad content live ${utc(r.summary.window.start)} – ${utc(r.summary.window.end).slice(11)} (exposure window ${r.summary.window.text}).`
                  : `Exposure window ${r.summary.window.text}.`}
              </span>{' '}
              Data as of {r.summary.asOf ? utc(r.summary.asOf) : '—'}; report generated {utc(r.generatedAt)}.
            </p>
            <p className="muted" data-testid="report-audit-receipt">
              Audit receipt: <code>{r.auditReceipt}</code>
            </p>
            <div className="cards big-numbers">
              {COLS.map((k) => (
                <div key={k} className="card">
                  <div className="num">{fmt(r.summary.totals[k])}</div>
                  <div className="label">{k}</div>
                </div>
              ))}
            </div>
          </section>
          <section data-testid="report-impact" aria-labelledby="ri-title">
            <h2 id="ri-title">Impact by ring and site</h2>
            <div className="chart-grid">
              <ChartPanel
                title="Device states by ring"
                testId="report-ring-chart"
                table={{
                  caption: 'Device states by ring',
                  columns: ['Ring', ...COLS],
                  rows: r.summary.byRing.map((x) => [x.ring, ...COLS.map((k) => x[k])]),
                }}
              >
                <ShareBars
                  rows={r.summary.byRing.map((x) => ({ name: x.ring, states: x.states }))}
                  testId="report-ring-bars"
                  unit="ring"
                />
              </ChartPanel>
              <ChartPanel
                title="Device states by site"
                testId="report-site-chart"
                table={{
                  caption: 'Device states by site',
                  columns: ['Site', ...COLS],
                  rows: r.summary.bySite.map((x) => [x.site, ...COLS.map((k) => x[k])]),
                }}
              >
                <ShareBars
                  rows={r.summary.bySite.map((x) => ({ name: x.site, states: x.states }))}
                  testId="report-site-bars"
                  unit="site"
                />
              </ChartPanel>
            </div>
            {(
              [
                ['Ring', r.summary.byRing.map((x) => ({ name: x.ring, c: x }))],
                ['Site', r.summary.bySite.map((x) => ({ name: x.site, c: x }))],
              ] as const
            ).map(([label, rows]) => (
              // The report is printed: every row is drawn, never virtualised.
              <Table
                key={label}
                className="num-table report-table"
                label={`By ${label.toLowerCase()}`}
                virtualiseAbove={Infinity}
                rows={rows}
                rowKey={(row) => row.name}
                columns={[
                  { key: 'name', label, rowHeader: true, render: (row) => row.name },
                  ...COLS.map((k) => ({ key: k, label: k, render: (row: (typeof rows)[number]) => fmt(row.c[k]) })),
                ]}
              />
            ))}
          </section>
          <section data-testid="report-burndown" aria-labelledby="rb-title">
            <h2 id="rb-title">Burn-down</h2>
            {/* The Overview's charts, unfiltered: crash rate against the gates, then the burn-down small multiples. */}
            <div className="chart-grid">
              <CrashRateChart filter={{}} testId="report-crash-rate-chart" />
              <ChartPanel
                title="New crashes per ring (15 min)"
                testId="report-crash-chart"
                empty={!r.series.crashTimeline.points.length}
              >
                <TimeLines series={r.series.crashTimeline} colourBy="ring" yLabel="devices" bars />
              </ChartPanel>
              <BurnDownPanel
                by="ring"
                title="Devices still down, by ring"
                testId="report-burn-chart"
                multiplesTestId="report-burn-ring"
                series={r.series.burnDownByRing}
                rows={r.summary.byRing.map((x) => ({ key: x.ring, devices: x.devices }))}
                marks={r.series.exportPoints.map((p) => p.t)}
              />
              <BurnDownPanel
                by="site"
                title="Devices still down, by site"
                testId="report-burn-site-chart"
                multiplesTestId="report-burn-site"
                series={r.series.burnDownBySite}
                rows={r.summary.bySite.map((x) => ({ key: x.site, devices: x.devices }))}
                marks={r.series.exportPoints.map((p) => p.t)}
              />
            </div>
            <Table
              className="num-table"
              label="Time to recover, by ring"
              virtualiseAbove={Infinity}
              rows={r.series.timeToRecover}
              rowKey={(t) => t.ring}
              columns={[
                { key: 'ring', label: 'Ring', rowHeader: true, render: (t) => t.ring },
                { key: 'n', label: 'Back up', render: (t) => fmt(t.n) },
                { key: 'median', label: 'Median h to recover', render: (t) => t.medianHours ?? '–' },
                { key: 'p90', label: 'p90 h', render: (t) => t.p90Hours ?? '–' },
              ]}
            />
          </section>
          <section data-testid="report-open-work" aria-labelledby="ro-title">
            <h2 id="ro-title">Open work</h2>
            <ul>
              {r.openWork.map((o) => (
                <li key={o.state}>
                  <span className={`state-dot st-${o.state}`} aria-hidden="true" /> {o.label}:{' '}
                  <strong>{fmt(o.n)}</strong>
                </li>
              ))}
            </ul>
            {r.critical.rows.length > 0 && (
              <>
                <h3 id="report-critical-title">Critical devices still down</h3>
                <CriticalTable
                  rows={r.critical.rows.slice(0, 25)}
                  labelledBy="report-critical-title"
                  testId="report-critical"
                />
              </>
            )}
          </section>
          <section data-testid="report-timeline" aria-labelledby="rt-title">
            <h2 id="rt-title">Timeline (UTC)</h2>
            <ol className="timeline">
              {r.timeline.map((e, i) => (
                <li key={i}>
                  <time dateTime={new Date(e.at).toISOString()}>{utc(e.at)}</time> — {e.what}
                </li>
              ))}
            </ol>
          </section>
          <ChangeLog limit={50} />
          <section data-testid="report-rules" aria-labelledby="rr-title">
            <h2 id="rr-title">How states were decided</h2>
            <p>{r.rules.exposure}</p>
            <ul className="small">
              {r.rules.rules.map((x) => (
                <li key={x.state}>
                  <strong>{x.label}</strong>: {x.rule}
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </section>
  );
}
