// Rollout replay: edit a gate policy, replay the real rollout under it, compare two policies, and see live gates with halt commands.
import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react';
import type { LiveGates } from '../../../core/replay/live.js';
import { parsePolicyText, type Policy } from '../../../core/replay/policy.js';
import type { ReplayResult } from '../../../core/replay/simulate.js';
import type { StoredPolicy } from '../../../core/replay/handlers.js';
import { useQuery, useWorkspace } from '../../state/workspace.js';
import { PolicyEditor } from './PolicyEditor.js';
import { canonicalJson, editedName, policyIdFor } from './policy-edits.js';
import { SparedChart, SpreadChart } from './ReplayCharts.js';
import { Arithmetic, day, fmt, HaltPanel, hms, RingTable } from './ReplayTables.js';

function DerivedBasis() {
  const { data } = useQuery((c) => c.replayBasis(), []);
  return data ? (
    <p className="notice" data-testid="replay-basis">
      {data}
    </p>
  ) : null;
}

function ResultPanel(props: { result: ReplayResult; prefix: string }) {
  const { result: r, prefix } = props;
  return (
    <div className="replay-result">
      <div className="cards big-numbers">
        <div className="card">
          <div className="num" data-testid={`${prefix}-spared`}>
            {fmt(r.totals.spared)}
          </div>
          <div className="label">devices spared of {fmt(r.totals.actualReached)}</div>
        </div>
        <div className="card">
          <div className="num">{fmt(r.totals.crashesAvoided)}</div>
          <div className="label">crashes avoided of {fmt(r.totals.actualCrashed)}</div>
        </div>
        <div className="card">
          <div className="num">{fmt(r.totals.reached)}</div>
          <div className="label">still reached</div>
        </div>
      </div>
      <p data-testid={`${prefix}-halt`}>
        {r.halt
          ? `Halted: ring ${r.halt.ring}, gate ${r.halt.gate < 0 ? 'ConfigMgr' : r.halt.gate + 1}, at ${hms(r.halt.at)} UTC on ${day(r.halt.at)} (${r.halt.evaluation.bad} of ${r.halt.evaluation.population} = ${r.halt.evaluation.ratePercent} %); ${r.policy.action.kind} reaches devices at ${hms(r.halt.reachesDevicesAt)}.`
          : 'No gate tripped: every ring received the content.'}{' '}
        <span className="muted">
          Content {r.content.key}, released {hms(r.t0)} UTC on {day(r.t0)}; replayed in {r.elapsedMs} ms.
        </span>
      </p>
      {r.content.source === 'derived' && <DerivedBasis />}
      <RingTable result={r} testId={`${prefix}-rings`} />
      <details>
        <summary>The arithmetic, ring by ring</summary>
        {r.rings.map((ring) => (
          <section key={ring.name}>
            <h3>{ring.name}</h3>
            <Arithmetic ring={ring} />
          </section>
        ))}
        {r.notes.map((n, i) => (
          <p key={i} className="muted">
            {n}
          </p>
        ))}
      </details>
    </div>
  );
}

export function ReplayView() {
  const { db, host, act } = useWorkspace();
  const stored = useQuery((c) => c.policies(), []);
  const [policy, setPolicy] = useState<Policy | null>(null);
  // The policy as it was loaded or last saved: anything else on screen is an edit, and is named so in its result.
  const [base, setBase] = useState<Policy | null>(null);
  const [saveAsName, setSaveAsName] = useState('');
  const [compareId, setCompareId] = useState<string>('');
  const [results, setResults] = useState<ReplayResult[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [live, setLive] = useState<LiveGates | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const list: StoredPolicy[] = useMemo(() => stored.data ?? [], [stored.data]);

  useEffect(() => {
    if (!policy)
      void db.defaultPolicy().then((p) => {
        setPolicy(p);
        setBase(p);
      });
  }, [db, policy]);
  const edited = Boolean(policy && base && canonicalJson(policy) !== canonicalJson(base));
  const loadPolicy = (p: Policy) => {
    setPolicy(p);
    setBase(p);
  };

  const run = useCallback(async () => {
    if (!policy) return;
    setBusy(true);
    setError(null);
    try {
      const other = list.find((s) => s.policy.id === compareId)?.policy;
      // An unsaved edit runs under its own name: "halt at 2 % (edited)" never passes for the policy it came from.
      const shown = edited ? { ...policy, name: editedName(policy.name) } : policy;
      if (other) setResults((await db.comparePolicies([shown, other])).results);
      else setResults([await db.replay(shown)]);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }, [db, policy, compareId, list, edited]);

  /** Saves in place, or under a new name and id (a built-in is always saved as a copy). */
  const save = async (asName?: string) => {
    if (!policy) return;
    setError(null);
    try {
      const builtIn = list.some((s) => s.builtIn && s.policy.id === policy.id);
      const name = asName?.trim() || policy.name;
      const id =
        asName !== undefined || builtIn
          ? policyIdFor(
              name,
              list.map((s) => s.policy.id),
            )
          : policy.id;
      const next = { ...policy, id, name };
      // Checked first, then journalled through the host: "Saved" shows only once the save is on disk.
      const { text } = await db.policyText(next);
      await act({ type: 'policy.save', policy: next, at: Date.now() });
      loadPolicy(next);
      setSaveAsName('');
      const where = await host.saveFile({ suggestedName: `${id}.policy.json`, data: text, mime: 'application/json' });
      setMessage(where ? `Saved “${name}” in the workspace and to ${where}` : `Saved “${name}” in the workspace`);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const load = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setError(null);
    try {
      // The same schema as the worker: a bad file is refused here with its field path, before anything runs.
      loadPolicy(parsePolicyText(await file.text(), file.name));
      setMessage(`Loaded ${file.name}`);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const openHalt = async () => {
    if (!policy) return;
    setError(null);
    try {
      setLive(await db.liveGates(policy));
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <section className="view replay" aria-labelledby="replay-title" aria-busy={busy}>
      <header className="view-head">
        <h1 id="replay-title">Rollout replay</h1>
        <p className="muted small">
          What a staged rollout with health gates would have changed: the real receipt order inside each ring is kept,
          rings start after the previous ring's bake time, and the content stops when a gate trips.
        </p>
      </header>
      <div className="toolbar">
        <label>
          Policy{' '}
          <select
            aria-label="Load policy"
            value=""
            onChange={(e) => {
              const s = list.find((x) => x.policy.id === e.target.value);
              if (s) loadPolicy(s.policy);
            }}
          >
            <option value="">load a saved or built-in policy…</option>
            {list.map((s) => (
              <option key={s.policy.id} value={s.policy.id}>
                {s.policy.name}
                {s.builtIn ? ' (built-in)' : ''}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => fileInput.current?.click()}>
          Open policy file…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          hidden
          onChange={load}
          data-testid="policy-file"
        />
        <button type="button" onClick={() => void save()} disabled={!policy}>
          Save policy
        </button>
        <label>
          Save as{' '}
          <input
            value={saveAsName}
            size={16}
            placeholder="new policy name"
            onChange={(e) => setSaveAsName(e.target.value)}
            data-testid="policy-save-as-name"
          />
        </label>
        <button type="button" onClick={() => void save(saveAsName)} disabled={!policy || !saveAsName.trim()}>
          Save as new policy
        </button>
        <label>
          Compare with{' '}
          <select aria-label="Compare with" value={compareId} onChange={(e) => setCompareId(e.target.value)}>
            <option value="">nothing</option>
            {list.map((s) => (
              <option key={s.policy.id} value={s.policy.id}>
                {s.policy.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="primary" onClick={run} disabled={!policy || busy}>
          {busy ? 'Replaying…' : 'Run replay'}
        </button>
        <button type="button" onClick={openHalt} disabled={!policy}>
          Halt commands
        </button>
      </div>
      {message && (
        <p className="muted" role="status">
          {message}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {edited && base && (
        <p className="notice" role="status" data-testid="policy-edited">
          Edited: this policy differs from “{base.name}” as loaded. Results are named “{editedName(policy!.name)}” until
          it is saved (Save policy, or Save as new policy).
        </p>
      )}
      {policy && <PolicyEditor policy={policy} onChange={setPolicy} idPrefix="policy" />}
      {live && <HaltPanel live={live} />}
      {results && (
        <div className={results.length > 1 ? 'replay-compare' : undefined} data-testid="replay-results">
          {results.map((r, i) => (
            <div key={i} className="panel">
              <h2 data-testid="replay-result-name">{r.policy.name}</h2>
              <ResultPanel result={r} prefix={i === 0 ? 'replay' : 'compare'} />
              <h3>Devices reached over time: actual (dashed) and simulated (solid)</h3>
              <SpreadChart result={r} />
              <h3>Spared per ring</h3>
              <SparedChart result={r} />
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
