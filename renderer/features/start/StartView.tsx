// First screen: open the built-in sample incident with one click, start an empty workspace, or reopen a recent one.
import { useEffect, useState } from 'react';
import type { OpenedWorkspace, WorkspaceRef } from '../../../core/contract/host.js';
import { DEFAULT_DEVICES, DEFAULT_SEED } from '../../../core/sample/index.js';
import { samplePreview, type SamplePreview } from '../../../core/sample/preview.js';
import { db, job } from '../../db/client.js';
import { saveSnapshot } from '../../db/save-snapshot.js';
import { host } from '../../platform/host.js';
import { loadIntoWorker } from '../../state/workspace.js';
import { ProgressBar } from '../../components/ProgressBar.js';

const PREVIEW_CARDS: Array<[keyof SamplePreview['totals'], string]> = [
  ['devices', 'Devices'],
  ['exposed', 'Exposed'],
  ['affected', 'Affected'],
  ['recovered', 'Self-recovered'],
  ['fixed', 'Fixed'],
  ['remaining', 'Remaining'],
];

export function StartView(props: {
  onOpen: (ws: OpenedWorkspace) => Promise<void>;
  theme: string;
  onTheme: (t: 'light' | 'dark') => void;
}) {
  const [recent, setRecent] = useState<WorkspaceRef[]>([]);
  const [busy, setBusy] = useState<{ label: string; done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<SamplePreview | null>(null);

  useEffect(() => {
    host.recentWorkspaces().then(setRecent, (e: Error) => setError(e.message));
  }, []);

  async function openSample() {
    setError(null);
    setBusy({ label: 'Building the sample incident', done: 0, total: 0 });
    // The headline numbers first (from the generator, a fraction of a second); the real import builds the rest.
    setPreview(samplePreview({ devices: DEFAULT_DEVICES, seed: DEFAULT_SEED }));
    try {
      const ws = await host.createWorkspace('Sample incident: 19 July 2024');
      await loadIntoWorker(ws);
      await db().loadSample(
        { devices: DEFAULT_DEVICES, seed: DEFAULT_SEED },
        job((p) => setBusy({ label: p.phase, done: p.done, total: p.total })),
      );
      await saveSnapshot(host, ws.ref.id, 0);
      const reopened = await host.openWorkspace(ws.ref.location);
      if (reopened) await props.onOpen(reopened);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
      setPreview(null);
    }
  }

  async function openEmpty() {
    setError(null);
    const ws = await host.createWorkspace(`Incident ${new Date().toISOString().slice(0, 10)}`);
    await props.onOpen(ws);
  }

  async function openRecent(ref: WorkspaceRef) {
    setError(null);
    const ws = await host.openWorkspace(ref.location);
    if (ws) await props.onOpen(ws);
  }

  return (
    <main className="start">
      <h1>Ringside</h1>
      <p className="lead">
        Offline incident console for bad-update outages: impact by ring, safe fix scripts, field packs.
      </p>
      <div className="start-actions">
        <button
          type="button"
          className="primary big"
          onClick={openSample}
          disabled={busy !== null}
          data-testid="open-sample"
        >
          Open the sample incident
        </button>
        <button type="button" onClick={openEmpty} disabled={busy !== null}>
          New empty workspace
        </button>
        <button type="button" onClick={() => (location.hash = '#/technician')} disabled={busy !== null}>
          Technician: open a field pack
        </button>
        {host.kind === 'electron' && (
          <button
            type="button"
            onClick={() => host.openWorkspace().then((w) => w && props.onOpen(w))}
            disabled={busy !== null}
          >
            Open a workspace file…
          </button>
        )}
      </div>
      {preview && busy && (
        <section className="panel sample-preview" aria-labelledby="preview-title" data-testid="sample-preview">
          <h2 id="preview-title">Sample incident: {preview.devices.toLocaleString('en-US')} devices</h2>
          <p className="muted small">
            First numbers from the sample&apos;s generator (its ground truth). The workspace is being built from its
            four export files through the real import; the Overview opens with the analysed numbers, which match these.
          </p>
          <div className="cards big-numbers">
            {PREVIEW_CARDS.map(([k, label]) => (
              <div key={k} className={`card count-${k}`}>
                <div className="num" data-testid={`preview-count-${k}`}>
                  {preview.totals[k].toLocaleString('en-US')}
                </div>
                <div className="label">{label}</div>
              </div>
            ))}
          </div>
        </section>
      )}
      {busy && <ProgressBar label={busy.label} done={busy.done} total={busy.total} />}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {recent.length > 0 && (
        <section aria-labelledby="recent-title">
          <h2 id="recent-title">Recent workspaces</h2>
          <ul className="recent">
            {recent.map((r) => (
              <li key={r.id}>
                <button type="button" className="link" onClick={() => openRecent(r)}>
                  {r.name}
                </button>
                <span className="muted small"> opened {new Date(r.openedAt).toLocaleString()}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <button type="button" className="ghost" onClick={() => props.onTheme(props.theme === 'light' ? 'dark' : 'light')}>
        {props.theme === 'light' ? 'Dark theme' : 'Light theme'}
      </button>
    </main>
  );
}
