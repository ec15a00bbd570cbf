// The end of an import batch: the search index, the analysis and the index rebuilds, once for all of its files.
import { recompute, refreshKeyCounts } from '../analysis/recompute.js';
import { throwIfCancelled } from '../contract/jobs.js';
import { countDevices } from '../store/device-writes.js';
import { startRebuild } from '../store/device-text.js';
import { stopwatch } from '../shared/stopwatch.js';
import { restoreIndex, type IndexDef } from '../store/staging.js';
import type { EventsNoted, FactMark } from '../store/facts.js';
import type { Workspace } from '../workspace.js';
import type { DeviceIndex } from './identity.js';
import type { ImportOptions } from './pipeline.js';

/**
 * What the files of one batch leave for its end: the analysis and the index rebuilds run once for all of them, not
 * once per file (each is a pass over the whole fleet or event log).
 */
export interface Batch {
  /** The device index, shared by the batch's files while their rows stand (rebuilt after a file is rolled back). */
  idx: DeviceIndex | null;
  analyse: boolean;
  keyCounts: boolean;
  indexes: IndexDef[];
  /** The devices the batch's rows touched, or null when not known (orphan events attached): see finishBatch. */
  touched: Set<number> | null;
  /** The last fact id before the batch: the facts after it are the batch's. */
  factMark: FactMark;
  /** The batch's files' size in bytes: a small batch into a large workspace looks identities up (see lookupIdentity). */
  bytes: number;
  /**
   * What the batch's kept rollout files inserted, one range after another (noteEvents); null before any, false once
   * a file's events were not one run of ids right after the last (the sync then reads them).
   */
  events: EventsNoted | null | false;
}

/** Adds one kept rollout file's inserted events (`rows` of them) to what the batch noted. */
export function noteEvents(batch: Batch, file: EventsNoted, rows: number): void {
  const b = batch.events;
  if (b === false || file.to - file.from !== rows || (b && b.to !== file.from)) {
    batch.events = false;
    return;
  }
  if (!b) {
    batch.events = { ...file };
    return;
  }
  // MAX over both ranges: a null (no time) gives way to a time.
  const maxTs = b.maxTs === null || file.maxTs === null ? (b.maxTs ?? file.maxTs) : Math.max(b.maxTs, file.maxTs);
  batch.events = { from: b.from, to: file.to, maxTs, rings: b.rings + file.rings };
}

/** Page cache for the batch's end (MiB): its sorts (GROUP BY over every fact, index rebuilds) stay in memory. */
const FINISH_CACHE_MIB = 128;

/**
 * The indexes a bulk load dropped that come back before the analysis, not after it: the events' and the source rows'
 * device indexes, through which each device's deciding fact and first check-in after a crash are looked up (event
 * and fleet facts are read in place, migrations 35 and 40).
 */
export const READ_BY_ANALYSIS: ReadonlySet<string> = new Set(['ix_events_device_ts', 'ix_device_sources_device']);

/**
 * The batch's deferred work: the search index, one analysis (or only the key counts), then the indexes dropped for
 * bulk loads. With a reading thread the search index is built there during the analysis, its rows written after it.
 */
export function finishBatch(ws: Workspace, batch: Batch, opts: ImportOptions): Promise<void> {
  return ws.db.withCacheAsync(FINISH_CACHE_MIB, () => finishSteps(ws, batch, opts));
}

async function finishSteps(ws: Workspace, batch: Batch, opts: ImportOptions): Promise<void> {
  const timings = opts.timings;
  const { lap, skip } = stopwatch(timings);
  // The search index of the devices the batch wrote: once per batch, as a device may be written by several files.
  opts.onProgress?.({ phase: 'search index', done: 0, total: 0 });
  const search = startRebuild(ws.db, opts.chunks, opts.signal);
  lap('search');
  try {
    const early = analyse(ws, batch, opts, lap, skip);
    // Written before the index rebuilds, not after: the rows held for them (about the index's size: 135 MB of lists
    // at a million devices) go before those sorts. The analysis takes longer than the build, so little is awaited.
    await search.finish();
    lap('search rows');
    throwIfCancelled(opts.signal);
    const late = batch.indexes.filter((d) => !early.includes(d));
    if (late.length) {
      opts.onProgress?.({ phase: 'index', done: 0, total: late.length });
      late.forEach((d, i) => {
        restoreIndex(ws.db, d, timings);
        opts.onProgress?.({ phase: 'index', done: i + 1, total: late.length });
      });
    }
    lap('indexes');
  } finally {
    // A batch failing before the rows are written leaves the other thread nothing to send.
    search.cancel();
  }
}

/** The analysis (or only the key counts) with the one index it reads rebuilt first; returns that index. */
function analyse(ws: Workspace, batch: Batch, opts: ImportOptions, lap: (s: string) => void, skip: () => void) {
  const timings = opts.timings;
  // The analysis reads the events' and the source rows' device indexes (their facts are read in place: each device's
  // deciding fact is looked up through them) and writes neither table: so they come back first.
  const early = batch.analyse ? batch.indexes.filter((d) => READ_BY_ANALYSIS.has(d.name)) : [];
  for (const d of early) restoreIndex(ws.db, d, timings);
  lap('indexes');
  if (batch.analyse || batch.keyCounts) opts.onProgress?.({ phase: 'analyse', done: 0, total: 0 });
  // Keys never change a device's state or exposure, only the key counts: the full analysis is skipped for them.
  if (batch.analyse) {
    // A small import redoes only the devices it touched, when that gives what a full recompute would (recompute
    // checks the data time and the derived window, and falls back to the full pass when either moves).
    const ids = batch.touched;
    const small = ids !== null && ids.size <= Math.max(INCREMENTAL_MIN, countDevices(ws.db) * INCREMENTAL_SHARE);
    // recompute writes its own phases into timings.
    // Enclosed: the batch's transaction rolls the analysis back with everything else if it fails.
    recompute(ws, {
      enclosed: true,
      eventsNoted: batch.events || null,
      ...(small ? { deviceIds: [...ids], afterImport: { factMark: batch.factMark } } : {}),
      ...(timings ? { timings } : {}),
    });
    skip();
  } else if (batch.keyCounts) {
    refreshKeyCounts(ws);
    lap('keys');
  }
  return early;
}

/** An import touching at most this many devices, or this share of the fleet, is analysed incrementally. */
const INCREMENTAL_MIN = 2000;
const INCREMENTAL_SHARE = 0.02;
