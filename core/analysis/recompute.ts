// Recomputes device exposure and state (with the rule that gave it) and the summary tables the dashboards read:
// the order of the passes, their timings and the data time; the passes' SQL is in store/ (evidence, states, cubes).
import * as cubes from '../store/cubes.js';
import { stopwatch } from '../shared/stopwatch.js';
import * as evidence from '../store/evidence.js';
import * as factTable from '../store/facts.js';
import type { EventsNoted, FactMark } from '../store/facts.js';
import * as states from '../store/states.js';
import type { StateRules } from '../store/states.js';
import * as summaryTables from '../store/summary.js';
import { meta, setMeta, type Workspace } from '../workspace.js';
import { syncFacts } from './facts.js';
import { PLATFORM_LABEL, readConfig, versionParts, type AnalysisConfig } from './config.js';
import { DERIVED_WINDOW_KEY, refreshDerivedWindow } from './exposure-window.js';
import { markWindowNotSet } from '../store/exposure.js';

export interface RecomputeOptions {
  /** Only these devices changed (a field result, a ring override): their rows and the summaries are patched. */
  deviceIds?: number[];
  /**
   * The deviceIds are those a small import touched (facts after factMark are its): they are redone alone only if
   * the import moves neither the data time nor the derived exposure window, else every device is.
   */
  afterImport?: { factMark: FactMark };
  /** When given, filled with milliseconds per phase (for the bench). */
  timings?: Record<string, number>;
  /**
   * The caller's transaction is undone whole if this throws (an import batch's end): no savepoint of its own. A
   * savepoint copies every page the analysis changes that existed before it into SQLite's sub-journal, a temp file:
   * every device's row at the state update (0.45 GB of writes at a million devices), never read unless it fails.
   */
  enclosed?: boolean;
  /** What the import's rollout files inserted (see EventsNoted): the fact sync then need not read those events. */
  eventsNoted?: EventsNoted | null;
}

export interface RecomputeStats {
  devices: number;
  changed: number;
  asOf: number;
  ms: number;
}

export { BURN_BUCKET_MS, CRASH_BUCKET_MS } from '../store/cubes.js';

/** Page cache (MiB) while the analysis runs. */
const ANALYSIS_CACHE_MIB = 128;

const NO_WINDOW_RULE =
  'No exposure window: too few receipts of the bad content or crashes to derive one, and none chosen (Overview)';

/** The state rules' inputs: the playbook settings in the form the rules compare, and the data time. */
function stateRules(cfg: AnalysisConfig, asOf: number): StateRules {
  const [minMajor, minMinor] = versionParts(cfg.minVersion);
  return {
    windowStart: cfg.windowStart,
    windowEnd: cfg.windowEnd,
    badVersion: cfg.badVersion,
    platform: cfg.platform,
    platformLabel: PLATFORM_LABEL[cfg.platform] ?? cfg.platform,
    minVersion: cfg.minVersion,
    minMajor,
    minMinor,
    asOf,
    selfRecoveryMs: cfg.selfRecoveryMs,
    burstCount: cfg.burstCount,
    burstMs: cfg.burstMs,
  };
}

/**
 * The data time: the latest fact time among the fleet and crash sources (every event, every fact but a field
 * result, every device's last check-in), one SQL statement. Never the host clock, and never a field result: a
 * technician's laptop clock may run ahead of the fleet, and the states that depend on the data time must not move.
 */
function dataTime(ws: Workspace, cfg: AnalysisConfig, partial: boolean): number {
  if (partial) {
    // Only field results and ring overrides recompute in part: no fleet or crash fact is new, so the time holds.
    const stored = Number(meta(ws, 'analysis.as_of'));
    const seen = evidence.latest(ws.db);
    if (Number.isFinite(stored) && stored > 0) return Math.max(stored, seen);
  }
  // latestTime is a MAX over a union with a constant row: always a number, 0 with no facts at all.
  const t = factTable.latestTime(ws.db, Number(meta(ws, 'facts.events_max_ts')) || 0) ?? 0;
  return t > 0 ? t : cfg.windowEnd;
}

/**
 * Whether an import's analysis can redo only the devices it touched: its facts (its events turned into facts first)
 * are no later than the data time, and the exposure window derived from all content receipts has not moved.
 * `windowFresh`: the derived window was refreshed here, so the full pass need not derive it again.
 */
function importKeepsGlobals(
  ws: Workspace,
  factMark: FactMark,
  noted: EventsNoted | null | undefined,
): { keep: boolean; windowFresh: boolean } {
  const stored = Number(meta(ws, 'analysis.as_of'));
  const cfg = readConfig(ws);
  // A data time that fell back to the window's end (no fact had a time) is not a maximum the new facts can be held to.
  if (!Number.isFinite(stored) || stored <= 0 || stored === cfg.windowEnd) return { keep: false, windowFresh: false };
  syncFacts(ws, undefined, noted);
  const events = Number(meta(ws, 'facts.events_max_ts') ?? 0) || 0;
  if (Math.max(factTable.latestSince(ws.db, factMark), events) > stored) return { keep: false, windowFresh: false };
  const derived = meta(ws, DERIVED_WINDOW_KEY);
  refreshDerivedWindow(ws, cfg.badVersion);
  return { keep: meta(ws, DERIVED_WINDOW_KEY) === derived, windowFresh: true };
}

function storeKeyCounts(ws: Workspace): void {
  // An aggregate without GROUP BY: always one row, each count 0 when there are no keys.
  const k = summaryTables.keyCounts(ws.db)!;
  setMeta(
    ws,
    'analysis.keys',
    JSON.stringify({
      total: k.total,
      valid: k.valid,
      invalid: k.invalid,
      devicesWithKey: k.withKey,
      unmatched: k.unmatched,
    }),
  );
}

/**
 * Recomputes every device's exposure and state, then the summary tables. Runs inside the caller's transaction
 * (a savepoint) so an import and its analysis commit together. With deviceIds, only those devices are redone
 * and the summaries are patched by removing their old contribution and adding the new one.
 */
export function recompute(ws: Workspace, opts: RecomputeOptions = {}): RecomputeStats {
  // A full pass sorts every fact and device: a larger page cache keeps the sorts in memory (given back after).
  return ws.db.withCache(ANALYSIS_CACHE_MIB, () => recomputeIn(ws, opts));
}

function recomputeIn(ws: Workspace, opts: RecomputeOptions): RecomputeStats {
  const clock = () => performance.now();
  const t0 = clock();
  let partial = Array.isArray(opts.deviceIds);
  const { lap } = stopwatch(opts.timings);
  const tx = <T>(fn: () => T): T => (opts.enclosed && ws.db.inTransaction ? fn() : ws.db.tx(fn));
  return tx(() => {
    const db = ws.db;
    let windowFresh = false;
    if (partial && opts.afterImport)
      ({ keep: partial, windowFresh } = importKeepsGlobals(ws, opts.afterImport.factMark, opts.eventsNoted));
    if (partial) cubes.markChanged(db, opts.deviceIds!, Boolean(opts.afterImport));
    lap('prepare');
    syncFacts(ws, opts.timings, opts.eventsNoted);
    // The evidence that needs no window first: its scan finds the receipts of the bad content (or first crashes) the
    // window is derived from, which would otherwise take a scan of every fact of their own ('facts' times it too).
    const { badVersion } = readConfig(ws);
    evidence.scan(db, badVersion, partial);
    // New facts may move a derived window; field results and ring overrides (partial) cannot.
    if (!partial && !windowFresh)
      refreshDerivedWindow(ws, badVersion, {
        receipts: evidence.receiptsFromEvidence(db, badVersion),
        crashTimes: () => evidence.firstCrashTimesFromEvidence(db),
      });
    const cfg = readConfig(ws);
    lap('facts');
    evidence.finish(db, cfg, partial);
    lap('evidence');
    const asOf = dataTime(ws, cfg, partial);
    lap('dataTime');
    states.build(db, stateRules(cfg, asOf), partial);
    if (!cfg.windowSet) markWindowNotSet(ws.db, NO_WINDOW_RULE);
    lap('states');
    const changed = states.apply(db);
    lap('update');
    if (partial) {
      cubes.patch(db);
      // An import may link keys to devices; counting them is one pass over the keys.
      if (opts.afterImport) storeKeyCounts(ws);
    } else {
      cubes.rebuildDevices(db);
      lap('an_dev');
      cubes.rebuildCubes(db);
      lap('cubes');
      cubes.rebuildCritical(db);
      lap('critical');
      storeKeyCounts(ws);
    }
    cubes.dropTemps(db);
    setMeta(ws, 'analysis.as_of', String(asOf));
    setMeta(ws, 'analysis.scope', partial ? 'incremental' : 'full');
    setMeta(ws, 'analysis.computed_at', String(ws.now()));
    const devices = summaryTables.deviceTotal(db);
    return { devices, changed, asOf, ms: Math.round(clock() - t0) };
  });
}

/** Keys are counted at full recompute; an import of keys alone can refresh just these. */
export function refreshKeyCounts(ws: Workspace): void {
  storeKeyCounts(ws);
}
