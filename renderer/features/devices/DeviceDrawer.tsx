// The device drawer: every source's raw record, the state rule, the timeline of events and results, the key IDs on file.
import { useEffect, useRef } from 'react';
import { useDialogFocus } from '../../components/use-dialog-focus.js';
import { STATE_LABEL } from '../../../core/analysis/rules.js';
import type { DeviceState } from '../../../core/contract/analysis.js';
import { Table } from '../../components/DataTable.js';
import { useQuery } from '../../state/workspace.js';

/** MM-DD HH:MM, the evidence chain's compact time. */
const shortUtc = (t: number) => new Date(t).toISOString().slice(5, 16).replace('T', ' ');
const utc = (t: unknown) =>
  typeof t === 'number' ? `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC` : '—';
const utcCell = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');

export function DeviceDrawer(props: { id: number; onClose: () => void }) {
  const { data, error } = useQuery((db) => db.deviceDetail(props.id), [props.id]);
  const ref = useRef<HTMLElement>(null);
  // Focus moves into the drawer, stays there while it is open, and goes back to the row's table when it closes.
  const onKeyDown = useDialogFocus(ref, props.onClose);
  useEffect(() => {
    ref.current?.focus();
  }, [props.id]);
  const d = data?.device;
  const timeline = data
    ? [
        ...data.events.map((e) => ({
          at: e.ts,
          what: `${e.kind}${e.version ? ` ${e.version}` : ''}`,
          by: e.source,
          detail: e.detail ?? '',
        })),
        ...data.results.map((r) => ({
          at: r.at,
          what: `field result: ${r.result}`,
          by: r.technician ?? r.origin,
          detail: [r.method, r.notes].filter(Boolean).join(' — '),
        })),
      ].sort((a, b) => a.at - b.at)
    : [];
  return (
    <aside
      ref={ref}
      className="drawer"
      role="dialog"
      aria-modal="true"
      aria-labelledby="drawer-title"
      tabIndex={-1}
      data-testid="device-drawer"
      onKeyDown={onKeyDown}
    >
      <header className="drawer-head">
        <h2 id="drawer-title">{d ? String(d.hostname) : 'Device'}</h2>
        <button type="button" onClick={props.onClose} aria-label="Close device details">
          Close
        </button>
      </header>
      {error && <p className="error">{error.message}</p>}
      {data === null && <p>Device not found.</p>}
      {d && data && (
        <>
          <p>
            <span className={`state-dot st-${String(d.state)}`} aria-hidden="true" />{' '}
            <strong>{STATE_LABEL[d.state as DeviceState] ?? String(d.state)}</strong>
          </p>
          <p className="rule" data-testid="device-rule">
            {data.rule}
          </p>
          {data.evidence && (
            <>
              <h3>
                Evidence chain{' '}
                <span className={`chip certainty-${data.evidence.certainty}`} data-testid="device-certainty">
                  {data.evidence.certainty}
                </span>
              </h3>
              <p className="small muted">
                Each fact with the file and line it came from. The marked fact decided the state, by the rule above.
              </p>
              <Table
                className="compact evidence"
                testId="evidence-chain"
                label="Evidence chain"
                rows={data.evidence.facts}
                rowKey={(f) => f.id}
                rowProps={(f) => ({
                  'data-class': f.class,
                  'data-type': f.type,
                  'data-deciding': f.deciding || undefined,
                  className: f.deciding ? 'deciding' : undefined,
                })}
                columns={[
                  {
                    key: 'ts',
                    label: 'UTC',
                    render: (f) => (
                      <>
                        {f.ts === null ? '—' : shortUtc(f.ts)}
                        {f.asOf && <div className="small muted">as of export</div>}
                      </>
                    ),
                  },
                  {
                    key: 'fact',
                    label: 'Fact',
                    render: (f) => (
                      <>
                        {f.deciding && <strong aria-label="deciding fact">▶ </strong>}
                        {f.class} · {f.type.replace(/_/g, ' ')}
                        {f.derived && ' (rule)'}
                        {f.value && <div className="small muted">{f.value}</div>}
                      </>
                    ),
                  },
                  {
                    key: 'from',
                    label: 'From',
                    className: 'small',
                    render: (f) => (
                      <>
                        {f.file ?? f.source}
                        {f.line !== null && `, line ${f.line}`}
                      </>
                    ),
                  },
                ]}
              />
              {data.evidence.more > 0 && <p className="small muted">{data.evidence.more} more facts not shown.</p>}
            </>
          )}
          <dl className="kv">
            {(
              [
                ['Ring', d.effective_ring ?? '—'],
                ['Site', d.site ?? '—'],
                ['Platform', d.platform ?? '—'],
                ['Type', d.device_type ?? '—'],
                ['Sensor', d.agent_version ?? '—'],
                ['OS', d.os_version ?? '—'],
                ['Serial', d.serial ?? '—'],
                ['Falcon AID', d.falcon_aid ?? '—'],
                ['Entra ID', d.entra_id ?? '—'],
                ['Intune ID', d.intune_id ?? '—'],
                ['User', d.user ?? '—'],
                ['Tags', d.tags || '—'],
                ['First seen', utc(d.first_seen)],
                ['Last seen', utc(d.last_seen)],
              ] as Array<[string, unknown]>
            ).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{String(v)}</dd>
              </div>
            ))}
          </dl>
          <h3>BitLocker key IDs on file</h3>
          {data.keys.length ? (
            <ul className="plain" data-testid="device-keys">
              {data.keys.map((k) => (
                <li key={k.keyId}>
                  <code>{k.keyId}</code> {k.valid ? '' : <span className="error">invalid: {k.problem}</span>}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No key on file.</p>
          )}
          <p className="muted small">
            Recovery passwords are revealed only from the Scripts and Field views, and each reveal is audited.
          </p>
          <h3>Timeline</h3>
          {timeline.length ? (
            <Table
              className="compact timeline-table"
              testId="device-timeline"
              label="Timeline"
              rows={timeline}
              rowKey={(_, i) => i}
              columns={[
                { key: 'at', label: 'Time (UTC)', className: 'nowrap', render: (t) => utcCell(t.at) },
                { key: 'what', label: 'What', render: (t) => t.what },
                { key: 'by', label: 'Source', className: 'muted', render: (t) => t.by },
                { key: 'detail', label: 'Detail', className: 'muted', render: (t) => t.detail },
              ]}
            />
          ) : (
            <p className="muted">No events or results.</p>
          )}
          {data.eventsTotal > data.events.length && (
            <p className="muted small">
              Showing the first {data.events.length} of {data.eventsTotal} events.
            </p>
          )}
          <h3>Source records</h3>
          {[
            { label: 'This record', sources: data.sources },
            ...data.staleRecords.map((s) => ({
              label: `Stale record #${s.id} (${s.falconAid ?? 'no AID'}, last seen ${utc(s.lastSeen)})`,
              sources: s.sources,
            })),
          ].map((group) => (
            <div key={group.label}>
              {data.staleRecords.length > 0 && <h4>{group.label}</h4>}
              {group.sources.map((s, i) => (
                <details key={i} className="source">
                  <summary>
                    {s.source} — {s.file ?? 'unknown file'}, line {s.line}
                  </summary>
                  <dl className="kv raw">
                    {Object.entries(s.raw).map(([k, v]) => (
                      <div key={k}>
                        <dt>{k}</dt>
                        <dd>{String(v)}</dd>
                      </div>
                    ))}
                  </dl>
                </details>
              ))}
            </div>
          ))}
        </>
      )}
    </aside>
  );
}
