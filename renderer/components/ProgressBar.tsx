// A labelled progress bar with an optional cancel button, for every long action.
export function ProgressBar(props: { label: string; done: number; total: number; onCancel?: () => void }) {
  const pct = props.total > 0 ? Math.min(100, Math.round((props.done / props.total) * 100)) : undefined;
  return (
    <div className="progress" role="status" aria-live="polite">
      <div className="progress-label">
        {props.label}
        {pct !== undefined ? ` — ${pct}%` : '…'}
      </div>
      <progress max={100} value={pct} aria-label={props.label} />
      {props.onCancel && (
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
