// The scripts view: choose a playbook, route and target, preview the generated files, compare, save the bundle; rollback commands.
import { useState } from 'react';
import type { Bundle } from '../../../core/remediation/generate.js';
import { useQuery, useWorkspace } from '../../state/workspace.js';
import { BundlePanel } from './BundlePanel.js';
import { HistoryPanel } from './HistoryPanel.js';
import { RollbackPanel } from './RollbackPanel.js';
import { useScriptForm } from './use-script-form.js';

const STATE_CHOICES: Array<{ value: string; label: string }> = [
  { value: 'default', label: "Playbook's default" },
  { value: 'remaining', label: 'Affected, not fixed' },
  { value: 'needs_fix', label: 'Needs a fix' },
  { value: 'crashed', label: 'Crashed (may still self-recover)' },
  { value: 'needs_reimage', label: 'Needs reimage' },
  { value: 'all', label: 'All states' },
];

export function ScriptsView() {
  const { db, host, changed } = useWorkspace();
  const playbooks = useQuery((c) => c.playbooks(), []);
  const targets = useQuery((c) => c.scriptTargets(), []);
  const { form, target, set, choosePlaybook, setParam } = useScriptForm();
  const { playbookId, route, site, ring, state, hosts, withKeys, askKeys, perDevice, params } = form;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [bundle, setBundle] = useState<Bundle | null>(null);
  const [shared, setShared] = useState<string | null>(null);

  const pb = playbooks.data?.find((p) => p.id === playbookId);
  const routeInfo = pb?.targets.find((t) => t.route === route) ?? pb?.targets[0];
  // Values the route needs and nobody has typed: no made-up default stands in for them.
  const missing = (pb?.params ?? []).filter(
    (p) => routeInfo?.params.includes(p.name) && !(params[p.name] ?? p.default ?? '').trim(),
  );
  const count = useQuery((c) => c.previewTarget(playbookId, target), [playbookId, target]);

  async function generate() {
    setBusy(true);
    setError(null);
    try {
      const b = await db.generateScripts({
        playbookId,
        ...(routeInfo ? { route: routeInfo.route } : {}),
        target,
        withKeys,
        perDevice,
        params: Object.fromEntries(Object.entries(params).filter(([k]) => pb?.params.some((x) => x.name === k))),
      });
      setBundle(b);
      await changed();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function exportPlaybook() {
    const json = await db.playbookFile(playbookId);
    const where = await host.saveFile({
      suggestedName: `${playbookId}.playbook.json`,
      data: json,
      mime: 'application/json',
    });
    setShared(where ? `Exported to ${where}` : null);
  }

  async function importPlaybook(file: File) {
    setError(null);
    try {
      const info = await db.loadPlaybook(await file.text());
      await changed();
      choosePlaybook(info.id);
      setShared(`Loaded ${info.id} version ${info.version}`);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <section className="view scripts-view" aria-labelledby="scripts-title" data-testid="scripts-view">
      <h1 id="scripts-title">Scripts</h1>
      <p className="muted">
        Ringside writes remediation scripts for review; it never runs them. Every value is checked against a strict
        grammar and quoted for its shell; a value that fails is refused and listed below.
      </p>

      <div className="panel">
        <div className="toolbar">
          <label>
            Playbook
            <select
              data-testid="playbook"
              value={playbookId}
              onChange={(e) => {
                choosePlaybook(e.target.value);
              }}
            >
              {playbooks.data?.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} (v{p.version}){p.builtin ? '' : ' — loaded, not built-in'}
                </option>
              ))}
            </select>
          </label>
          <label>
            Route
            <select data-testid="route" value={routeInfo?.route ?? ''} onChange={(e) => set({ route: e.target.value })}>
              {pb?.targets.map((t) => (
                <option key={t.route} value={t.route}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Site
            <select data-testid="site" value={site} onChange={(e) => set({ site: e.target.value })}>
              <option value="">All sites</option>
              {targets.data?.sites.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.value} ({s.devices})
                </option>
              ))}
            </select>
          </label>
          <label>
            Ring
            <select data-testid="ring" value={ring} onChange={(e) => set({ ring: e.target.value })}>
              <option value="">All rings</option>
              {targets.data?.rings.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.value} ({r.devices})
                </option>
              ))}
            </select>
          </label>
          <label>
            State
            <select data-testid="state" value={state} onChange={(e) => set({ state: e.target.value })}>
              {STATE_CHOICES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Devices (host names, optional)
            <input
              data-testid="devices"
              value={hosts}
              placeholder="PC-0142, PC-0143"
              onChange={(e) => set({ hosts: e.target.value })}
            />
          </label>
          <label className="keys-toggle">
            <span>BitLocker keys</span>
            <span>
              <input
                type="checkbox"
                data-testid="with-keys"
                checked={withKeys}
                disabled={!routeInfo?.needsKeys}
                onChange={(e) => set(e.target.checked ? { askKeys: true } : { withKeys: false })}
              />{' '}
              include recovery passwords
            </span>
          </label>
          <label>
            <span>Output</span>
            <span>
              <input
                type="checkbox"
                data-testid="per-device"
                checked={perDevice || routeInfo?.scope === 'device'}
                disabled={routeInfo?.scope === 'device'}
                onChange={(e) => set({ perDevice: e.target.checked })}
              />{' '}
              one file per device
            </span>
          </label>
          <button
            type="button"
            data-testid="generate"
            disabled={busy || !routeInfo || missing.length > 0}
            title={missing.length ? `Fill in: ${missing.map((p) => p.label).join(', ')}` : undefined}
            onClick={() => void generate()}
          >
            {busy ? 'Generating…' : 'Generate'}
          </button>
        </div>
        {pb && pb.params.length > 0 && (
          <div className="toolbar">
            {pb.params.map((p) => (
              <label key={p.name}>
                {p.label}
                <input
                  data-testid={`param-${p.name}`}
                  value={params[p.name] ?? p.default ?? ''}
                  placeholder={p.example}
                  required={routeInfo?.params.includes(p.name)}
                  aria-invalid={missing.includes(p) || undefined}
                  onChange={(e) => setParam(p.name, e.target.value)}
                />
              </label>
            ))}
          </div>
        )}
        {missing.length > 0 && (
          <p className="muted small" data-testid="params-missing">
            This route needs: {missing.map((p) => p.label).join(', ')}.
          </p>
        )}
        <div className="toolbar">
          <button type="button" data-testid="export-playbook" onClick={() => void exportPlaybook()}>
            Export playbook (JSON)
          </button>
          <label>
            Load a playbook file
            <input
              type="file"
              accept="application/json,.json"
              data-testid="load-playbook"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void importPlaybook(f);
                e.target.value = '';
              }}
            />
          </label>
          {shared && <span className="muted small">{shared}</span>}
        </div>
        {pb && !pb.builtin && (
          <p className="error" role="note" data-testid="not-builtin">
            Not a built-in playbook: &lsquo;{pb.id}&rsquo; version {pb.version} was loaded from a file into this
            workspace. Every file generated from it says so; check every step before running.
          </p>
        )}
        <p className="muted small" data-testid="target-count">
          {count.data ?? '…'} device(s) match this target
          {routeInfo ? ` · ${routeInfo.shell}${routeInfo.tool ? `/${routeInfo.tool}` : ''}, ${routeInfo.scope}` : ''}
        </p>
        {askKeys && (
          <div className="panel keys-confirm" role="alertdialog" aria-labelledby="keys-confirm-title">
            <h2 id="keys-confirm-title">Include BitLocker recovery passwords?</h2>
            <p>
              The recovery passwords of the targeted devices will be written into the scripts. This is recorded in the
              audit log (device and key IDs, never the keys). Every key used must be rotated afterwards; the bundle
              lists them in KEYS-ROTATE.txt.
            </p>
            <button
              type="button"
              data-testid="confirm-keys"
              onClick={() => {
                set({ withKeys: true, askKeys: false });
              }}
            >
              Include keys (audited)
            </button>{' '}
            <button type="button" onClick={() => set({ askKeys: false })}>
              Cancel
            </button>
          </div>
        )}
        {error && (
          <p className="error" role="alert" data-testid="scripts-error">
            {error}
          </p>
        )}
      </div>

      {bundle && <BundlePanel key={bundle.generationId} bundle={bundle} />}

      <HistoryPanel />

      <RollbackPanel rings={targets.data?.rings ?? []} onError={setError} />
    </section>
  );
}
