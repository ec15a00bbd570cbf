// The critical devices still down (hostname, category, ring, site, state), as the Overview and the report list them.
import { STATE_LABEL } from '../../core/analysis/rules.js';
import type { CriticalRow } from '../../core/analysis/devices.js';
import { Table } from './DataTable.js';

export function CriticalTable(props: { rows: readonly CriticalRow[]; labelledBy?: string; testId?: string }) {
  return (
    <Table
      className="compact"
      labelledBy={props.labelledBy}
      testId={props.testId}
      rows={props.rows}
      rowKey={(r) => r.id}
      columns={[
        { key: 'hostname', label: 'Hostname', render: (r) => r.hostname },
        { key: 'category', label: 'Category', render: (r) => r.category },
        { key: 'ring', label: 'Ring', render: (r) => r.ring },
        { key: 'site', label: 'Site', render: (r) => r.site },
        {
          key: 'state',
          label: 'State',
          render: (r) => (
            <>
              <span className={`state-dot st-${r.state}`} aria-hidden="true" /> {STATE_LABEL[r.state]}
            </>
          ),
        },
      ]}
    />
  );
}
