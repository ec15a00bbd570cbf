// A recovery tracker brought back: its changes and the rows not applied, shown before anything changes; apply journals each.
import { useState } from 'react';
import type { TrackerDiff } from '../../../core/field/tracker.js';
import { trackerActions } from '../../../core/field/tracker-actions.js';
import { useWorkspace } from '../../state/workspace.js';
import { Table } from '../../components/DataTable.js';

const label = (r: string | null) => (r === null ? '—' : r.replace(/_/g, ' '));

export function TrackerDiffPanel(props: { diff: TrackerDiff; onClose: () => void }) {
  const { act } = useWorkspace();
  const { diff } = props;
  const [state, setState] = useState<{ done: number; applying: boolean; error: string | null; applied: boolean }>({
    done: 0,
    applying: false,
    error: null,
    applied: false,
  });

  const apply = async () => {
    setState((s) => ({ ...s, applying: true, error: null }));
    let done = 0;
    try {
      // One journalled action per change, in row order: each is durable before the next, like results set by hand.
      for (const a of trackerActions(diff, Date.now())) {
        await act(a);
        done++;
        setState((s) => ({ ...s, done }));
      }
      setState({ done, applying: false, error: null, applied: true });
    } catch (e) {
      setState({
        done,
        applying: false,
        applied: false,
        error: `${(e as Error).message} (${done} of ${diff.changes.length} applied before this)`,
      });
    }
  };

  const n = diff.changes.length;
  return (
    <article
      className="panel import-report tracker-diff"
      role="dialog"
      aria-labelledby="tracker-diff-title"
      data-testid="tracker-diff"
      data-file={diff.file}
    >
      <h2 id="tracker-diff-title">Recovery tracker: {diff.file}</h2>
      <p data-testid="tracker-summary">
        {diff.rows} rows: <strong data-testid="tracker-change-count">{n}</strong> change{n === 1 ? '' : 's'},{' '}
        {diff.unchanged} unchanged, {diff.problems.length} not applied.{' '}
        {!state.applied && n > 0 && 'Nothing has changed yet: check the results below, then apply them.'}
      </p>
      {n > 0 && (
        <Table
          className="compact"
          testId="tracker-changes"
          label="Results the file changes"
          rows={diff.changes}
          rowKey={(c) => c.row}
          rowProps={(c) => ({ 'data-testid': 'tracker-change', 'data-host': c.hostname })}
          columns={[
            { key: 'row', label: 'Row', className: 'num-cell', render: (c) => c.row },
            { key: 'device', label: 'Device', render: (c) => c.hostname },
            { key: 'state', label: 'State now', render: (c) => label(c.state) },
            { key: 'from', label: 'Result before', render: (c) => label(c.from) },
            { key: 'to', label: 'Result in the file', render: (c) => <strong>{label(c.to)}</strong> },
            { key: 'tech', label: 'Technician', render: (c) => c.technician ?? '' },
          ]}
        />
      )}
      {diff.problems.length > 0 && (
        <>
          <h3>Rows not applied (device or value unknown: nothing is guessed)</h3>
          <Table
            className="import-errors"
            testId="tracker-problems"
            label="Rows not applied"
            rows={diff.problems}
            rowKey={(p) => p.row}
            rowProps={() => ({ 'data-testid': 'tracker-problem' })}
            columns={[
              { key: 'row', label: 'Row', className: 'num-cell', render: (p) => p.row },
              { key: 'host', label: 'Hostname', render: (p) => p.hostname },
              { key: 'reason', label: 'Reason', render: (p) => p.reason },
            ]}
          />
        </>
      )}
      {state.error && <p className="error">{state.error}</p>}
      <div className="toolbar">
        {state.applied ? (
          <p data-testid="tracker-applied">
            Applied {state.done} result{state.done === 1 ? '' : 's'}; each is in the journal and the audit log.
          </p>
        ) : (
          n > 0 && (
            <button
              type="button"
              className="primary"
              disabled={state.applying}
              onClick={() => void apply()}
              data-testid="tracker-apply"
            >
              {state.applying ? `Applying ${state.done} of ${n}…` : `Apply ${n} result${n === 1 ? '' : 's'}`}
            </button>
          )
        )}
        <button type="button" disabled={state.applying} onClick={props.onClose} data-testid="tracker-close">
          {state.applied || n === 0 ? 'Close' : 'Discard'}
        </button>
      </div>
    </article>
  );
}
