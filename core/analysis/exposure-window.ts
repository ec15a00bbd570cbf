// The exposure window and where it came from: chosen by the user, derived from receipts or crashes, or not set.
import { firstCrashTimes, forgetMeta, receiptFacts, type ReceiptFacts } from '../store/exposure.js';
import { meta, setMeta, type Workspace } from '../workspace.js';

/**
 * Fewer devices than this with receipt evidence (or in the crash cluster) derive nothing: two machines' clocks are
 * not an incident's window, and a wrong window silently moves every state.
 */
export const MIN_DEVICES_TO_DERIVE = 3;
/** First crashes further apart than this are not one cluster (a bad update crashes its recipients within minutes). */
export const CRASH_CLUSTER_GAP_MS = 60 * 60_000;
/**
 * A window derived from crashes opens this long before the first of them: the content that caused a crash arrived
 * before it (minutes before, on 19 July 2024), and the machine's last check-in often precedes the crash too.
 */
export const CRASH_LEAD_MS = 15 * 60_000;

export type WindowOrigin = 'chosen' | 'derived' | 'none';

export interface ExposureWindow {
  origin: WindowOrigin;
  /** Epoch ms, inclusive; null when not set. */
  start: number | null;
  end: number | null;
  /** For a derived window: which facts, from how many devices, and the first and last of them. */
  basis?: 'receipts' | 'crashes';
  devices?: number;
  first?: number;
  last?: number;
  /** The first receipt of the content that replaced the bad one, when it closed the window. */
  fixAt?: number | null;
  /** In words, for the Overview and the report. */
  text: string;
}

export const WINDOW_KEYS = { start: 'analysis.window_start', end: 'analysis.window_end' } as const;
export const DERIVED_WINDOW_KEY = 'analysis.window_derived';
const DERIVED_KEY = DERIVED_WINDOW_KEY;

const utc = (t: number) => `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const plural = (n: number, one: string) => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

export const NOT_SET_TEXT =
  `not set: fewer than ${MIN_DEVICES_TO_DERIVE} devices with a receipt of the bad content or a first crash ` +
  'to derive it from; choose it';

function time(text: string | undefined): number | null {
  if (!text) return null;
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(t) ? t : null;
}

/**
 * The largest run of first crashes with no gap over CRASH_CLUSTER_GAP_MS (the earliest run on a tie). `times` must
 * be sorted ascending.
 */
export function crashCluster(times: readonly number[]): { first: number; last: number; devices: number } | null {
  let best: { first: number; last: number; devices: number } | null = null;
  let i = 0;
  while (i < times.length) {
    let j = i;
    while (j + 1 < times.length && times[j + 1]! - times[j]! <= CRASH_CLUSTER_GAP_MS) j++;
    const run = { first: times[i]!, last: times[j]!, devices: j - i + 1 };
    if (!best || run.devices > best.devices) best = run;
    i = j + 1;
  }
  return best;
}

/**
 * The window the facts give, or null when they are too few. From receipts of the bad content: the first receipt
 * to the last one, or to the first receipt of its replacement when that came later (the fix went live then).
 * Failing that, from the crash cluster: CRASH_LEAD_MS before its first crash to its last first crash.
 */
export function deriveWindow(ws: Workspace, badVersion: string, facts?: WindowFacts): ExposureWindow | null {
  const r = facts?.receipts ?? receiptFacts(ws.db, badVersion);
  if (r.devices >= MIN_DEVICES_TO_DERIVE && r.first !== null && r.last !== null) {
    const end = r.fixAt !== null && r.fixAt > r.last ? r.fixAt : r.last;
    const fix = end === r.fixAt ? `, closed by the fix received ${utc(r.fixAt)}` : '';
    return {
      origin: 'derived',
      start: r.first,
      end,
      basis: 'receipts',
      devices: r.devices,
      first: r.first,
      last: r.last,
      fixAt: r.fixAt,
      text: `derived from ${plural(r.devices, 'device')}' receipts of ${badVersion} (first ${utc(r.first)}, last ${utc(r.last)}${fix})`,
    };
  }
  const c = crashCluster(facts ? facts.crashTimes() : firstCrashTimes(ws.db));
  if (c && c.devices >= MIN_DEVICES_TO_DERIVE) {
    return {
      origin: 'derived',
      start: c.first - CRASH_LEAD_MS,
      end: c.last,
      basis: 'crashes',
      devices: c.devices,
      first: c.first,
      last: c.last,
      text: `derived from the crash cluster of ${plural(c.devices, 'device')} (first crash ${utc(c.first)}, last ${utc(c.last)}; opened ${CRASH_LEAD_MS / 60_000} min before the first crash); no receipts of ${badVersion} on file`,
    };
  }
  return null;
}

/**
 * What a window is derived from, when the caller has read it already (a full recompute's evidence scan): the receipts
 * of the bad content, and each device's first crash signal, earliest first (asked for only when receipts are too few).
 */
export interface WindowFacts {
  receipts: ReceiptFacts;
  crashTimes: () => number[];
}

/** Re-derives the window from the facts (or `facts`, read already) and keeps it for readWindow (full recomputes). */
export function refreshDerivedWindow(ws: Workspace, badVersion: string, facts?: WindowFacts): void {
  const w = deriveWindow(ws, badVersion, facts);
  setMeta(ws, DERIVED_KEY, w ? JSON.stringify(w) : '');
}

/** The window in force: the chosen one, else the one derived at the last full recompute, else none. */
export function readWindow(ws: Workspace): ExposureWindow {
  const start = time(meta(ws, WINDOW_KEYS.start));
  const end = time(meta(ws, WINDOW_KEYS.end));
  if (start !== null && end !== null) return { origin: 'chosen', start, end, text: 'chosen' };
  const stored = meta(ws, DERIVED_KEY);
  if (stored) {
    const w = JSON.parse(stored) as ExposureWindow;
    if (typeof w.start === 'number' && typeof w.end === 'number') return w;
  }
  return { origin: 'none', start: null, end: null, text: NOT_SET_TEXT };
}

/** Chooses the window (both ends), or with nulls goes back to the derived one. */
export function chooseWindow(ws: Workspace, start: number | null, end: number | null): void {
  if (start === null || end === null) {
    forgetMeta(ws.db, [WINDOW_KEYS.start, WINDOW_KEYS.end]);
    return;
  }
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new Error('the exposure window needs two times');
  if (!(start <= end)) throw new Error('the exposure window must start before it ends');
  setMeta(ws, WINDOW_KEYS.start, new Date(start).toISOString());
  setMeta(ws, WINDOW_KEYS.end, new Date(end).toISOString());
}
