// A recovery tracker brought back: its changes and the rows not applied, shown before anything changes; apply journals each.
import { useState } from 'react';
import type { TrackerDiff } from '../../../core/field/tracker.js';
import { trackerActions } from '../../../core/field/tracker-actions.js';
import { useWorkspace } from '../../state/workspace.js';

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
        <table className="compact" data-testid="tracker-changes">
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Device</th>
              <th scope="col">State now</th>
              <th scope="col">Result before</th>
              <th scope="col">Result in the file</th>
              <th scope="col">Technician</th>
            </tr>
          </thead>
          <tbody>
            {diff.changes.map((c) => (
              <tr key={c.row} data-testid="tracker-change" data-host={c.hostname}>
                <td className="num-cell">{c.row}</td>
                <td>{c.hostname}</td>
                <td>{label(c.state)}</td>
                <td>{label(c.from)}</td>
                <td>
                  <strong>{label(c.to)}</strong>
                </td>
                <td>{c.technician ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {diff.problems.length > 0 && (
        <>
          <h3>Rows not applied (device or value unknown: nothing is guessed)</h3>
          <table className="import-errors" data-testid="tracker-problems">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Hostname</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {diff.problems.map((p) => (
                <tr key={p.row} data-testid="tracker-problem">
                  <td className="num-cell">{p.row}</td>
                  <td>{p.hostname}</td>
                  <td>{p.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
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
