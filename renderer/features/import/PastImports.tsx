// Every import in the workspace, each with its rejected lines page by page.
import { useState } from 'react';
import { Table } from '../../components/DataTable.js';
import { useQuery } from '../../state/workspace.js';
import { ErrorTable } from './FileReport.js';
import { FORMAT_LABELS } from './import-labels.js';
export function PastImports() {
  const { data } = useQuery((c) => c.listImports(), []);
  const [open, setOpen] = useState<number | null>(null);
  return (
    <section className="panel" aria-labelledby="past-imports-title" data-testid="past-imports">
      <h2 id="past-imports-title">Imports in this workspace</h2>
      {!data || data.length === 0 ? (
        <p className="muted">Nothing imported yet.</p>
      ) : (
        <Table
          labelledBy="past-imports-title"
          rows={data}
          rowKey={(i) => i.id}
          rowProps={(i) => ({ 'data-testid': 'past-import', 'data-format': i.format })}
          rowDetail={(i) => (open === i.id ? <ProblemPages importId={i.id} /> : null)}
          columns={[
            { key: 'file', label: 'File', render: (i) => i.file, cellProps: (i) => ({ title: `SHA-256 ${i.sha256}` }) },
            { key: 'format', label: 'Format', render: (i) => FORMAT_LABELS[i.format] ?? i.format },
            { key: 'rows', label: 'Rows', className: 'num-cell', render: (i) => i.rows.toLocaleString() },
            { key: 'imported', label: 'Imported', className: 'num-cell', render: (i) => i.imported.toLocaleString() },
            { key: 'rejected', label: 'Rejected', className: 'num-cell', render: (i) => i.rejected.toLocaleString() },
            {
              key: 'when',
              label: 'When',
              render: (i) => `${new Date(i.startedAt).toISOString().replace('T', ' ').slice(0, 16)} UTC`,
            },
            {
              key: 'problems',
              label: 'Problems',
              render: (i) =>
                i.problems > 0 ? (
                  <button
                    type="button"
                    onClick={() => setOpen(open === i.id ? null : i.id)}
                    aria-expanded={open === i.id}
                  >
                    {open === i.id ? 'Hide' : `Show ${i.problems}`}
                  </button>
                ) : (
                  <span className="muted">none</span>
                ),
            },
          ]}
        />
      )}
    </section>
  );
}

function ProblemPages(props: { importId: number }) {
  const [offset, setOffset] = useState(0);
  const limit = 100;
  const { data } = useQuery((c) => c.importErrors(props.importId, { offset, limit }), [props.importId, offset]);
  if (!data) return <p className="muted">Loading…</p>;
  return (
    <div>
      <ErrorTable errors={data.errors} />
      <div className="toolbar">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>
          Previous
        </button>
        <span className="muted small">
          {offset + 1}–{Math.min(offset + limit, data.total)} of {data.total}
        </span>
        <button type="button" disabled={offset + limit >= data.total} onClick={() => setOffset(offset + limit)}>
          Next
        </button>
      </div>
    </div>
  );
}
