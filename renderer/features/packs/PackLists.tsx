// The pack form's devices without a key, the packs made in this workspace and the key rotation list, as the shared table.
import type { PackSummary, RotationRow } from '../../../core/field/pack-lists.js';
import type { NoKeyDevice } from '../../../core/field/packs.js';
import { Table } from '../../components/DataTable.js';

export type NoKeyChoice = 'exclude' | 'safe-mode' | 'reimage';
const CHOICES: Array<{ id: NoKeyChoice; label: string }> = [
  { id: 'safe-mode', label: 'Carry with the Safe Mode path' },
  { id: 'reimage', label: 'Carry to reimage' },
  { id: 'exclude', label: 'Leave out of the pack' },
];
const WHY: Record<string, string> = {
  'none-imported': 'none imported',
  'invalid-checksum': 'invalid checksum',
  'key-id-mismatch': 'key ID mismatch',
};

/** The devices a pack would carry without a valid key, why, and the path chosen for each. */
export function NoKeyTable(props: {
  rows: NoKeyDevice[];
  choices: Record<number, NoKeyChoice>;
  onChoose: (id: number, choice: NoKeyChoice) => void;
}) {
  return (
    <Table
      className="compact"
      label="Devices without a valid key"
      rows={props.rows}
      rowKey={(n) => n.id}
      rowProps={(n) => ({ 'data-testid': 'pack-nokey-row', 'data-host': n.hostname })}
      columns={[
        { key: 'host', label: 'Host', className: 'nowrap', render: (n) => n.hostname },
        {
          key: 'why',
          label: 'Why',
          render: (n) => (
            <>
              <strong>{WHY[n.reason] ?? n.reason}</strong>
              <span className="muted small"> · {n.detail}</span>
            </>
          ),
        },
        {
          key: 'path',
          label: 'Path',
          render: (n) => (
            <select
              aria-label={`Path for ${n.hostname}`}
              value={props.choices[n.id] ?? 'safe-mode'}
              onChange={(e) => props.onChoose(n.id, e.target.value as NoKeyChoice)}
            >
              {CHOICES.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                </option>
              ))}
            </select>
          ),
        },
      ]}
    />
  );
}

function fmt(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').slice(0, 16);
}

export function PackTable(props: { packs: PackSummary[] }) {
  return (
    <Table
      className="compact"
      testId="packs-table"
      labelledBy="packs-title"
      rows={props.packs}
      rowKey={(p) => p.id}
      columns={[
        { key: 'site', label: 'Site', render: (p) => p.site ?? 'selection', sortValue: (p) => p.site },
        { key: 'devices', label: 'Devices', className: 'num', render: (p) => p.devices, sortValue: (p) => p.devices },
        { key: 'keys', label: 'Keys', className: 'num', render: (p) => p.keys },
        {
          key: 'created',
          label: 'Created (UTC)',
          className: 'nowrap',
          render: (p) => fmt(p.createdAt),
          sortValue: (p) => p.createdAt,
        },
        {
          key: 'expires',
          label: 'Expires (UTC)',
          className: 'nowrap',
          render: (p) => fmt(p.expiresAt),
          sortValue: (p) => p.expiresAt,
        },
        { key: 'by', label: 'By', render: (p) => p.createdBy },
        { key: 'files', label: 'Results files', className: 'num', render: (p) => p.resultFiles },
        { key: 'results', label: 'Results', className: 'num', render: (p) => p.results },
        { key: 'id', label: 'Pack ID', render: (p) => <code>{p.id.slice(0, 8)}</code> },
      ]}
    />
  );
}

/** Every key that was packed or revealed; a long list scrolls in its own box, only the visible rows drawn. */
export function RotationTable(props: { rows: RotationRow[] }) {
  return (
    <Table
      className="compact"
      testId="rotation-table"
      labelledBy="rotation-title"
      label="Key rotation list"
      rows={props.rows}
      rowKey={(r) => r.keyId}
      virtualiseAbove={60}
      maxHeight="40vh"
      columns={[
        { key: 'key', label: 'Key ID', render: (r) => <code>{r.keyId}</code> },
        { key: 'host', label: 'Host', render: (r) => r.hostname ?? '', sortValue: (r) => r.hostname },
        { key: 'why', label: 'Why', render: (r) => r.reasons.replace(/_/g, ' '), sortValue: (r) => r.reasons },
        {
          key: 'first',
          label: 'First exposed (UTC)',
          className: 'nowrap',
          render: (r) => fmt(r.firstAt),
          sortValue: (r) => r.firstAt,
        },
      ]}
    />
  );
}
