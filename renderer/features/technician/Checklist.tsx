// The technician's checklist: devices in the pack, the procedure for the chosen method, key reveal, results by keyboard.
import { useMemo, useRef, useState } from 'react';
import { RESULTS_EXTENSION, type FieldResult, type ResultRecord } from '../../../core/field/format.js';
import { defaultMethod, procedureFor } from '../../../core/field/steps.js';
import { db } from '../../db/client.js';
import type { TechPack } from '../../db/technician-verbs.js';
import { host } from '../../platform/host.js';
import { KeyPanel } from './KeyPanel.js';
import { StepList } from './StepParts.js';
import { saveProgress, type TechProgress } from './store.js';
import { clock, fmt, latestByDevice } from './time.js';
import { useWindowKeys } from './use-window-keys.js';

const RESULTS: Array<{ id: FieldResult; label: string }> = [
  { id: 'fixed', label: 'Fixed' },
  { id: 'failed', label: 'Failed' },
  { id: 'needs_reimage', label: 'Needs reimage' },
  { id: 'not_found', label: 'Not found' },
  { id: 'deferred', label: 'Deferred' },
];
const METHODS = ['WinRE command prompt', 'WinPE USB', 'Safe mode', 'Reboot loop (self-recovered)', 'Reimage', 'Other'];

export function Checklist(props: { payload: TechPack; initial: TechProgress; onClose: () => void }) {
  const { payload } = props;
  const [progress, setProgress] = useState(props.initial);
  const [index, setIndex] = useState(0);
  const [revealed, setRevealed] = useState<{ keyId: string; password: string } | null>(null);
  const [method, setMethod] = useState(() => defaultMethod(payload.devices[0]?.route));
  const [keyUsed, setKeyUsed] = useState('');
  const [notes, setNotes] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const device = payload.devices[index]!;
  const latest = useMemo(() => latestByDevice(progress.records), [progress.records]);
  const done = latest.size;

  async function persist(next: TechProgress) {
    await saveProgress(next);
    setProgress(next);
  }

  function select(i: number, records: ResultRecord[] = progress.records) {
    const n = Math.max(0, Math.min(payload.devices.length - 1, i));
    setIndex(n);
    setRevealed(null);
    // A device reopened shows what was recorded for it (method, key ID used, notes), not blank fields.
    const last = latestByDevice(records).get(payload.devices[n]!.id);
    setNotes(last?.notes ?? '');
    setKeyUsed(last?.keyIdUsed ?? '');
    // Otherwise the method the pack chose for it (Safe Mode or reimage for a device without a key).
    setMethod(last?.method && METHODS.includes(last.method) ? last.method : defaultMethod(payload.devices[n]!.route));
    setStatus(null);
    const el = listRef.current?.querySelectorAll<HTMLElement>('[role="option"]')[n];
    el?.focus();
    el?.scrollIntoView({ block: 'nearest' });
  }

  async function reveal(keyId: string) {
    setError(null);
    try {
      // Recorded durably before the worker hands the key over; the worker signs no results without this event.
      await persist({
        ...progress,
        events: [...progress.events, { kind: 'key.reveal', deviceId: device.id, keyId, at: clock() }],
        updatedAt: clock(),
      });
      setRevealed({ keyId, password: await db().techRevealKey(payload.packId, device.id, keyId) });
      setKeyUsed(keyId);
    } catch (e) {
      setError(`The reveal could not be recorded, so the key stays hidden: ${(e as Error).message}`);
    }
  }

  async function record(result: FieldResult) {
    setError(null);
    if (!progress.technician.trim()) {
      setError('Enter your name first (top right): results are signed with it.');
      return;
    }
    const rec: ResultRecord = {
      deviceId: device.id,
      hostname: device.hostname,
      result,
      method,
      at: clock(),
      technician: progress.technician.trim(),
      keyIdUsed: keyUsed || null,
      notes: notes.trim() || null,
    };
    try {
      await persist({ ...progress, records: [...progress.records, rec], updatedAt: clock() });
      setRevealed(null);
      const saved = `${device.hostname}: ${result.replace('_', ' ')} saved ${fmt(rec.at)}`;
      // Move on to the next device, so the next Alt+N is not recorded against this one by mistake.
      if (index < payload.devices.length - 1) select(index + 1, [...progress.records, rec]);
      setStatus(saved);
    } catch (e) {
      setError(`Not saved: ${(e as Error).message}`);
    }
  }

  async function exportResults() {
    setError(null);
    try {
      // Signed in the worker with the pack's key, which the page never holds.
      const bytes = await db().techSignResults(payload.packId, {
        technician: progress.technician.trim() || 'technician',
        exportedAt: clock(),
        records: progress.records,
        events: progress.events,
      });
      const name = `ringside-results-${(payload.site ?? 'devices').replace(/[^A-Za-z0-9-]/g, '_')}-${(progress.technician || 'technician').replace(/[^A-Za-z0-9-]/g, '_')}-${new Date().toISOString().slice(0, 16).replace('T', '_').replace(':', '')}Z${RESULTS_EXTENSION}`;
      await host.saveFile({ suggestedName: name, data: bytes, mime: 'application/octet-stream' });
      setStatus(`Exported ${progress.records.length} result(s) to ${name}. Bring this file back to the incident lead.`);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  function onKey(e: KeyboardEvent) {
    const target = e.target as HTMLElement | null;
    const typing = target ? ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) : false;
    if (e.altKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      select(index + (e.key === 'ArrowDown' ? 1 : -1));
    } else if (!typing && e.altKey && /^[1-5]$/.test(e.key)) {
      e.preventDefault();
      void record(RESULTS[Number(e.key) - 1]!.id);
    }
  }
  // Shortcuts work wherever focus is (after a reveal the focused button unmounts and focus falls back to <body>).
  useWindowKeys(onKey);

  const cur = latest.get(device.id);
  const procedureId = procedureFor(device, method);
  const procedure = device.procedures?.find((p) => p.id === procedureId);
  const shownKeys = new Map<string, string>();
  if (revealed && device.keys.some((k) => k.keyId === revealed.keyId)) shownKeys.set(revealed.keyId, revealed.password);
  return (
    <div className="tech" data-testid="technician-checklist">
      <header className="tech-bar">
        <strong data-testid="tech-done" data-done={done}>
          {payload.site ? `Site ${payload.site}` : 'Selected devices'} · {done}/{payload.devices.length} done
        </strong>
        <span className="muted small">Pack expires {fmt(payload.expires)}</span>
        <label className="tech-name">
          Technician
          <input
            value={progress.technician}
            onChange={(e) => setProgress({ ...progress, technician: e.target.value })}
            onBlur={() => void saveProgress(progress)}
            data-testid="technician-name"
          />
        </label>
        <button type="button" className="primary" onClick={() => void exportResults()} data-testid="export-results">
          Export results
        </button>
        {/* The print style sheet keeps the device, its key panel and its steps, with the same unbroken tokens. */}
        <button type="button" onClick={() => window.print()} data-testid="print-runsheet">
          Print run sheet
        </button>
        <button type="button" className="ghost" onClick={props.onClose}>
          Close pack
        </button>
      </header>
      <div className="tech-body">
        <ul
          className="tech-list"
          role="listbox"
          aria-label="Devices in this pack"
          ref={listRef}
          aria-activedescendant={`tech-dev-${device.id}`}
        >
          {payload.devices.map((d, i) => {
            const r = latest.get(d.id);
            return (
              <li
                key={d.id}
                id={`tech-dev-${d.id}`}
                role="option"
                aria-selected={i === index}
                tabIndex={i === index ? 0 : -1}
                className={i === index ? 'active' : undefined}
                onClick={() => select(i)}
                onKeyDown={(e) => {
                  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                    e.preventDefault();
                    select(i + (e.key === 'ArrowDown' ? 1 : -1));
                  } else if (e.key === 'Home' || e.key === 'End') {
                    e.preventDefault();
                    select(e.key === 'Home' ? 0 : payload.devices.length - 1);
                  }
                }}
              >
                <span>{d.hostname}</span>
                <span className={r ? `chip tech-r-${r.result}` : 'chip muted'}>
                  {r ? r.result.replace('_', ' ') : 'to do'}
                </span>
              </li>
            );
          })}
        </ul>
        <section className="tech-detail" aria-labelledby="tech-device-title">
          <h2 id="tech-device-title" data-testid="tech-device">
            {device.hostname}
          </h2>
          <p className="muted small">
            Serial {device.serial ?? '?'} · {device.model ?? 'model unknown'} · ring {device.ring ?? '?'} · state{' '}
            {device.state.replace('_', ' ')}
            {device.user ? ` · user ${device.user}` : ''}
            {cur ? ` · last result ${cur.result.replace('_', ' ')} at ${fmt(cur.at)}` : ''}
          </p>
          {device.keyStatus && !device.keyStatus.valid && (
            <p className="tech-nokey" data-testid="tech-nokey">
              No valid recovery key in this pack: {device.keyStatus.detail}. Use a path that needs no key.
            </p>
          )}
          <div className="tech-cols">
            <div>
              <h3>BitLocker</h3>
              <KeyPanel device={device} revealed={revealed} onReveal={reveal} onHide={() => setRevealed(null)} />
              <h3>Steps</h3>
              {procedure ? (
                <>
                  <p className="tech-procedure muted" data-testid="tech-procedure" data-procedure={procedure.id}>
                    <strong>{procedure.title}</strong> · runs in {procedure.environment} · follows the Method field
                  </p>
                  <StepList steps={procedure.steps} keys={shownKeys} />
                </>
              ) : (
                <ol className="tech-steps">
                  {device.steps.map((s, i) => (
                    <li key={i}>{s}</li>
                  ))}
                </ol>
              )}
              <h3>Model notes</h3>
              <ul className="plain small">
                {device.modelNotes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            </div>
            <div>
              <h3>Result</h3>
              <div className="toolbar">
                <label>
                  Method
                  <select value={method} onChange={(e) => setMethod(e.target.value)} data-testid="tech-method">
                    {METHODS.map((m) => (
                      <option key={m}>{m}</option>
                    ))}
                  </select>
                </label>
                <label>
                  Key ID used
                  <select value={keyUsed} onChange={(e) => setKeyUsed(e.target.value)}>
                    <option value="">none</option>
                    {device.keys.map((k) => (
                      <option key={k.keyId} value={k.keyId}>
                        {k.keyId.slice(0, 8).toUpperCase()}…
                      </option>
                    ))}
                  </select>
                </label>
                <label className="tech-notes">
                  Notes
                  <input
                    value={notes}
                    onChange={(e) => setNotes(e.target.value)}
                    placeholder="e.g. needed IRST driver"
                  />
                </label>
              </div>
              <div className="toolbar tech-results" role="group" aria-label="Record result">
                {RESULTS.map((r, i) => (
                  <button
                    key={r.id}
                    type="button"
                    className={
                      cur ? (cur.result === r.id ? 'primary' : undefined) : r.id === 'fixed' ? 'primary' : undefined
                    }
                    aria-pressed={cur ? cur.result === r.id : undefined}
                    onClick={() => void record(r.id)}
                    data-testid={`result-${r.id}`}
                    title={`Alt+${i + 1}`}
                  >
                    {r.label} <span className="muted small">Alt+{i + 1}</span>
                  </button>
                ))}
              </div>
              {status && (
                <p role="status" className="tech-status" data-testid="tech-status">
                  {status}
                </p>
              )}
              {error && (
                <p role="alert" className="error">
                  {error}
                </p>
              )}
              <p className="muted small">Keyboard: ↑/↓ in the list, Alt+↑/↓ anywhere, Alt+1…5 records a result.</p>
            </div>
          </div>
        </section>
      </div>
    </div>
  );
}
