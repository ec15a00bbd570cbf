// One imported file's report: counts, problems grouped by reason, first bad lines, and the sheet or mapping step.
import type { ColumnMapping, IngestReport } from '../../../core/ingest/index.js';
import { Table } from '../../components/DataTable.js';
import { FORMAT_LABELS } from './import-labels.js';
import { MappingForm, SheetPicker } from './ImportForms.js';
import type { Entry } from './entry.js';
export function FileReport(props: {
  entry: Entry;
  onMap: (m: ColumnMapping) => void;
  onSheet: (sheet: string) => void;
  busy: boolean;
  mapOpen: boolean;
  onToggleMap: (open: boolean) => void;
}) {
  const { report, error, file } = props.entry;
  return (
    <article
      className="panel import-report"
      data-testid="import-report"
      data-file={file.name}
      id={`import-report-${props.entry.id}`}
    >
      <h2>{file.name}</h2>
      {error && <p className="error">{error}</p>}
      {report && (
        <>
          <p data-testid="import-summary">
            <strong data-testid="import-format" data-format={report.format}>
              {FORMAT_LABELS[report.format] ?? report.format}
            </strong>
            {report.duplicate ? (
              <> — already imported (same content): nothing was added.</>
            ) : (
              <>
                {' '}
                — {report.rows.toLocaleString()} rows,{' '}
                <span data-testid="import-imported">{report.imported.toLocaleString()}</span> imported,{' '}
                <span data-testid="import-rejected">{report.rejected.toLocaleString()}</span> rejected
                {report.flagged > 0 && <>, {report.flagged} kept with a note</>}.
              </>
            )}
          </p>
          {report.notes.length > 0 && (
            <ul className="muted small">
              {report.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          )}
          {report.reasons.length > 0 && <ReasonTable reasons={report.reasons} />}
          {report.errors.length > 0 && (
            <details>
              <summary>
                The first {report.errors.length === 1 ? 'row' : `${report.errors.length} rows`} with a problem, line by
                line
              </summary>
              <ErrorTable errors={report.errors} />
            </details>
          )}
          {report.sheets && report.sheets.length > 1 && (
            <SheetPicker sheets={report.sheets} onSubmit={props.onSheet} busy={props.busy} />
          )}
          {report.format === 'unknown' && report.header && report.header.length > 0 && (
            <MappingForm header={report.header} onSubmit={props.onMap} busy={props.busy} />
          )}
          {report.format !== 'unknown' && report.header && report.header.length > 0 && (
            <details open={props.mapOpen} onToggle={(e) => props.onToggleMap(e.currentTarget.open)}>
              <summary data-testid="map-columns-toggle">Map the columns by hand instead</summary>
              {props.mapOpen && <MappingForm header={report.header} onSubmit={props.onMap} busy={props.busy} />}
            </details>
          )}
        </>
      )}
    </article>
  );
}

export function ReasonTable(props: { reasons: IngestReport['reasons'] }) {
  return (
    <Table
      className="import-errors"
      testId="import-reasons"
      caption="Problems grouped by reason"
      rows={props.reasons}
      rowKey={(_, i) => i}
      rowProps={() => ({ 'data-testid': 'import-reason' })}
      columns={[
        {
          key: 'count',
          label: 'Rows',
          className: 'num-cell',
          render: (r) => r.count.toLocaleString('en-US'),
        },
        { key: 'field', label: 'Field', render: (r) => r.field },
        { key: 'message', label: 'Reason', render: (r) => r.message },
        {
          key: 'lines',
          label: 'First lines',
          render: (r) => `${r.lines.join(', ')}${r.count > r.lines.length ? ', …' : ''}`,
        },
      ]}
    />
  );
}

export function ErrorTable(props: { errors: { line: number; field: string; message: string }[]; more?: number }) {
  return (
    <Table
      className="import-errors"
      testId="import-errors"
      label="Rejected lines"
      rows={props.errors}
      rowKey={(_, i) => i}
      columns={[
        { key: 'line', label: 'Line', className: 'num-cell', render: (e) => e.line },
        { key: 'field', label: 'Field', render: (e) => e.field },
        { key: 'message', label: 'Reason', render: (e) => e.message },
      ]}
    />
  );
}
