// The import view: pick or drop export files, watch progress (cancellable), read each file's report, map unknown CSVs, choose a workbook's sheet, review a tracker's results.
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { Changes } from '../../../core/analysis/change-log.js';
import type { TrackerDiff } from '../../../core/field/tracker.js';
import type { ColumnMapping } from '../../../core/ingest/index.js';
import { AsOfStep, type AsOfAsk } from './AsOfStep.js';
import { BatchSummary, hasProblem } from './BatchSummary.js';
import { onOfferedFiles } from '../../state/dropped-files.js';
import { useWorkspace } from '../../state/workspace.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { job } from '../../db/client.js';
import { TrackerDiffPanel } from './TrackerDiffPanel.js';
import { FileReport } from './FileReport.js';
import { FORMAT_LABELS } from './import-labels.js';
import { PastImports } from './PastImports.js';
import { ReviewList } from './ReviewList.js';
import type { Entry } from './entry.js';

let entryIds = 0;

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
