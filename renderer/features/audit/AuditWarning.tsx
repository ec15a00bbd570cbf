// The open-time audit warning: a cut tail or rewritten log stays on screen until someone acknowledges it, audited.
import { useState } from 'react';
import { useQuery, useWorkspace } from '../../state/workspace.js';

export function AuditWarning() {
  const { db, changed } = useWorkspace();
  const status = useQuery((c) => c.auditVerify(), []);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const v = status.data;
  if (!v || v.ok) return null;
  const chainBroken = v.problems.some((p) => ['altered', 'missing', 'reordered', 'downgraded'].includes(p.kind));

  async function acknowledge() {
    setBusy(true);
    setError(null);
    try {
      await db.auditAcknowledge(note);
      await changed();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section
      role="alert"
      className="notice audit-warning"
      data-testid="audit-warning"
      aria-labelledby="audit-warning-title"
    >
      <h2 id="audit-warning-title">The audit log does not match its anchors</h2>
      <ul>
        {v.problems.map((p, i) => (
          <li key={i}>{p.message}</li>
        ))}
      </ul>
      {chainBroken ? (
        <p>Entries from the first broken one on cannot be trusted. Keep this file for the review.</p>
      ) : (
        <div className="toolbar">
          <label>
            What happened (recorded in the audit log)
            <input
              value={note}
              onChange={(e) => setNote(e.target.value)}
              data-testid="audit-ack-note"
              placeholder="e.g. restored yesterday's backup"
            />
          </label>
          <button
            type="button"
            className="primary"
            onClick={acknowledge}
            disabled={busy || note.trim().length < 3}
            data-testid="audit-ack"
          >
            Acknowledge and record
          </button>
        </div>
      )}
      {error && <p className="error">{error}</p>}
    </section>
  );
}
