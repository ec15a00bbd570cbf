// The replay's tables: the arithmetic behind a ring, the rings of a run, and the live gates with their halt commands.
import type { LiveGates } from '../../../core/replay/live.js';
import type { ReplayResult, RingResult } from '../../../core/replay/simulate.js';
import { Table, type TableColumn } from '../../components/DataTable.js';

export const fmt = (n: number) => n.toLocaleString('en-US');
export const hms = (t: number | null) => (t === null ? '—' : `${new Date(t).toISOString().slice(11, 19)}`);
export const day = (t: number) => new Date(t).toISOString().slice(0, 10);

export function Arithmetic(props: { ring: RingResult }) {
  const r = props.ring;
  return (
    <ul className="replay-arith">
      <li>
        Size: {r.sizeRule} → {fmt(r.members)} members ({r.imported.join(' + ') || 'none'}); {fmt(r.actual.reached)}{' '}
        received it in reality, {fmt(r.actual.crashed)} crashed.
      </li>
      <li>
        {r.started
          ? `Starts ${hms(r.start)}${r.delayHours ? ` (vendor delay ${r.delayHours} h)` : ''}, bakes ${r.bakeHours} h → next ring may start ${hms(r.bakeEnd)}.`
          : 'Never starts.'}
      </li>
      {r.evaluations.map((e, i) => (
        <li key={i} className={e.result === 'trip' ? 'replay-trip' : undefined}>
          {e.at === 'continuous' ? 'Continuous' : 'Bake-end'} gate {e.gate < 0 ? 'ConfigMgr' : e.gate + 1} at{' '}
          {hms(e.time)}: {fmt(e.bad)} of {fmt(e.population)}{' '}
          {e.metric === 'success' ? 'failed or crashed, success' : e.metric === 'crash' ? 'crashed' : 'failed'} ={' '}
          {e.ratePercent} % {e.metric === 'success' ? '<' : '≥'} {e.thresholdPercent} %? min sample {e.minSample}
          {e.windowHours ? `, window ${e.windowHours} h` : ''} → <strong>{e.result}</strong>
        </li>
      ))}
      {r.notes.map((n, i) => (
        <li key={`n${i}`} className="muted">
          {n}
        </li>
      ))}
    </ul>
  );
}

export function RingTable(props: { result: ReplayResult; testId: string }) {
  const { result } = props;
  const rollback = result.policy.action.kind === 'rollback';
  const columns: TableColumn<RingResult>[] = [
    { key: 'ring', label: 'Ring', rowHeader: true, render: (r) => r.name },
    { key: 'members', label: 'Members', render: (r) => fmt(r.members) },
    { key: 'actual', label: 'Received (actual)', render: (r) => fmt(r.actual.reached) },
    {
      key: 'reached',
      label: 'Reached (simulated)',
      cellProps: () => ({ 'data-k': 'reached' }),
      render: (r) => fmt(r.reached),
    },
    { key: 'spared', label: 'Spared', cellProps: () => ({ 'data-k': 'spared' }), render: (r) => fmt(r.spared) },
    { key: 'avoided', label: 'Crashes avoided', render: (r) => fmt(r.crashesAvoided) },
    ...(rollback ? [{ key: 'rescued', label: 'Rolled back', render: (r: RingResult) => fmt(r.rescued) }] : []),
    { key: 'trip', label: 'Gate trip (UTC)', render: (r) => hms(r.tripAt) },
  ];
  return (
    <Table
      className="num-table"
      testId={props.testId}
      label="Rings in the replay"
      rows={result.rings}
      rowKey={(r) => r.name}
      rowProps={(r) => ({ 'data-ring': r.name })}
      columns={columns}
    />
  );
}

export function HaltPanel(props: { live: LiveGates }) {
  const { live } = props;
  return (
    <div className="panel" data-testid="halt-panel">
      <h2>
        Halt commands (live gates as of {hms(live.asOf)} UTC on {day(live.asOf)})
      </h2>
      <p>{live.halt.reason}.</p>
      <Table
        className="num-table"
        label="Live gates by ring"
        rows={live.rings}
        rowKey={(r) => r.name}
        rowProps={(r) => ({ className: r.over ? 'replay-over' : undefined })}
        columns={[
          { key: 'ring', label: 'Ring', rowHeader: true, render: (r) => r.name },
          { key: 'reached', label: 'Reached', render: (r) => fmt(r.reached) },
          { key: 'crashed', label: 'Crashed', render: (r) => fmt(r.crashed) },
          { key: 'notyet', label: 'Not yet reached', render: (r) => fmt(r.notYetReached) },
          {
            key: 'gate',
            label: 'Gate now',
            render: (r) =>
              r.evaluations
                .map(
                  (e) =>
                    `${e.ratePercent} % ${e.metric === 'success' ? '<' : '≥'} ${e.thresholdPercent} %: ${e.result}`,
                )
                .join('; ') || '—',
          },
        ]}
      />
      {live.halt.targets.map((t) => (
        <section key={`${t.ring}-${t.importedRing}`} data-testid="halt-target">
          <h3>
            {t.vendor}: ring {t.importedRing} ({fmt(t.notYetReached)} devices not yet reached)
          </h3>
          {t.commands ? (
            t.commands.commands.map((c, i) => (
              <div key={i}>
                <p>
                  <strong>{c.title}</strong>{' '}
                  <span className="muted">({c.kind}; review before running: Ringside never runs it)</span>
                </p>
                <pre className="code">{c.text}</pre>
              </div>
            ))
          ) : (
            <p className="muted">{t.commandsNote}</p>
          )}
          {t.commands?.notes.map((n, i) => (
            <p key={i} className="muted">
              {n}
            </p>
          ))}
        </section>
      ))}
    </div>
  );
}
