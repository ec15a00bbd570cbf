// Rows joined to a device by name only while another identifier disagreed: confirm the join or split the row off.
import { useState } from 'react';
import { Table } from '../../components/DataTable.js';
import { useQuery, useWorkspace } from '../../state/workspace.js';
export function ReviewList() {
  const { db, changed } = useWorkspace();
  const { data } = useQuery((c) => c.reviewList({ limit: 100 }), []);
  const [error, setError] = useState<string | null>(null);
  if (!data || data.length === 0) return null;
  const act = async (id: number, action: 'confirm' | 'split') => {
    setError(null);
    try {
      await db.resolveReview(id, action);
      await changed();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section className="panel" aria-labelledby="review-title" data-testid="review-list">
      <h2 id="review-title">Matches to review ({data.length})</h2>
      <p className="muted small">
        These rows were joined to a device by name only, while another identifier disagreed. Confirm the join, or split
        the row off into its own device.
      </p>
      {error && <p className="error">{error}</p>}
      <Table
        labelledBy="review-title"
        rows={data}
        rowKey={(r) => r.id}
        columns={[
          { key: 'device', label: 'Device', render: (r) => r.hostname },
          { key: 'why', label: 'Why', render: (r) => r.reason },
          {
            key: 'source',
            label: 'Source',
            render: (r) => (
              <>
                {r.file ?? r.source} {r.line !== null && <>line {r.line}</>}
              </>
            ),
          },
          {
            key: 'action',
            label: 'Action',
            render: (r) => (
              <>
                <button type="button" onClick={() => void act(r.id, 'confirm')}>
                  Same machine
                </button>{' '}
                <button type="button" onClick={() => void act(r.id, 'split')}>
                  Split
                </button>
              </>
            ),
          },
        ]}
      />
    </section>
  );
}
