// The Overview's exposure window with where it came from (chosen, derived, not set), and the form that chooses it.
import { useState, type FormEvent } from 'react';
import type { SummaryEx } from '../../../core/analysis/summary.js';
import { useWorkspace } from '../../state/workspace.js';

const utc = (t: number) => `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
/** A datetime-local value read as UTC ("2024-07-19T04:09" → epoch ms), or null when empty or malformed. */
const fromInput = (v: string): number | null => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v)) return null;
  const t = Date.parse(`${v}:00Z`);
  return Number.isFinite(t) ? t : null;
};
const toInput = (t: number | null) => (t === null ? '' : new Date(t).toISOString().slice(0, 16));

export function ExposureWindowLine(props: { window: SummaryEx['window'] }) {
  const w = props.window;
  const { act } = useWorkspace();
  const [editing, setEditing] = useState(false);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [error, setError] = useState<string | null>(null);

  const open = () => {
    setStart(toInput(w.start));
    setEnd(toInput(w.end));
    setError(null);
    setEditing(true);
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const s = fromInput(start);
    const t = fromInput(end);
    if (s === null || t === null) return setError('Give both ends as UTC date and time.');
    if (s > t) return setError('The window must start before it ends.');
    try {
      // Journalled first: the window shows as chosen only once the choice is on disk.
      await act({ type: 'window.set', start: s, end: t, at: Date.now() });
      setEditing(false);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const useDerived = () => void act({ type: 'window.set', start: null, end: null, at: Date.now() });

  return (
    <div className="exposure-window small" data-testid="exposure-window" data-origin={w.source}>
      {w.start !== null && w.end !== null ? (
        <span>
          Exposure window {utc(w.start)} – {utc(w.end)}, <strong>{w.text}</strong>
        </span>
      ) : (
        <span>
          Exposure window <strong>{w.text}</strong>
        </span>
      )}{' '}
      {!editing && (
        <button type="button" className="link" onClick={open}>
          {w.source === 'none' ? 'Choose the exposure window' : 'Choose another window'}
        </button>
      )}
      {!editing && w.source === 'chosen' && (
        <>
          {' · '}
          <button type="button" className="link" onClick={useDerived}>
            Derive it from the data instead
          </button>
        </>
      )}
      {editing && (
        <form className="window-form" onSubmit={(e) => void save(e)} aria-label="Choose the exposure window">
          <label>
            Start (UTC){' '}
            <input type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} required />
          </label>{' '}
          <label>
            End (UTC) <input type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} required />
          </label>{' '}
          <button type="submit">Save window</button>{' '}
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
          {error && (
            <span className="error" role="alert">
              {' '}
              {error}
            </span>
          )}
        </form>
      )}
    </div>
  );
}
