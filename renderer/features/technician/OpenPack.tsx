// Technician mode's opening screen: choose a pack file (or resume one) and type its passphrase.
import { useEffect, useState } from 'react';
import { readPackHeader, type PackHeader } from '../../../core/field/format.js';
import { db } from '../../db/client.js';
import type { TechPack } from '../../db/technician-verbs.js';
import { allProgress, loadProgress, saveProgress, type TechProgress } from './store.js';
import { clock, fmt } from './time.js';

/** Opening screen: choose a pack file (or resume one), type the passphrase. */
export function OpenPack(props: { onOpened: (payload: TechPack, progress: TechProgress) => void; onExit: () => void }) {
  const [bytes, setBytes] = useState<Uint8Array | null>(null);
  const [header, setHeader] = useState<PackHeader | null>(null);
  const [pass, setPass] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [resumable, setResumable] = useState<TechProgress[]>([]);

  useEffect(() => {
    allProgress().then(setResumable, () => undefined);
  }, []);

  async function choose(file: File | undefined) {
    setError(null);
    setHeader(null);
    if (!file) return;
    try {
      const b = new Uint8Array(await file.arrayBuffer());
      setHeader(readPackHeader(b));
      setBytes(b);
    } catch (e) {
      setError(`${file.name}: ${(e as Error).message}`);
    }
  }

  async function open() {
    if (!bytes || !header) return;
    setBusy(true);
    setError(null);
    try {
      // Decrypted in the worker, which keeps the keys; the page gets key IDs only.
      const payload = await db().techOpenPack(bytes, pass, clock());
      const saved = await loadProgress(payload.packId);
      const progress: TechProgress = saved ?? {
        packId: payload.packId,
        site: payload.site,
        expires: payload.expires,
        devices: payload.devices.length,
        technician: payload.technician ?? '',
        packBytes: bytes,
        records: [],
        events: [],
        updatedAt: clock(),
      };
      if (!saved) await saveProgress(progress);
      setPass('');
      props.onOpened(payload, progress);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="tech-open" data-testid="technician-open">
      <h1>Ringside technician mode</h1>
      <p className="lead">
        Open a field pack to work through its devices offline. Nothing leaves this machine until you export results.
      </p>
      <form
        className="panel tech-open-form"
        onSubmit={(e) => {
          e.preventDefault();
          void open();
        }}
      >
        <label>
          Field pack file (.ringpack)
          <input
            type="file"
            accept=".ringpack"
            data-testid="pack-file"
            onChange={(e) => void choose(e.target.files?.[0])}
          />
        </label>
        {resumable.length > 0 && !header && (
          <div>
            <span className="muted small">Or resume a pack in progress on this machine:</span>
            <ul className="plain">
              {resumable.map((p) => (
                <li key={p.packId}>
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      setBytes(p.packBytes);
                      setHeader(readPackHeader(p.packBytes));
                    }}
                  >
                    {p.site ?? 'Selected devices'}: {new Set(p.records.map((r) => r.deviceId)).size}/{p.devices} done
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
        {header && (
          <dl className="kv tech-header" data-testid="pack-header">
            <dt>Site</dt>
            <dd>{header.site ?? 'selected devices'}</dd>
            <dt>Devices</dt>
            <dd>{header.devices}</dd>
            <dt>Created</dt>
            <dd>{fmt(header.created)}</dd>
            <dt>Expires</dt>
            <dd className={clock() > header.expires ? 'error' : undefined}>{fmt(header.expires)}</dd>
          </dl>
        )}
        <label>
          Passphrase
          <input
            type="password"
            autoComplete="off"
            value={pass}
            onChange={(e) => setPass(e.target.value)}
            data-testid="pack-passphrase"
          />
        </label>
        <div className="toolbar">
          <button type="submit" className="primary" disabled={!bytes || !pass || busy} data-testid="pack-open">
            {busy ? 'Opening…' : 'Open pack'}
          </button>
          <button type="button" className="ghost" onClick={props.onExit}>
            Back to the console
          </button>
        </div>
        {error && (
          <p role="alert" className="error" data-testid="pack-error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
