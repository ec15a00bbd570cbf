// Rollback and halt commands for a vendor and ring: what a stop of the bad update looks like, for review, never run.
import { useState } from 'react';
import type { RollbackPlan } from '../../../core/remediation/rollback.js';
import { useWorkspace } from '../../state/workspace.js';
import { Code } from './ScriptParts.js';

const VENDORS = ['falcon-content', 'falcon-sensor', 'intune', 'autopatch', 'configmgr', 'winget'];

export function RollbackPanel(props: { rings: Array<{ value: string }>; onError: (message: string | null) => void }) {
  const { db } = useWorkspace();
  const [vendor, setVendor] = useState('falcon-content');
  const [rbRing, setRbRing] = useState('');
  const [plan, setPlan] = useState<RollbackPlan | null>(null);

  async function rollback() {
    props.onError(null);
    try {
      setPlan(await db.rollbackCommands({ vendor, ring: rbRing || (props.rings[0]?.value ?? '') }));
    } catch (e) {
      props.onError((e as Error).message);
    }
  }

  return (
    <div className="panel">
      <h2>Rollback and halt commands</h2>
      <div className="toolbar">
        <label>
          Vendor
          <select data-testid="rb-vendor" value={vendor} onChange={(e) => setVendor(e.target.value)}>
            {VENDORS.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <label>
          Ring
          <select data-testid="rb-ring" value={rbRing} onChange={(e) => setRbRing(e.target.value)}>
            {props.rings.map((r) => (
              <option key={r.value} value={r.value}>
                {r.value}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="rb-generate" onClick={() => void rollback()}>
          Show commands
        </button>
      </div>
      {plan && (
        <div data-testid="rb-plan">
          <p>
            Ring {plan.ring}: <strong>{plan.affects.devices}</strong> device(s) (
            {plan.affects.bySite.map((s) => `${s.site} ${s.devices}`).join(', ')})
          </p>
          {plan.commands.map((c) => (
            <div key={c.title}>
              <h3>{c.title}</h3>
              <Code text={c.text} shell={c.kind === 'http' ? 'runsheet' : c.kind} testId="rb-command" />
            </div>
          ))}
          <ul className="muted small">
            {plan.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
