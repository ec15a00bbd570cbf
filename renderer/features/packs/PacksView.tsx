// Field packs: create an encrypted pack for a site (confirmed, since it carries keys), list packs, merge results back, key rotation list.
import { useEffect, useState } from 'react';
import type { Strength } from '../../../core/secrets/passphrase.js';
import { counted } from '../../components/format.js';
import { useQuery, useWorkspace } from '../../state/workspace.js';
import { TECHNICIAN_HASH } from '../technician/entry.js';
import { NoKeyTable, PackTable, RotationTable, type NoKeyChoice } from './PackLists.js';

/** The estimator and its dictionaries load only when a passphrase is typed (a chunk of its own). */
const strengthModule = () => import('../../../core/secrets/passphrase.js');

type MergeReport = Awaited<ReturnType<ReturnType<typeof useWorkspace>['db']['mergeResults']>>;
type Preview = Awaited<ReturnType<ReturnType<typeof useWorkspace>['db']['packPreview']>>;
function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function fmt(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').slice(0, 16);
}

export function PacksView() {
  const { db, host, changed } = useWorkspace();
  const sites = useQuery((c) => c.packSites(), []);
  const packs = useQuery((c) => c.listPacks(), []);
  const rotation = useQuery((c) => c.rotationList(), []);
  const [site, setSite] = useState('');
  const [expires, setExpires] = useState(() => inDays(7));
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const [technician, setTechnician] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [choices, setChoices] = useState<Record<number, NoKeyChoice>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reports, setReports] = useState<Array<{ file: string; report?: MergeReport; error?: string }>>([]);
  const [imports, setImports] = useState(0);
  const [scored, setScored] = useState<{ pass: string; site: string; strength: Strength } | null>(null);
  const [suggestion, setSuggestion] = useState<string | null>(null);
  // The score of what is typed now (a stale one, for an earlier value, counts as not yet known).
  const strength = scored && scored.pass === pass && scored.site === site ? scored.strength : null;

  useEffect(() => {
    if (pass.length < 12) return;
    let live = true;
    void strengthModule().then((m) => {
      if (live) setScored({ pass, site, strength: m.passphraseStrength(pass, ['ringside', ...(site ? [site] : [])]) });
    });
    return () => {
      live = false;
    };
  }, [pass, site]);

  async function suggest() {
    const s = (await strengthModule()).suggestPassphrase();
    setSuggestion(s);
    setPass(s);
    setPass2(s);
  }

  const chosen = sites.data?.find((s) => s.site === site);
  const totalFixed = (sites.data ?? []).reduce((n, s) => n + s.fixed, 0);
  const totalToFix = (sites.data ?? []).reduce((n, s) => n + s.devices, 0);

  function problem(): string | null {
    if (!site) return 'Choose a site.';
    if (!chosen || chosen.devices === 0) return `Site ${site} has no device that still needs a hands-on fix.`;
    if (pass.length < 12) return 'The passphrase must be at least 12 characters.';
    if (!strength) return 'Checking the passphrase…';
    if (!strength.ok)
      return `The passphrase is too easy to guess (strength ${strength.score} of 4, at least 3 needed). ${[strength.warning, ...strength.suggestions].filter(Boolean).join(' ')} Use “Suggest a passphrase” for a strong one.`;
    if (pass !== pass2) return 'The two passphrases differ.';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(expires)) return 'Write the expiry date as YYYY-MM-DD.';
    return null;
  }

  async function create() {
    setBusy('Encrypting the pack (PBKDF2, 600,000 iterations)…');
    setError(null);
    setMessage(null);
    try {
      const pack = await db.createPack({
        site,
        passphrase: pass,
        expiresAt: expires,
        ...(technician ? { technician } : {}),
        withoutKey: { all: 'safe-mode', devices: choices },
      });
      await changed();
      await host.saveFile({ suggestedName: pack.fileName, data: pack.bytes, mime: 'application/octet-stream' });
      const out = pack.noKey.filter((n) => n.choice === 'exclude').length;
      const carried = pack.noKey.length - out;
      setMessage(
        `Saved ${pack.fileName}: ${counted(pack.devices, 'device')}, ${counted(pack.keys, 'recovery key')}, expires ${fmt(pack.expires)} UTC. ` +
          (pack.noKey.length
            ? `${counted(carried, 'device')} without a valid key carried with Safe Mode or reimage, ${out} left out. `
            : '') +
          'Give the passphrase to the technician separately. The keys are on the rotation list.',
      );
      setPass('');
      setPass2('');
      setConfirming(false);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  }

  async function importResults(files: FileList | null) {
    if (!files || files.length === 0) return;
    setBusy('Checking signatures and merging…');
    setError(null);
    const out: typeof reports = [];
    for (const f of Array.from(files)) {
      try {
        out.push({ file: f.name, report: await db.mergeResults(new Uint8Array(await f.arrayBuffer()), f.name) });
      } catch (e) {
        out.push({ file: f.name, error: (e as Error).message });
      }
    }
    await changed();
    setReports(out);
    setImports((n) => n + 1);
    setBusy(null);
  }

  async function exportRotation() {
    const csv = await db.rotationCsv();
    await host.saveFile({ suggestedName: 'ringside-key-rotation.csv', data: csv, mime: 'text/csv' });
  }

  async function startConfirm() {
    setError(null);
    setPreview(null);
    setChoices({});
    setConfirming(true);
    try {
      setPreview(await db.packPreview({ site }));
    } catch (e) {
      setError((e as Error).message);
      setConfirming(false);
    }
  }

  const why = problem();
  const leftOut = preview ? preview.noKey.filter((n) => (choices[n.id] ?? 'safe-mode') === 'exclude').length : 0;
  return (
    <section className="view packs" aria-labelledby="packs-title">
      <div className="view-head">
        <h1 id="packs-title">Field packs</h1>
        <span className="muted">
          Fixed by hand: <strong data-testid="packs-fixed">{totalFixed.toLocaleString()}</strong> · still to fix on
          site: <strong data-testid="packs-to-fix">{totalToFix.toLocaleString()}</strong>
        </span>
      </div>

      <div className="packs-grid">
        <div className="panel">
          <h2>New pack for a site</h2>
          <div className="toolbar">
            <label>
              Site
              <select value={site} onChange={(e) => setSite(e.target.value)} data-testid="pack-site">
                <option value="">Choose…</option>
                {(sites.data ?? []).map((s) => (
                  <option key={s.site} value={s.site} disabled={s.devices === 0}>
                    {s.site} ({s.devices} to fix)
                  </option>
                ))}
              </select>
            </label>
            <label>
              Expires (end of day, UTC)
              {/* A text field, not type=date: the browser's picker shows the locale's month-first order beside ISO dates. */}
              <input
                inputMode="numeric"
                pattern="\d{4}-\d{2}-\d{2}"
                placeholder="YYYY-MM-DD"
                value={expires}
                onChange={(e) => setExpires(e.target.value)}
                data-testid="pack-expires"
              />
            </label>
            <label>
              Technician (optional)
              <input value={technician} onChange={(e) => setTechnician(e.target.value)} />
            </label>
          </div>
          <div className="toolbar">
            <label>
              Passphrase (12+ characters)
              <input
                type="password"
                autoComplete="new-password"
                value={pass}
                onChange={(e) => setPass(e.target.value)}
                data-testid="pack-passphrase"
              />
            </label>
            <label>
              Repeat passphrase
              <input
                type="password"
                autoComplete="new-password"
                value={pass2}
                onChange={(e) => setPass2(e.target.value)}
                data-testid="pack-passphrase2"
              />
            </label>
            <button type="button" onClick={() => void suggest()} data-testid="pack-suggest">
              Suggest a passphrase
            </button>
            {!confirming && (
              <button
                type="button"
                className="primary"
                disabled={why !== null || busy !== null}
                title={why ?? undefined}
                onClick={() => void startConfirm()}
                data-testid="pack-create"
              >
                Create pack…
              </button>
            )}
          </div>
          {suggestion && pass === suggestion && (
            <p className="small" data-testid="pack-suggestion">
              Suggested passphrase (six random words from the EFF list): <code>{suggestion}</code>. Write it down for
              the technician; it is shown only here.
            </p>
          )}
          {strength && pass.length >= 12 && (
            <p className="muted small" data-testid="pack-strength">
              Passphrase strength: {strength.score} of 4{strength.ok ? '' : ' (at least 3 needed)'}
            </p>
          )}
          {why && site && <p className="muted small">{why}</p>}
          {confirming && !preview && <p role="status">Checking which devices have a valid recovery key…</p>}
          {confirming && preview && (
            <div className="packs-confirm" role="group" aria-label="Confirm pack creation">
              <p>
                This file will carry <strong>{counted(preview.keys, 'BitLocker recovery key')}</strong> for{' '}
                <strong>{preview.withKey}</strong> of the <strong>{counted(preview.devices, 'device')}</strong> at site{' '}
                <strong>{site}</strong>. Anyone with the file and the passphrase can unlock those machines until{' '}
                {expires}. Every key in it goes on the rotation list, and the creation is audited.
              </p>
              {preview.noKey.length > 0 && (
                <div className="packs-nokey" data-testid="pack-nokey">
                  <h3>
                    {counted(preview.noKey.length, 'device')} without a valid recovery key
                    {leftOut > 0 ? ` (${leftOut} left out)` : ''}
                  </h3>
                  <p className="muted small">
                    Decide now, not on site: carry them with a path that needs no key, or leave them out.
                  </p>
                  <div className="toolbar">
                    <button
                      type="button"
                      onClick={() => setChoices(Object.fromEntries(preview.noKey.map((n) => [n.id, 'exclude'])))}
                      data-testid="pack-nokey-exclude-all"
                    >
                      Leave them all out
                    </button>
                    <button type="button" onClick={() => setChoices({})}>
                      All with Safe Mode
                    </button>
                  </div>
                  <NoKeyTable
                    rows={preview.noKey}
                    choices={choices}
                    onChoose={(id, c) => setChoices({ ...choices, [id]: c })}
                  />
                </div>
              )}
              <div className="toolbar">
                <button
                  type="button"
                  className="danger"
                  autoFocus
                  onClick={() => void create()}
                  disabled={busy !== null}
                  data-testid="pack-confirm"
                >
                  Create and save the pack
                </button>
                <button type="button" onClick={() => setConfirming(false)}>
                  Cancel
                </button>
              </div>
            </div>
          )}
        </div>

        <div className="panel">
          <h2>Bring results back</h2>
          <p className="muted small">
            Signed .ringresults files from technicians. Signatures are checked against the pack; duplicates are ignored;
            when two technicians report the same device, the latest result counts and both are kept.
          </p>
          <label className="packs-file">
            Import results files
            <input
              type="file"
              accept=".ringresults"
              multiple
              onChange={(e) => {
                void importResults(e.target.files);
                e.target.value = '';
              }}
              data-testid="results-file"
            />
          </label>
          <button type="button" className="ghost" onClick={() => (location.hash = TECHNICIAN_HASH)}>
            Open technician mode on this machine
          </button>
          {reports.length > 0 && (
            <ul className="plain packs-reports" data-testid="merge-report" data-imports={imports}>
              {reports.map((r, i) => (
                <li key={i} className={r.error ? 'error' : undefined}>
                  <strong>{r.file}</strong>:{' '}
                  {r.error
                    ? r.error
                    : `${r.report!.added} added, ${r.report!.duplicates} duplicate(s), ${r.report!.rejected.length} rejected, ${r.report!.conflicts.length} conflict(s), ${r.report!.reveals} key reveal(s) (technician ${r.report!.technician})`}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>

      {busy && <p role="status">{busy}</p>}
      {message && (
        <p role="status" className="packs-ok" data-testid="pack-message">
          {message}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}

      <div className="panel">
        <h2 id="packs-title">Packs</h2>
        {(packs.data ?? []).length === 0 ? (
          <p className="muted">No pack yet.</p>
        ) : (
          <PackTable packs={packs.data ?? []} />
        )}
      </div>

      <div className="panel">
        <div className="view-head">
          <h2 id="rotation-title">Key rotation list ({(rotation.data ?? []).length})</h2>
          <button type="button" onClick={() => void exportRotation()} disabled={(rotation.data ?? []).length === 0}>
            Export CSV
          </button>
        </div>
        <p className="muted small">
          Every recovery key that was packed or revealed. Rotate these once the incident is over.
        </p>
        {(rotation.data ?? []).length > 0 && <RotationTable rows={rotation.data ?? []} />}
      </div>
    </section>
  );
}
