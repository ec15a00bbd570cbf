// The audit log: paged, newest first; Verify walks the hash chain and names the first broken link; export as JSON lines or CSV.
import { useState } from 'react';
import { useQuery, useWorkspace } from '../../state/workspace.js';
import { Table } from '../../components/DataTable.js';

const PAGE = 50;
type Verification = Awaited<ReturnType<ReturnType<typeof useWorkspace>['db']['auditVerify']>>;

function short(v: unknown): string {
  const text = Array.isArray(v)
    ? `${v.length} item(s)`
    : typeof v === 'object' && v !== null
      ? JSON.stringify(v)
      : String(v);
  return text.length > 90 ? `${text.slice(0, 89)}…` : text;
}

/** A readable one-line summary of an entry's JSON detail; the full text is in the export. */
function detailText(detail: string): string {
  try {
    const d = JSON.parse(detail) as Record<string, unknown>;
    return Object.entries(d)
      .map(([k, v]) => `${k}: ${short(v)}`)
      .join('; ');
  } catch {
    return detail;
  }
}

export function AuditView() {
  const { db, host } = useWorkspace();
  const [offset, setOffset] = useState(0);
  const [verify, setVerify] = useState<Verification | null>(null);
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Filter (issue 17): the action groups a review asks about, an actor, a time range (UTC dates, inclusive).
  const [group, setGroup] = useState('');
  const [actor, setActor] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const filter = {
    ...(group ? { group } : {}),
    ...(actor ? { actor } : {}),
    ...(from ? { from: Date.parse(`${from}T00:00:00Z`) } : {}),
    ...(to ? { to: Date.parse(`${to}T23:59:59.999Z`) } : {}),
  };
  const page = useQuery((c) => c.auditPage({ offset, limit: PAGE, filter }), [offset, group, actor, from, to]);
  const total = page.data?.total ?? 0;

  async function runVerify() {
    setBusy(true);
    setError(null);
    try {
      setVerify(await db.auditVerify());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function exportLog(format: 'jsonl' | 'csv') {
    setError(null);
    try {
      const text = await db.auditExport(format, filter);
      await host.saveFile({
        suggestedName: `ringside-audit-${new Date().toISOString().slice(0, 10)}.${format}`,
        data: text,
        mime: format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      });
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section className="view" aria-labelledby="audit-title">
      <div className="view-head">
        <h1 id="audit-title">Audit log</h1>
        <span className="muted">
          {total.toLocaleString()} entries, chained (each entry carries a keyed hash of the one before)
        </span>
      </div>
      <div className="toolbar">
        <button type="button" className="primary" onClick={runVerify} disabled={busy} data-testid="audit-verify">
          {busy ? 'Verifying…' : 'Verify chain'}
        </button>
        <button
          type="button"
          onClick={() =>
            db.auditReceipt().then(
              (r) => setReceipt(r.text),
              (e: Error) => setError(e.message),
            )
          }
          data-testid="audit-receipt-button"
        >
          Receipt
        </button>
        <button type="button" onClick={() => exportLog('jsonl')}>
          Export JSON lines
        </button>
        <button type="button" onClick={() => exportLog('csv')}>
          Export CSV
        </button>
      </div>
      <div className="toolbar" role="group" aria-label="Filter the audit log">
        <label>
          Action
          <select
            value={group}
            onChange={(e) => (setGroup(e.target.value), setOffset(0))}
            data-testid="audit-filter-action"
          >
            <option value="">All</option>
            <option value="key-reveals">Key reveals</option>
            <option value="packs">Field packs</option>
            <option value="merges">Merges</option>
            <option value="overrides">Overrides</option>
          </select>
        </label>
        <label>
          Actor
          <select
            value={actor}
            onChange={(e) => (setActor(e.target.value), setOffset(0))}
            data-testid="audit-filter-actor"
          >
            <option value="">All</option>
            {(page.data?.actors ?? []).map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          From (UTC)
          <input type="date" value={from} onChange={(e) => (setFrom(e.target.value), setOffset(0))} />
        </label>
        <label>
          To (UTC)
          <input type="date" value={to} onChange={(e) => (setTo(e.target.value), setOffset(0))} />
        </label>
      </div>
      {receipt && (
        <p className="audit-receipt">
          Audit receipt (print it or paste it into the incident ticket; <code>ringside audit verify --expect</code>{' '}
          checks the log against it):
          <br />
          <code data-testid="audit-receipt" style={{ userSelect: 'all', wordBreak: 'break-all' }}>
            {receipt}
          </code>
        </p>
      )}
      {verify && (
        <p role="status" className={verify.ok ? 'audit-ok' : 'error'} data-testid="audit-verify-result">
          {verify.ok
            ? `Chain intact: ${verify.entries.toLocaleString()} entries verified. Head ${verify.head.slice(0, 16)}…`
            : `Chain BROKEN at entry ${verify.firstBroken?.seq}: ${verify.problems.map((p) => p.message).join('; ')}. Entries from there on cannot be trusted.`}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="panel">
        <Table
          className="compact audit-table"
          label="Audit entries"
          rows={page.data?.rows ?? []}
          rowKey={(r) => r.seq}
          rowProps={(r) => ({
            className: verify?.firstBroken && r.seq >= verify.firstBroken.seq ? 'audit-broken' : undefined,
          })}
          columns={[
            { key: 'seq', label: '#', className: 'num', render: (r) => r.seq },
            {
              key: 'at',
              label: 'Time (UTC)',
              className: 'nowrap',
              render: (r) => new Date(r.at).toISOString().replace('T', ' ').slice(0, 19),
            },
            { key: 'actor', label: 'Actor', render: (r) => r.actor },
            { key: 'action', label: 'Action', render: (r) => <code>{r.action}</code> },
            { key: 'detail', label: 'Detail', className: 'audit-detail', render: (r) => detailText(r.detail) },
            { key: 'hash', label: 'Hash', render: (r) => <code title={r.hash}>{r.hash.slice(0, 10)}</code> },
          ]}
        />
        <div className="toolbar audit-pager">
          <button type="button" onClick={() => setOffset(Math.max(0, offset - PAGE))} disabled={offset === 0}>
            Newer
          </button>
          <span className="muted">
            {total === 0
              ? 'No entries'
              : `${offset + 1}–${Math.min(total, offset + PAGE)} of ${total.toLocaleString()}`}
          </span>
          <button type="button" onClick={() => setOffset(offset + PAGE)} disabled={offset + PAGE >= total}>
            Older
          </button>
        </div>
      </div>
    </section>
  );
}
