// The import view: pick or drop export files, watch progress (cancellable), read each file's report, map unknown CSVs, choose a workbook's sheet, review a tracker's results.
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { ImportKind } from '../../../core/contract/ingest.js';
import type { Field } from '../../../core/ingest/formats.js';
import type { Changes } from '../../../core/analysis/change-log.js';
import type { TrackerDiff } from '../../../core/field/tracker.js';
import type { ColumnMapping, IngestReport } from '../../../core/ingest/index.js';
import { AsOfStep, type AsOfAsk } from './AsOfStep.js';
import { BatchSummary, hasProblem } from './BatchSummary.js';
import { onOfferedFiles } from '../../state/dropped-files.js';
import { useQuery, useWorkspace } from '../../state/workspace.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { job } from '../../db/client.js';
import { TrackerDiffPanel } from './TrackerDiffPanel.js';

let entryIds = 0;

const FIELD_LABELS: Record<Field, string> = {
  hostname: 'Hostname',
  falcon_aid: 'Falcon AID',
  entra_id: 'Entra device ID',
  intune_id: 'Intune device ID',
  serial: 'Serial number',
  site: 'Site',
  ring: 'Ring',
  groups: 'Groups',
  tags: 'Tags',
  platform: 'Platform / OS',
  os_version: 'OS version',
  os_build: 'OS build',
  device_type: 'Device type',
  agent_version: 'Sensor version',
  first_seen: 'First seen',
  last_seen: 'Last seen',
  user: 'User',
  model: 'Model',
  dn: 'Distinguished name',
  status: 'Status',
  key_host: 'Device (name, DN or Entra ID)',
  key_id: 'Key ID',
  key: 'Recovery password',
  directory: 'Directory',
  volume_type: 'Volume type',
  created: 'Created',
  ts: 'Timestamp',
  device_key: 'Device key (AID / ID)',
  state: 'State',
  package: 'Package',
  version_from: 'Version from',
  version_to: 'Version to',
  source: 'Source',
  error: 'Error code',
  detail: 'Detail',
};

const FORMAT_LABELS: Record<string, string> = {
  falcon: 'CrowdStrike Falcon hosts',
  intune: 'Intune devices',
  entra: 'Entra ID devices',
  ad: 'Active Directory computers',
  configmgr: 'ConfigMgr devices',
  defender: 'Defender for Endpoint devices',
  sentinelone: 'SentinelOne agents',
  fleet: 'Fleet hosts',
  tanium: 'Tanium results',
  autopatch: 'Autopatch update status',
  wufb: 'WUfB update status',
  events: 'Windows crash events',
  bitlocker: 'BitLocker recovery keys',
  rollout: 'Rollout event log',
  generic: 'Mapped by hand',
  unknown: 'Not recognised',
};

export interface Entry {
  id: number;
  file: File;
  report: IngestReport | null;
  error: string | null;
}

/** Files with problems first (a fully rejected file must not sit below nine good ones), then in the order dropped. */
function problemsFirst(list: Entry[]): Entry[] {
  return list
    .map((e, i) => ({ e, i }))
    .sort((a, b) => Number(hasProblem(b.e)) - Number(hasProblem(a.e)) || a.i - b.i)
    .map((x) => x.e);
}

export function ImportView() {
  const { db, changed } = useWorkspace();
  const [entries, setEntries] = useState<Entry[]>([]);
  // The latest batch: its summary sits above the file cards.
  const [batch, setBatch] = useState<{ entries: Entry[]; changes: Changes | null } | null>(null);
  const [mapOpen, setMapOpen] = useState<number | null>(null);
  const [busy, setBusy] = useState<{ label: string; done: number; total: number; jobId: string } | null>(null);
  const [dragging, setDragging] = useState(false);
  const [trackers, setTrackers] = useState<{ id: number; diff: TrackerDiff }[]>([]);
  // Files waiting for the user to confirm the "as of" time of those without a time column.
  const [asking, setAsking] = useState<{ files: File[]; asks: AsOfAsk[] } | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  /**
   * Imports files as one batch (one transaction; the analysis runs once after the last file) and returns an entry per
   * file. job() marks the options so the worker gets the progress callback and a cancellable signal.
   */
  const run = useCallback(
    async (
      files: File[],
      mapping?: ColumnMapping,
      sheet?: string,
      asOf?: ReadonlyMap<File, number>,
    ): Promise<{ entries: Entry[]; changes: Changes | null }> => {
      const name = files.length === 1 ? `${files[0]!.name}: ` : '';
      const j = job((p) => setBusy((b) => b && { ...b, label: `${name}${p.phase}`, done: p.done, total: p.total }));
      setBusy({ label: `${name}reading`, done: 0, total: 0, jobId: j.jobId });
      try {
        const { reports, changes } = await db.importBatch(files, {
          ...j,
          mapping,
          ...(sheet !== undefined ? { sheet } : {}),
          ...(asOf?.size ? { asOfEach: files.map((f) => asOf.get(f) ?? null) } : {}),
        });
        return {
          entries: reports.map((report, i) => ({ id: ++entryIds, file: files[i]!, report, error: null })),
          changes,
        };
      } catch (e) {
        const err = e as Error;
        const error =
          err.name === 'CancelledError' || /cancelled/.test(err.message)
            ? `cancelled: nothing was imported from this ${files.length === 1 ? 'file' : 'batch'}`
            : err.message;
        return { entries: files.map((file) => ({ id: ++entryIds, file, report: null, error })), changes: null };
      } finally {
        setBusy(null);
      }
    },
    [db],
  );

  const importNow = useCallback(
    async (files: File[], asOf?: ReadonlyMap<File, number>) => {
      const res = await run(files, undefined, undefined, asOf);
      const done = problemsFirst(res.entries);
      // The snapshot is written before the reports show: an import shown as done survives a crash right after.
      if (done.some((e) => e.report && e.report.imported > 0)) await changed();
      setBatch({ entries: done, changes: res.changes });
      setEntries((prev) => [...done, ...prev.filter((p) => !files.includes(p.file))]);
    },
    [run, changed],
  );

  const importFiles = useCallback(
    async (picked: File[]) => {
      if (!picked.length || busy) return;
      // A recovery tracker comes back as field results: its diff is shown, and nothing changes until it is applied.
      const files: File[] = [];
      for (const f of picked) {
        const diff =
          /\.xlsx$/i.test(f.name) && f.size < 256 << 20
            ? await db.trackerDiff(new Uint8Array(await f.arrayBuffer()), f.name).catch(() => null)
            : null;
        if (diff) setTrackers((prev) => [{ id: ++entryIds, diff }, ...prev]);
        else files.push(f);
      }
      if (!files.length) return;
      // A status report without a time column: its as-of time is shown and confirmed once, before anything is written.
      const probes = await Promise.all(files.map((f) => db.probeAsOf(f).catch(() => null)));
      const asks = files.flatMap((file, i) => (probes[i] ? [{ file, probe: probes[i] }] : []));
      if (asks.length) setAsking({ files, asks });
      else await importNow(files);
    },
    [busy, db, importNow],
  );

  // Files dropped on the desktop window or opened from the OS arrive here.
  useEffect(() => onOfferedFiles((files) => void importFiles(files)), [importFiles]);

  const remap = useCallback(
    async (file: File, mapping?: ColumnMapping, sheet?: string) => {
      const res = await run([file], mapping, sheet);
      const e = res.entries[0]!;
      if (e.report && e.report.imported > 0) await changed();
      setMapOpen(null);
      setBatch((b) => b && { entries: b.entries.map((p) => (p.file === file ? e : p)), changes: res.changes });
      setEntries((prev) => prev.map((p) => (p.file === file ? e : p)));
    },
    [run, changed],
  );

  const onDrop = (ev: DragEvent) => {
    ev.preventDefault();
    setDragging(false);
    void importFiles([...ev.dataTransfer.files]);
  };

  return (
    <section
      className="view import-view"
      aria-labelledby="import-title"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="import-view"
    >
      <h1 id="import-title">Import</h1>
      <div className={`panel import-drop${dragging ? ' dragging' : ''}`} data-testid="import-drop">
        <p>
          Drop export files here: Falcon, Intune, Entra, AD, ConfigMgr, Defender, SentinelOne, Fleet, Tanium, Autopatch,
          BitLocker keys, rollout logs, as CSV, JSON, ZIP or Excel workbooks (.xlsx). The format is recognised from the
          header; other files can be mapped by hand. A recovery tracker from the Report view comes back as results.
        </p>
        <label className="button primary">
          Choose files…
          <input
            ref={inputRef}
            type="file"
            multiple
            className="visually-hidden"
            data-testid="import-files"
            disabled={busy !== null}
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              void importFiles(files);
            }}
          />
        </label>
      </div>
      {busy && (
        <ProgressBar
          label={busy.label}
          done={busy.done}
          total={busy.total}
          onCancel={() => {
            void db.cancel(busy.jobId);
          }}
        />
      )}
      {asking && (
        <AsOfStep
          asks={asking.asks}
          formatLabel={(f) => FORMAT_LABELS[f] ?? f}
          onCancel={() => setAsking(null)}
          onSubmit={(times) => {
            setAsking(null);
            void importNow(asking.files, times);
          }}
        />
      )}
      {trackers.map((t) => (
        <TrackerDiffPanel
          key={t.id}
          diff={t.diff}
          onClose={() => setTrackers((prev) => prev.filter((x) => x.id !== t.id))}
        />
      ))}
      {batch && (
        <BatchSummary
          entries={batch.entries}
          changes={batch.changes}
          formatLabel={(f) => FORMAT_LABELS[f] ?? f}
          onMap={(id) => {
            setMapOpen(id);
            document.getElementById(`import-report-${id}`)?.scrollIntoView({ block: 'start' });
          }}
        />
      )}
      {entries.map((e) => (
        <FileReport
          key={e.id}
          entry={e}
          onMap={(m) => remap(e.file, m)}
          onSheet={(sheet) => remap(e.file, undefined, sheet)}
          busy={busy !== null}
          mapOpen={mapOpen === e.id}
          onToggleMap={(open) => setMapOpen(open ? e.id : null)}
        />
      ))}
      <ReviewList />
      <PastImports />
    </section>
  );
}

function FileReport(props: {
  entry: Entry;
  onMap: (m: ColumnMapping) => void;
  onSheet: (sheet: string) => void;
  busy: boolean;
  mapOpen: boolean;
  onToggleMap: (open: boolean) => void;
}) {
  const { report, error, file } = props.entry;
  return (
    <article
      className="panel import-report"
      data-testid="import-report"
      data-file={file.name}
      id={`import-report-${props.entry.id}`}
    >
      <h2>{file.name}</h2>
      {error && <p className="error">{error}</p>}
      {report && (
        <>
          <p data-testid="import-summary">
            <strong data-testid="import-format" data-format={report.format}>
              {FORMAT_LABELS[report.format] ?? report.format}
            </strong>
            {report.duplicate ? (
              <> — already imported (same content): nothing was added.</>
            ) : (
              <>
                {' '}
                — {report.rows.toLocaleString()} rows,{' '}
                <span data-testid="import-imported">{report.imported.toLocaleString()}</span> imported,{' '}
                <span data-testid="import-rejected">{report.rejected.toLocaleString()}</span> rejected
                {report.flagged > 0 && <>, {report.flagged} kept with a note</>}.
              </>
            )}
          </p>
          {report.notes.length > 0 && (
            <ul className="muted small">
              {report.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          )}
          {report.reasons.length > 0 && <ReasonTable reasons={report.reasons} />}
          {report.errors.length > 0 && (
            <details>
              <summary>
                The first {report.errors.length === 1 ? 'row' : `${report.errors.length} rows`} with a problem, line by
                line
              </summary>
              <ErrorTable errors={report.errors} />
            </details>
          )}
          {report.sheets && report.sheets.length > 1 && (
            <SheetPicker sheets={report.sheets} onSubmit={props.onSheet} busy={props.busy} />
          )}
          {report.format === 'unknown' && report.header && report.header.length > 0 && (
            <MappingForm header={report.header} onSubmit={props.onMap} busy={props.busy} />
          )}
          {report.format !== 'unknown' && report.header && report.header.length > 0 && (
            <details open={props.mapOpen} onToggle={(e) => props.onToggleMap(e.currentTarget.open)}>
              <summary data-testid="map-columns-toggle">Map the columns by hand instead</summary>
              {props.mapOpen && <MappingForm header={report.header} onSubmit={props.onMap} busy={props.busy} />}
            </details>
          )}
        </>
      )}
    </article>
  );
}

function ReasonTable(props: { reasons: IngestReport['reasons'] }) {
  return (
    <table className="import-errors" data-testid="import-reasons">
      <caption className="visually-hidden">Problems grouped by reason</caption>
      <thead>
        <tr>
          <th scope="col">Rows</th>
          <th scope="col">Field</th>
          <th scope="col">Reason</th>
          <th scope="col">First lines</th>
        </tr>
      </thead>
      <tbody>
        {props.reasons.map((r, i) => (
          <tr key={i} data-testid="import-reason">
            <td className="num-cell">{r.count.toLocaleString('en-US')}</td>
            <td>{r.field}</td>
            <td>{r.message}</td>
            <td>
              {r.lines.join(', ')}
              {r.count > r.lines.length ? ', …' : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SheetPicker(props: {
  sheets: NonNullable<IngestReport['sheets']>;
  onSubmit: (sheet: string) => void;
  busy: boolean;
}) {
  const [sheet, setSheet] = useState(props.sheets[0]!.name);
  return (
    <form
      className="mapping-form"
      data-testid="sheet-picker"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(sheet);
      }}
    >
      <h3>Choose the sheet to import</h3>
      <ul className="muted small">
        {props.sheets.map((s) => (
          <li key={s.name}>
            <strong>{s.name}</strong>
            {s.hidden ? ' (hidden)' : ''}: header on row {s.headerRow}: {s.header.slice(0, 6).join(', ')}
            {s.header.length > 6 ? ', …' : ''}
          </li>
        ))}
      </ul>
      <div className="toolbar">
        <label>
          Sheet
          <select value={sheet} data-testid="sheet-select" onChange={(e) => setSheet(e.target.value)}>
            {props.sheets.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={props.busy} data-testid="sheet-submit">
          Import this sheet
        </button>
      </div>
    </form>
  );
}

function ErrorTable(props: { errors: { line: number; field: string; message: string }[]; more?: number }) {
  return (
    <table className="import-errors" data-testid="import-errors">
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Field</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {props.errors.map((e, i) => (
          <tr key={i}>
            <td className="num-cell">{e.line}</td>
            <td>{e.field}</td>
            <td>{e.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MappingForm(props: { header: string[]; onSubmit: (m: ColumnMapping) => void; busy: boolean }) {
  const { data: mappable } = useQuery((c) => c.mappableFields(), []);
  const [kind, setKind] = useState<ImportKind>('fleet');
  const [columns, setColumns] = useState<Partial<Record<Field, string>>>({});
  const spec = mappable?.[kind];
  const missing = spec ? spec.required.filter((f) => !columns[f]) : [];
  return (
    <form
      className="mapping-form"
      data-testid="mapping-form"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit({ kind, columns, save: true });
      }}
    >
      <h3>Map the columns of this file</h3>
      <p className="muted small">The mapping is saved and used again when a file with the same header comes back.</p>
      <div className="toolbar">
        <label>
          What the file holds
          <select
            value={kind}
            data-testid="mapping-kind"
            onChange={(e) => {
              setKind(e.target.value as ImportKind);
              setColumns({});
            }}
          >
            <option value="fleet">Devices</option>
            <option value="keys">BitLocker keys</option>
            <option value="rollout">Rollout events</option>
          </select>
        </label>
      </div>
      <div className="mapping-grid">
        {spec?.fields.map((f) => (
          <label key={f}>
            {FIELD_LABELS[f]}
            {spec.required.includes(f) ? ' *' : ''}
            <select
              value={columns[f] ?? ''}
              data-testid={`map-${f}`}
              onChange={(e) => setColumns((c) => ({ ...c, [f]: e.target.value || undefined }))}
            >
              <option value="">— not used —</option>
              {props.header.map((h) => (
                <option key={h} value={h}>
                  {h}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      <button
        type="submit"
        className="primary"
        disabled={props.busy || missing.length > 0}
        data-testid="mapping-submit"
      >
        Import with this mapping
      </button>
      {missing.length > 0 && (
        <span className="muted small"> Map {missing.map((f) => FIELD_LABELS[f]).join(' and ')} first.</span>
      )}
    </form>
  );
}

function ReviewList() {
  const { db, changed } = useWorkspace();
  const { data } = useQuery((c) => c.reviewList({ limit: 100 }), []);
  const [error, setError] = useState<string | null>(null);
  if (!data || data.length === 0) return null;
  const act = async (id: number, action: 'confirm' | 'split') => {
    setError(null);
    try {
      await db.resolveReview(id, action);
      await changed();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section className="panel" aria-labelledby="review-title" data-testid="review-list">
      <h2 id="review-title">Matches to review ({data.length})</h2>
      <p className="muted small">
        These rows were joined to a device by name only, while another identifier disagreed. Confirm the join, or split
        the row off into its own device.
      </p>
      {error && <p className="error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Why</th>
            <th scope="col">Source</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {data.map((r) => (
            <tr key={r.id}>
              <td>{r.hostname}</td>
              <td>{r.reason}</td>
              <td>
                {r.file ?? r.source} {r.line !== null && <>line {r.line}</>}
              </td>
              <td>
                <button type="button" onClick={() => void act(r.id, 'confirm')}>
                  Same machine
                </button>{' '}
                <button type="button" onClick={() => void act(r.id, 'split')}>
                  Split
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function PastImports() {
  const { data } = useQuery((c) => c.listImports(), []);
  const [open, setOpen] = useState<number | null>(null);
  return (
    <section className="panel" aria-labelledby="past-imports-title" data-testid="past-imports">
      <h2 id="past-imports-title">Imports in this workspace</h2>
      {!data || data.length === 0 ? (
        <p className="muted">Nothing imported yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Format</th>
              <th scope="col">Rows</th>
              <th scope="col">Imported</th>
              <th scope="col">Rejected</th>
              <th scope="col">When</th>
              <th scope="col">Problems</th>
            </tr>
          </thead>
          <tbody>
            {data.map((i) => (
              <PastRow key={i.id} item={i} open={open === i.id} onToggle={() => setOpen(open === i.id ? null : i.id)} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function PastRow(props: {
  item: {
    id: number;
    file: string;
    format: string;
    rows: number;
    imported: number;
    rejected: number;
    startedAt: number;
    problems: number;
    sha256: string;
  };
  open: boolean;
  onToggle: () => void;
}) {
  const i = props.item;
  return (
    <>
      <tr data-testid="past-import" data-format={i.format}>
        <td title={`SHA-256 ${i.sha256}`}>{i.file}</td>
        <td>{FORMAT_LABELS[i.format] ?? i.format}</td>
        <td className="num-cell">{i.rows.toLocaleString()}</td>
        <td className="num-cell">{i.imported.toLocaleString()}</td>
        <td className="num-cell">{i.rejected.toLocaleString()}</td>
        <td>{new Date(i.startedAt).toISOString().replace('T', ' ').slice(0, 16)} UTC</td>
        <td>
          {i.problems > 0 ? (
            <button type="button" onClick={props.onToggle} aria-expanded={props.open}>
              {props.open ? 'Hide' : `Show ${i.problems}`}
            </button>
          ) : (
            <span className="muted">none</span>
          )}
        </td>
      </tr>
      {props.open && (
        <tr>
          <td colSpan={7}>
            <ProblemPages importId={i.id} />
          </td>
        </tr>
      )}
    </>
  );
}

function ProblemPages(props: { importId: number }) {
  const [offset, setOffset] = useState(0);
  const limit = 100;
  const { data } = useQuery((c) => c.importErrors(props.importId, { offset, limit }), [props.importId, offset]);
  if (!data) return <p className="muted">Loading…</p>;
  return (
    <div>
      <ErrorTable errors={data.errors} />
      <div className="toolbar">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>
          Previous
        </button>
        <span className="muted small">
          {offset + 1}–{Math.min(offset + limit, data.total)} of {data.total}
        </span>
        <button type="button" disabled={offset + limit >= data.total} onClick={() => setOffset(offset + limit)}>
          Next
        </button>
      </div>
    </div>
  );
}
