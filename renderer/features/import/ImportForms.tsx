// The import's follow-up forms: choose a workbook sheet, or map a generic file's columns to fields by hand.
import { useState } from 'react';
import type { ImportKind } from '../../../core/contract/ingest.js';
import type { Field } from '../../../core/ingest/formats.js';
import type { ColumnMapping, IngestReport } from '../../../core/ingest/index.js';
import { useQuery } from '../../state/workspace.js';
import { FIELD_LABELS } from './import-labels.js';
export function SheetPicker(props: {
  sheets: NonNullable<IngestReport['sheets']>;
  onSubmit: (sheet: string) => void;
  busy: boolean;
}) {
  const [sheet, setSheet] = useState(props.sheets[0]!.name);
  return (
    <form
      className="mapping-form"
      data-testid="sheet-picker"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(sheet);
      }}
    >
      <h3>Choose the sheet to import</h3>
      <ul className="muted small">
        {props.sheets.map((s) => (
          <li key={s.name}>
            <strong>{s.name}</strong>
            {s.hidden ? ' (hidden)' : ''}: header on row {s.headerRow}: {s.header.slice(0, 6).join(', ')}
            {s.header.length > 6 ? ', …' : ''}
          </li>
        ))}
      </ul>
      <div className="toolbar">
        <label>
          Sheet
          <select value={sheet} data-testid="sheet-select" onChange={(e) => setSheet(e.target.value)}>
            {props.sheets.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={props.busy} data-testid="sheet-submit">
          Import this sheet
        </button>
      </div>
    </form>
  );
}

export function MappingForm(props: { header: string[]; onSubmit: (m: ColumnMapping) => void; busy: boolean }) {
  const { data: mappable } = useQuery((c) => c.mappableFields(), []);
  const [kind, setKind] = useState<ImportKind>('fleet');
  const [columns, setColumns] = useState<Partial<Record<Field, string>>>({});
  const spec = mappable?.[kind];
  const missing = spec ? spec.required.filter((f) => !columns[f]) : [];
  return (
    <form
      className="mapping-form"
      data-testid="mapping-form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit({ kind, columns, save: true });
      }}
    >
      <h3>Map the columns of this file</h3>
      <p className="muted small">The mapping is saved and used again when a file with the same header comes back.</p>
      <div className="toolbar">
        <label>
          What the file holds
          <select
            value={kind}
            data-testid="mapping-kind"
            onChange={(e) => {
              setKind(e.target.value as ImportKind);
              setColumns({});
            }}
          >
            <option value="fleet">Devices</option>
            <option value="keys">BitLocker keys</option>
            <option value="rollout">Rollout events</option>
          </select>
        </label>
      </div>
      <div className="mapping-grid">
        {spec?.fields.map((f) => (
          <label key={f}>
            {FIELD_LABELS[f]}
            {spec.required.includes(f) ? ' *' : ''}
            <select
              value={columns[f] ?? ''}
              data-testid={`map-${f}`}
              onChange={(e) => setColumns((c) => ({ ...c, [f]: e.target.value || undefined }))}
            >
              <option value="">— not used —</option>
              {props.header.map((h) => (
                <option key={h} value={h}>
                  {h}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      <button
        type="submit"
        className="primary"
        disabled={props.busy || missing.length > 0}
        data-testid="mapping-submit"
      >
        Import with this mapping
      </button>
      {missing.length > 0 && (
        <span className="muted small"> Map {missing.map((f) => FIELD_LABELS[f]).join(' and ')} first.</span>
      )}
    </form>
  );
}
