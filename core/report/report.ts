// The managers' report: its data (summary, series, open work) and a Markdown postmortem draft with the timeline filled in.
import type { Workspace } from '../workspace.js';
import { series, type ChartSeries } from '../charts/series.js';
import { criticalDevices, type CriticalRow } from '../analysis/devices.js';
import { stateRules, STATE_LABEL, type StateRules } from '../analysis/rules.js';
import { summary, type SummaryEx } from '../analysis/summary.js';
import { DEVICE_STATES } from '../contract/analysis.js';
import { toCsv } from '../shared/csv.js';
import { auditReceipt } from '../store/audit.js';
import * as deviceTable from '../store/devices.js';
import { changeLog, describeChanges } from '../analysis/change-log.js';

export interface TimelineEntry {
  at: number;
  what: string;
  /** The time is the start of a chart bucket (a period), not the time of one event. */
  bucket?: boolean;
}

/** Each ring's first crash time, from the devices' own crash facts (one pass over the device table). */
export function firstCrashes(ws: Workspace): Array<{ ring: string; at: number }> {
  return deviceTable.firstCrashByRing(ws.db);
}

export interface Report {
  title: string;
  generatedAt: number;
  summary: SummaryEx;
  series: ChartSeries;
  rules: StateRules;
  timeline: TimelineEntry[];
  critical: { rows: CriticalRow[]; byCategory: Array<{ category: string; remaining: number; total: number }> };
  openWork: Array<{ state: string; label: string; n: number }>;
  markdown: string;
  /** The audit receipt at the report's making: `ringside audit verify --expect '<text>'` checks the log against it. */
  auditReceipt: string;
  /** The report's tables as CSV files (name → text). */
  tables: Record<string, string>;
}

const utc = (t: number) => `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 1000) / 10} %` : '–');
/**
 * A data value (site, ring, hostname, category) as Markdown text: HTML as entities and Markdown punctuation
 * backslash-escaped, so no tag, link, image, emphasis or table cell can come from an export's cell. The `:` of
 * `://` and the `.` of `www.` are escaped too, so renderers that autolink bare URLs leave a name as text.
 */
export const mdText = (s: string | number) =>
  String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]!|~]/g, '\\$&')
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/\b(www)\./gi, '$1\\.')
    .replace(/\r?\n|\r/g, ' ');
const cell = (s: string | number) => (typeof s === 'number' ? String(s) : mdText(s));

function mdTable(header: string[], rows: (string | number)[][]): string {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Key moments, from the summary tables and a few indexed look-ups: never a scan of the raw events. */
function timeline(ws: Workspace, s: SummaryEx, ch: ChartSeries): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  // With no window (none chosen, too few facts to derive one) the timeline claims no opening or closing time.
  if (s.window.start !== null && s.window.end !== null)
    out.push(
      { at: s.window.start, what: 'Bad content version goes live (exposure window opens).' },
      { at: s.window.end, what: 'Bad content reverted (exposure window closes).' },
    );
  let peak = { t: 0, n: 0 };
  for (const p of ch.crashTimeline.points) {
    let n = 0;
    for (const k of ch.crashTimeline.keys) n += p[k] ?? 0;
    if (n > peak.n) peak = { t: p.t, n };
  }
  // The first crash is the first crash fact's own time, not the start of its 15-minute bucket (a bucket starting at
  // 04:00 would put "first crashes" before the content went live at 04:09).
  for (const r of firstCrashes(ws)) out.push({ at: r.at, what: `First crash in ring ${r.ring}.` });
  if (peak.n) {
    const minutes = Math.round(ch.crashTimeline.bucketMs / 60_000);
    const from = new Date(peak.t).toISOString().slice(11, 16);
    out.push({
      at: peak.t,
      what: `Peak of new crashes: ${peak.n} devices in the ${minutes} minutes from ${from} UTC.`,
      bucket: true,
    });
  }
  const fix = deviceTable.fixRange(ws.db);
  if (fix?.first) out.push({ at: fix.first, what: 'First device fixed by hand.' });
  if (fix?.last && fix.last !== fix.first) out.push({ at: fix.last, what: 'Latest hands-on fix on file.' });
  const burn = ch.burnDownByRing;
  let maxDown = { t: 0, n: 0 };
  for (const p of burn.points) {
    const n = burn.keys.reduce((a, k) => a + (p[k] ?? 0), 0);
    if (n > maxDown.n) maxDown = { t: p.t, n };
  }
  if (maxDown.n) out.push({ at: maxDown.t, what: `Most devices down at once: ${maxDown.n}.` });
  if (s.asOf) out.push({ at: s.asOf, what: `Data time of this report: ${s.totals.remaining} devices still down.` });
  return out.sort((a, b) => a.at - b.at);
}

export function report(ws: Workspace, now = ws.now()): Report {
  const s = summary(ws);
  const ch = series(ws);
  const rules = stateRules(ws);
  const receipt = auditReceipt(ws.db, now).text;
  const critical = criticalDevices(ws, {}, 100);
  const tl = timeline(ws, s, ch);
  const t = s.totals;
  const openWork = (['needs_fix', 'needs_reimage', 'fix_in_progress', 'crashed'] as const).map((st) => ({
    state: st,
    label: STATE_LABEL[st],
    n: s.states[st],
  }));
  const countsHeader = ['devices', 'exposed', 'affected', 'recovered', 'fixed', 'remaining'];
  const countsOf = (c: typeof t) => [c.devices, c.exposed, c.affected, c.recovered, c.fixed, c.remaining];
  const ringRows = s.byRing.map((r) => [r.ring, ...countsOf(r)]);
  const siteRows = s.bySite.map((r) => [r.site, ...countsOf(r)]);
  const ttrRows = ch.timeToRecover.map((r) => [
    r.ring,
    r.n,
    r.medianHours ?? '–',
    r.p90Hours ?? '–',
    r.meanHours ?? '–',
  ]);
  const w = s.window;
  const day = w.start !== null ? utc(w.start).slice(0, 10) : 'exposure window not set';
  const live =
    w.start !== null && w.end !== null
      ? `A faulty content update was live from ${utc(w.start)} to ${utc(w.end).slice(11)} (exposure window ${w.text})`
      : `The exposure window is ${w.text}`;
  const md = [
    `# Postmortem draft: bad content update, ${day}`,
    '',
    `_Draft generated by Ringside on ${utc(now)} from workspace data as of ${s.asOf ? utc(s.asOf) : 'unknown'}. Edit before circulating._`,
    '',
    '## Summary',
    '',
    `${live}. Of ${t.devices} devices, ${t.exposed} (${pct(t.exposed, t.devices)}) were exposed and ${t.affected} (${pct(t.affected, t.exposed)} of exposed) crashed. ${t.recovered} recovered by themselves, ${t.fixed} were fixed by hand, and ${t.remaining} remain down (${s.states.needs_reimage} need a reimage).`,
    '',
    '## Impact by ring',
    '',
    mdTable(['ring', ...countsHeader], ringRows),
    '',
    '## Impact by site',
    '',
    mdTable(['site', ...countsHeader], siteRows),
    '',
    '## Timeline (UTC)',
    '',
    ...tl.map((e) => `- **${utc(e.at)}** — ${mdText(e.what)}`),
    '',
    '## Recovery',
    '',
    mdTable(['ring', 'back up', 'median h', 'p90 h', 'mean h'], ttrRows),
    '',
    '## Open work',
    '',
    mdTable(
      ['state', 'devices'],
      openWork.map((o) => [o.label, o.n]),
    ),
    '',
    critical.rows.length
      ? `Critical devices still down (first ${critical.rows.length}, most critical first):\n\n${mdTable(
          ['hostname', 'category', 'ring', 'site', 'state'],
          critical.rows.map((r) => [r.hostname, r.category, r.ring, r.site, STATE_LABEL[r.state]]),
        )}`
      : 'No critical device is still down.',
    '',
    '## Changes to the data',
    '',
    ...(() => {
      const log = changeLog(ws, 50);
      return log.length
        ? log.map((e) => `- **${utc(e.at)}** — ${e.label}: ${describeChanges(e.changes)}`)
        : ['No import or merge is recorded in the change log.'];
    })(),
    '',
    '## How states were decided',
    '',
    rules.exposure,
    '',
    ...rules.rules.map((r) => `- **${r.label}** (\`${r.state}\`): ${r.rule}`),
    '',
    '## Root cause, detection, lessons (to write)',
    '',
    '- Root cause:',
    '- How it was detected:',
    '- What went well:',
    '- What to change (ring sizes, content staging, key escrow, runbooks):',
    '',
    '## Audit receipt',
    '',
    "The audit log as it stood when this report was made; `ringside audit verify <workspace> --expect '<receipt>'` checks the log against it.",
    '',
    '`' + receipt + '`',
    '',
  ].join('\n');
  const stateRows = DEVICE_STATES.map((st) => [st, STATE_LABEL[st], s.states[st]]);
  return {
    title: `Incident report — ${day}`,
    generatedAt: now,
    summary: s,
    series: ch,
    rules,
    timeline: tl,
    critical,
    openWork,
    markdown: md,
    auditReceipt: receipt,
    tables: {
      'by-ring.csv': toCsv(['ring', ...countsHeader], ringRows),
      'by-site.csv': toCsv(['site', ...countsHeader], siteRows),
      'states.csv': toCsv(['state', 'label', 'devices'], stateRows),
      'time-to-recover.csv': toCsv(['ring', 'back_up', 'median_hours', 'p90_hours', 'mean_hours'], ttrRows),
      'critical-remaining.csv': toCsv(
        ['hostname', 'category', 'ring', 'site', 'state'],
        critical.rows.map((r) => [r.hostname, r.category, r.ring, r.site, r.state]),
      ),
      'timeline.csv': toCsv(
        ['at_utc', 'event'],
        tl.map((e) => [new Date(e.at).toISOString(), e.what]),
      ),
    },
  };
}
