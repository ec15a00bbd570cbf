// The scripts view: choose a playbook, route and target, preview the generated files, compare, save the bundle; rollback commands.
import { useMemo, useState } from 'react';
import type { Bundle } from '../../../core/remediation/generate.js';
import type { DiffLine } from '../../../core/remediation/history.js';
import type { RollbackPlan } from '../../../core/remediation/rollback.js';
import { useQuery, useWorkspace } from '../../state/workspace.js';
import { highlightLine } from './highlight.js';

const STATE_CHOICES: Array<{ value: string; label: string }> = [
  { value: 'default', label: "Playbook's default" },
  { value: 'remaining', label: 'Affected, not fixed' },
  { value: 'needs_fix', label: 'Needs a fix' },
  { value: 'crashed', label: 'Crashed (may still self-recover)' },
  { value: 'needs_reimage', label: 'Needs reimage' },
  { value: 'all', label: 'All states' },
];
const VENDORS = ['falcon-content', 'falcon-sensor', 'intune', 'autopatch', 'configmgr', 'winget'];

function Code(props: { text: string; shell: string; testId: string }) {
  const lines = useMemo(() => props.text.replace(/\r\n/g, '\n').split('\n'), [props.text]);
  return (
    <pre className="code script-code" data-testid={props.testId}>
      {lines.map((line, i) => (
        <div key={i} className="script-line">
          {highlightLine(line, props.shell).map((t, j) =>
            t.kind === 'text' ? (
              t.text
            ) : (
              <span key={j} className={`tok-${t.kind}`}>
                {t.text}
              </span>
            ),
          )}
        </div>
      ))}
    </pre>
  );
}

function Diff(props: { lines: DiffLine[] }) {
  return (
    <pre className="code script-code" data-testid="diff">
      {props.lines.map((l, i) => (
        <div key={i} className={`diff-${l.kind}`}>
          {l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : '  '}
          {l.text}
        </div>
      ))}
    </pre>
  );
}

export function ScriptsView() {
  const { db, host, changed } = useWorkspace();
  const playbooks = useQuery((c) => c.playbooks(), []);
  const targets = useQuery((c) => c.scriptTargets(), []);
  const history = useQuery((c) => c.generations({ limit: 20 }), []);
  const [playbookId, setPlaybookId] = useState('cs-channel-291');
  const [route, setRoute] = useState('');
  const [site, setSite] = useState('');
  const [ring, setRing] = useState('');
  const [state, setState] = useState('default');
  const [hosts, setHosts] = useState('');
  const [withKeys, setWithKeys] = useState(false);
  const [askKeys, setAskKeys] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [bundle, setBundle] = useState<Bundle | null>(null);
  const [fileIdx, setFileIdx] = useState(0);
  const [diff, setDiff] = useState<Array<{ path: string; previousId: number | null; diff: DiffLine[] }> | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [vendor, setVendor] = useState('falcon-content');
  const [rbRing, setRbRing] = useState('');
  const [plan, setPlan] = useState<RollbackPlan | null>(null);
  const [perDevice, setPerDevice] = useState(false);
  const [params, setParams] = useState<Record<string, string>>({});
  const [shared, setShared] = useState<string | null>(null);

  const pb = playbooks.data?.find((p) => p.id === playbookId);
  const routeInfo = pb?.targets.find((t) => t.route === route) ?? pb?.targets[0];
  // Values the route needs and nobody has typed: no made-up default stands in for them.
  const missing = (pb?.params ?? []).filter(
    (p) => routeInfo?.params.includes(p.name) && !(params[p.name] ?? p.default ?? '').trim(),
  );
  const target = useMemo(() => {
    const hostnames = hosts
      .split(/[\s,;]+/)
      .map((h) => h.trim())
      .filter(Boolean);
    return {
      ...(site ? { site } : {}),
      ...(ring ? { ring } : {}),
      ...(hostnames.length ? { hostnames } : {}),
      ...(state === 'default' ? {} : { states: state === 'all' ? [] : [state] }),
    };
  }, [site, ring, hosts, state]);
  const count = useQuery((c) => c.previewTarget(playbookId, target), [playbookId, target]);

  async function generate() {
    setBusy(true);
    setError(null);
    setDiff(null);
    setSaved(null);
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
      setFileIdx(0);
      await changed();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function compare() {
    if (!bundle) return;
    setDiff(await db.compareGeneration(bundle.generationId));
  }

  async function save() {
    if (!bundle) return;
    const zip = await db.bundleZip(bundle);
    const name = `ringside-${bundle.manifest.what.playbookId}-${bundle.manifest.what.route}-${bundle.generationId}.zip`;
    const where = await host.saveFile({ suggestedName: name, data: zip, mime: 'application/zip' });
    setSaved(where);
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
      setPlaybookId(info.id);
      setShared(`Loaded ${info.id} version ${info.version}`);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function rollback() {
    setError(null);
    try {
      setPlan(await db.rollbackCommands({ vendor, ring: rbRing || (targets.data?.rings[0]?.value ?? '') }));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const file = bundle?.files[fileIdx];
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
                setPlaybookId(e.target.value);
                setRoute('');
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
            <select data-testid="route" value={routeInfo?.route ?? ''} onChange={(e) => setRoute(e.target.value)}>
              {pb?.targets.map((t) => (
                <option key={t.route} value={t.route}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Site
            <select data-testid="site" value={site} onChange={(e) => setSite(e.target.value)}>
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
            <select data-testid="ring" value={ring} onChange={(e) => setRing(e.target.value)}>
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
            <select data-testid="state" value={state} onChange={(e) => setState(e.target.value)}>
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
              onChange={(e) => setHosts(e.target.value)}
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
                onChange={(e) => (e.target.checked ? setAskKeys(true) : setWithKeys(false))}
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
                onChange={(e) => setPerDevice(e.target.checked)}
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
                  onChange={(e) => setParams((old) => ({ ...old, [p.name]: e.target.value }))}
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
                setWithKeys(true);
                setAskKeys(false);
              }}
            >
              Include keys (audited)
            </button>{' '}
            <button type="button" onClick={() => setAskKeys(false)}>
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

      {bundle && (
        <div className="panel" data-testid="bundle" data-generation={bundle.generationId}>
          <div className="chart-head">
            <h2>
              Generation {bundle.generationId}: {bundle.manifest.devices.length} device(s), {bundle.files.length}{' '}
              file(s)
              {bundle.keyIdsToRotate.length ? `, ${bundle.keyIdsToRotate.length} key(s) to rotate` : ''}
            </h2>
            <div className="chart-actions">
              <button type="button" data-testid="compare" onClick={() => void compare()}>
                Compare with previous
              </button>{' '}
              <button
                type="button"
                data-testid="save-bundle"
                disabled={bundle.files.length === 0}
                onClick={() => void save()}
              >
                Save bundle (.zip)
              </button>
            </div>
          </div>
          {saved && <p className="muted small">Saved: {saved}</p>}
          {bundle.manifest.warnings.length > 0 && (
            <ul className="muted small">
              {bundle.manifest.warnings.slice(0, 20).map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          )}
          {bundle.refused.length > 0 && (
            <>
              <h2>Refused ({bundle.refused.length})</h2>
              <table className="refused" data-testid="refused">
                <thead>
                  <tr>
                    <th>Device</th>
                    <th>Field</th>
                    <th>Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {bundle.refused.slice(0, 500).map((r, i) => (
                    <tr key={i}>
                      <td>{r.device}</td>
                      <td>{r.field}</td>
                      <td>{r.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {bundle.files.length > 1 && (
            <div className="toolbar" role="tablist" aria-label="Files">
              {bundle.files.slice(0, 200).map((f, i) => (
                <button
                  key={f.path}
                  type="button"
                  role="tab"
                  aria-selected={i === fileIdx}
                  onClick={() => setFileIdx(i)}
                >
                  {f.path.split('/').pop()}
                </button>
              ))}
            </div>
          )}
          {file && (
            <>
              <p className="muted small" data-testid="file-path">
                {file.path} · sha256 {file.sha256}
              </p>
              <Code text={file.content} shell={bundle.manifest.what.shell} testId="preview" />
            </>
          )}
          {diff && (
            <>
              <h2>
                Compared with{' '}
                {diff[0]?.previousId ? `generation ${diff[0].previousId}` : 'nothing (first generation of this route)'}
              </h2>
              {diff.slice(0, 1).map((d) => (
                <Diff key={d.path} lines={d.diff} />
              ))}
            </>
          )}
        </div>
      )}

      <div className="panel">
        <h2>History</h2>
        <table className="refused" data-testid="history">
          <thead>
            <tr>
              <th>#</th>
              <th>When (UTC)</th>
              <th>Playbook</th>
              <th>Route</th>
              <th>Devices</th>
              <th>Refused</th>
              <th>Keys</th>
            </tr>
          </thead>
          <tbody>
            {history.data?.map((g) => (
              <tr key={g.id}>
                <td>{g.id}</td>
                <td>{new Date(g.at).toISOString().slice(0, 19).replace('T', ' ')}</td>
                <td>
                  {g.playbookId} v{g.playbookVersion}
                </td>
                <td>{g.route}</td>
                <td>{g.devices}</td>
                <td>{g.refused}</td>
                <td>{g.withKeys ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

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
              {targets.data?.rings.map((r) => (
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
    </section>
  );
}
