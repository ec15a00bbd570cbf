// The summary at the top of an import batch: one line per file (problems first), grouped reasons, what the batch changed.
import type { Changes } from '../../../core/analysis/change-log.js';
import { STATE_LABEL } from '../../../core/analysis/rules.js';
import type { DeviceState } from '../../../core/contract/analysis.js';
import { counted, utcFull } from '../../components/format.js';
import { Table } from '../../components/DataTable.js';
import type { Entry } from './entry.js';

/** A file that needs the user: not read, not recognised, or with rejected rows. */
export function hasProblem(e: Entry): boolean {
  const r = e.report;
  return !r || e.error !== null || r.format === 'unknown' || r.rejected > 0;
}

function outcome(e: Entry): string {
  const r = e.report;
  if (!r) return e.error ?? 'not read';
  if (r.duplicate) return 'already imported: nothing added';
  if (r.format === 'unknown') return 'not recognised: map its columns';
  if (r.rows > 0 && r.imported === 0) return `all ${counted(r.rejected, 'row')} rejected`;
  const parts = [];
  if (r.devicesAdded > 0) parts.push(`+${counted(r.devicesAdded, 'device record')}`);
  if (r.rejected > 0) parts.push(`${counted(r.rejected, 'row')} rejected`);
  if (r.flagged > 0) parts.push(`${counted(r.flagged, 'row')} kept with a note`);
  return parts.join(', ') || 'imported';
}

export function describeBatch(c: Changes): string[] {
  const moved = Object.entries(c.byNewState)
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${n.toLocaleString('en-US')} ${STATE_LABEL[s as DeviceState].toLowerCase()}`);
  const dt = (t: number | null) => (t === null ? 'none' : `${utcFull(t)} UTC`);
  return [
    `+${counted(c.devicesAdded, 'device')} (now ${c.devicesAfter.toLocaleString('en-US')})`,
    `${counted(c.statesChanged, 'device')} changed state${moved.length ? `: now ${moved.join(', ')}` : ''}`,
    c.dataTime.before === c.dataTime.after
      ? `data time unchanged, ${dt(c.dataTime.after)}`
      : `data time ${dt(c.dataTime.before)} → ${dt(c.dataTime.after)}`,
  ];
}

export function BatchSummary(props: {
  entries: Entry[];
  changes: Changes | null;
  formatLabel: (format: string) => string;
  onMap: (entryId: number) => void;
}) {
  const { entries, changes } = props;
  const bad = entries.filter(hasProblem);
  const good = entries.length - bad.length;
  const headline =
    `${counted(entries.length, 'file')}: ${good.toLocaleString('en-US')} imported cleanly` +
    (bad.length ? `, ${counted(bad.length, 'file')} with problems` : '');
  return (
    <section className="panel batch-summary" aria-labelledby="batch-title" data-testid="batch-summary">
      <h2 id="batch-title">This batch</h2>
      <p role="status" data-testid="batch-headline">
        <strong>{headline}</strong>
      </p>
      {changes && (
        <ul className="batch-changes" data-testid="batch-changes">
          {describeBatch(changes).map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      )}
      <Table
        className="compact batch-files"
        labelledBy="batch-title"
        rows={entries}
        rowKey={(e) => e.id}
        rowProps={(e) => ({ 'data-testid': 'batch-file', 'data-file': e.file.name, 'data-problem': hasProblem(e) })}
        columns={[
          { key: 'file', label: 'File', rowHeader: true, render: (e) => e.file.name },
          { key: 'format', label: 'Format', render: (e) => (e.report ? props.formatLabel(e.report.format) : '—') },
          {
            key: 'rows',
            label: 'Rows',
            className: 'num-cell',
            render: (e) => (e.report ? e.report.rows.toLocaleString('en-US') : '—'),
          },
          {
            key: 'imported',
            label: 'Imported',
            className: 'num-cell',
            render: (e) => (e.report ? e.report.imported.toLocaleString('en-US') : '—'),
          },
          {
            key: 'rejected',
            label: 'Rejected',
            className: 'num-cell',
            render: (e) => (e.report ? e.report.rejected.toLocaleString('en-US') : '—'),
          },
          {
            key: 'what',
            label: 'What changed',
            render: (e) => {
              const r = e.report;
              const top = r?.reasons[0];
              return (
                <>
                  {outcome(e)}
                  {top && (
                    <div className="small muted" data-testid="batch-reason">
                      {top.field}: {top.message} ({counted(top.count, 'row')}; lines {top.lines.join(', ')}
                      {top.count > top.lines.length ? ', …' : ''})
                      {r!.reasons.length > 1 && ` and ${counted(r!.reasons.length - 1, 'other reason')}`}
                    </div>
                  )}
                </>
              );
            },
          },
          {
            key: 'actions',
            label: <span className="visually-hidden">Actions</span>,
            render: (e) =>
              e.report?.header &&
              e.report.header.length > 0 && (
                <button type="button" className="link" onClick={() => props.onMap(e.id)}>
                  Map the columns<span className="visually-hidden"> of {e.file.name}</span>
                </button>
              ),
          },
        ]}
      />
    </section>
  );
}
