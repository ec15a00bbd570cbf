// The last generations of scripts in this workspace: when, which playbook and route, how many devices, refused, keys.
import { Table } from '../../components/DataTable.js';
import { useQuery } from '../../state/workspace.js';

export function HistoryPanel() {
  const history = useQuery((c) => c.generations({ limit: 20 }), []);
  return (
    <div className="panel">
      <h2 id="scripts-history-title">History</h2>
      <Table
        className="refused"
        testId="history"
        labelledBy="scripts-history-title"
        rows={history.data ?? []}
        rowKey={(g) => g.id}
        columns={[
          { key: 'id', label: '#', render: (g) => g.id },
          {
            key: 'at',
            label: 'When (UTC)',
            render: (g) => new Date(g.at).toISOString().slice(0, 19).replace('T', ' '),
          },
          { key: 'playbook', label: 'Playbook', render: (g) => `${g.playbookId} v${g.playbookVersion}` },
          { key: 'route', label: 'Route', render: (g) => g.route },
          { key: 'devices', label: 'Devices', render: (g) => g.devices },
          { key: 'refused', label: 'Refused', render: (g) => g.refused },
          { key: 'keys', label: 'Keys', render: (g) => (g.withKeys ? 'yes' : 'no') },
        ]}
      />
    </div>
  );
}
