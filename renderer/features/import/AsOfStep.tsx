// The import view's one question before writing a status report without a time column: the export's "as of" time.
import { useState } from 'react';
import { isoMinute, parseIsoUtc } from '../../../core/ingest/as-of.js';
import type { AsOfProbe } from '../../../core/ingest/index.js';

export interface AsOfAsk {
  file: File;
  probe: AsOfProbe;
}

/** One row per such file: what Ringside found and where, in an input the user may change; then one Import button. */
export function AsOfStep(props: {
  asks: AsOfAsk[];
  formatLabel: (format: string) => string;
  onSubmit: (times: Map<File, number>) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(() => props.asks.map((a) => (a.probe.found ? isoMinute(a.probe.found.at) : '')));
  const parsed = text.map(parseIsoUtc);
  const bad = parsed.some((t) => t === null);
  return (
    <form
      className="panel mapping-form"
      data-testid="as-of-step"
      onSubmit={(e) => {
        e.preventDefault();
        if (bad) return;
        props.onSubmit(new Map(props.asks.map((a, i) => [a.file, parsed[i]!])));
      }}
    >
      <h3>When were these exported?</h3>
      <p className="muted small">
        These files have no time column: each row is taken as of the export&apos;s time. Check it, or give the right one
        (UTC).
      </p>
      {props.asks.map((a, i) => (
        <div key={i} className="as-of-row" data-testid="as-of-file" data-file={a.file.name}>
          <label>
            <strong>{a.file.name}</strong> ({props.formatLabel(a.probe.format)}):{' '}
            <span data-testid="as-of-found">
              {a.probe.found
                ? `found ${isoMinute(a.probe.found.at).replace('T', ' ').replace('Z', ' UTC')}, from ${a.probe.found.from}`
                : 'no date found in the file, its name or its modified time'}
            </span>
            <br />
            As of (UTC){' '}
            <input
              type="text"
              value={text[i]}
              placeholder="2024-07-19T09:12Z"
              aria-invalid={parsed[i] === null}
              data-testid="as-of-input"
              onChange={(e) => setText((prev) => prev.map((t, j) => (j === i ? e.target.value : t)))}
            />
          </label>
          {parsed[i] === null && (
            <span className="muted small" role="alert">
              {' '}
              Give a UTC date and time such as 2024-07-19T09:12Z.
            </span>
          )}
        </div>
      ))}
      <div className="toolbar">
        <button type="submit" className="primary" disabled={bad} data-testid="as-of-submit">
          Import
        </button>
        <button type="button" className="ghost" onClick={props.onCancel} data-testid="as-of-cancel">
          Cancel
        </button>
      </div>
    </form>
  );
}
