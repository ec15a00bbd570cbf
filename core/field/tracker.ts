// The recovery tracker: a site's or ring's devices as an XLSX the war room edits, and its edits read back as a diff of field results.
import * as XLSX from '@e965/xlsx';
import type { DeviceResult } from '../contract/actions.js';
import { STATE_LABEL } from '../analysis/rules.js';
import { writeWorkbook } from '../analysis/workbook.js';
import { FileError } from '../ingest/errors.js';
import { sniffWorkbook } from '../ingest/readers/xlsx-sniff.js';
import { ZipArchive } from '../ingest/readers/zip-archive.js';
import { trackerDeviceLookup, trackerRows } from '../store/tracker.js';
import type { Workspace } from '../workspace.js';

/** The results a technician may set in the tracker's Result column (its drop-down list). */
export const TRACKER_RESULTS: readonly DeviceResult[] = [
  'fixed',
  'in_progress',
  'failed',
  'needs_reimage',
  'not_found',
  'deferred',
];

export const TRACKER_SHEET = 'Tracker';
export const TRACKER_HEADER = [
  'Device #',
  'Hostname',
  'Site',
  'Ring',
  'State now',
  'Result',
  'Technician',
  'Notes',
  'BitLocker key IDs',
  'Serial',
] as const;
const COL = Object.fromEntries(TRACKER_HEADER.map((h, i) => [h, i])) as Record<(typeof TRACKER_HEADER)[number], number>;
/** Marks the About sheet's first cell: the workbook is a tracker, to be read as results and not as a fleet export. */
const MARK = 'Ringside recovery tracker';
/**
 * The most rows a tracker holds and an import reads (one per device): writing costs about 7 KiB per row, and a site
 * or ring of a million-device fleet fits.
 */
const MAX_TRACKER_ROWS = 200_000;

export interface TrackerScope {
  site?: string;
  ring?: string;
}

const scopeText = (s: TrackerScope) =>
  [s.site ? `site ${s.site}` : null, s.ring ? `ring ${s.ring}` : null].filter(Boolean).join(', ') || 'all devices';

/** The scope's devices as an XLSX tracker: frozen header, filters, Result as a drop-down, key IDs (never keys). */
export function exportTracker(
  ws: Workspace,
  scope: TrackerScope = {},
): { name: string; bytes: Uint8Array; rows: number } {
  const rows = trackerRows(ws.db, scope);
  if (rows.length > MAX_TRACKER_ROWS)
    throw new Error(
      `${scopeText(scope)} holds ${rows.length} devices; a tracker holds at most ${MAX_TRACKER_ROWS}: choose a site or a ring`,
    );
  const now = ws.now();
  const bytes = writeWorkbook([
    {
      name: TRACKER_SHEET,
      header: [...TRACKER_HEADER],
      rows: rows.map((r) => [
        r.id,
        r.hostname,
        r.site ?? '',
        r.ring ?? '',
        STATE_LABEL[r.state] ?? r.state,
        r.result ?? '',
        r.technician ?? '',
        r.notes ?? '',
        r.key_ids ?? '',
        r.serial ?? '',
      ]),
      widths: [9, 22, 12, 12, 18, 15, 16, 40, 42, 16],
      freezeHeader: true,
      filter: true,
      lists: [
        {
          column: COL.Result,
          values: TRACKER_RESULTS,
          prompt: 'Set the result of the hands-on fix; leave empty when nothing changed.',
        },
      ],
    },
    {
      name: 'About',
      header: [MARK],
      rows: [
        [`Scope: ${scopeText(scope)}; ${rows.length} devices`],
        [`Exported ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')} UTC by ${ws.actor}`],
        ['Edit Result (drop-down), Technician and Notes on the Tracker sheet; do not change Device # or Hostname.'],
        [
          'Import the file back in Ringside (Import view, or `ringside import`): you see every change before it applies.',
        ],
        ['The recovery passwords are not in this file: only the key IDs, to look a key up in Ringside.'],
        [`Results: ${TRACKER_RESULTS.join(', ')}`],
      ],
      widths: [110],
    },
  ]);
  const slug = (scope.site ?? scope.ring ?? 'all').replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40);
  return { name: `recovery-tracker-${slug}.xlsx`, bytes, rows: rows.length };
}

export interface TrackerChange {
  /** The sheet row (1-based) it came from. */
  row: number;
  deviceId: number;
  hostname: string;
  /** The latest field result before (null: none), and the device's state now. */
  from: string | null;
  state: string;
  to: DeviceResult;
  technician: string | null;
  notes: string | null;
}

export interface TrackerDiff {
  file: string;
  rows: number;
  changes: TrackerChange[];
  unchanged: number;
  /** Rows not applied: the device or the value is unknown (listed, never guessed). */
  problems: Array<{ row: number; hostname: string; reason: string }>;
}

/** Whether these bytes are a Ringside tracker (an XLSX whose About sheet carries the mark). */
export function isTracker(bytes: Uint8Array): boolean {
  try {
    if (sniffWorkbook(bytes, 'file') !== 'xlsx') return false;
    const wb = XLSX.read(bytes, { type: 'array', dense: true, sheets: 'About', sheetRows: 1, cellText: false });
    const a1 = (wb.Sheets.About?.['!data'] as XLSX.CellObject[][] | undefined)?.[0]?.[0]?.v;
    return a1 === MARK;
  } catch {
    return false;
  }
}

const RESULT_WORDS: Record<string, DeviceResult> = Object.fromEntries(
  TRACKER_RESULTS.flatMap((r) => [
    [r, r],
    [r.replace(/_/g, ' '), r],
  ]),
);

const cellText = (c: XLSX.CellObject | undefined): string =>
  c === undefined || c.v === undefined || c.v === null ? '' : String(c.v).trim();
/** The export's guard against formulas put a ' before some text: it is not part of the value. */
const unguard = (s: string) => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);

/** Reads a tracker back and compares it with the workspace: nothing is changed here. */
export function trackerDiff(ws: Workspace, bytes: Uint8Array, fileName: string): TrackerDiff {
  sniffWorkbook(bytes, fileName);
  // The ZIP limits apply before SheetJS inflates anything: a tracker is a workbook from outside.
  new ZipArchive(bytes, fileName);
  let wb: XLSX.WorkBook;
  try {
    wb = XLSX.read(bytes, {
      type: 'array',
      dense: true,
      sheets: TRACKER_SHEET,
      cellText: false,
      cellFormula: false,
      cellStyles: false,
      sheetRows: MAX_TRACKER_ROWS + 1,
    });
  } catch (e) {
    throw new FileError(`${fileName}: the workbook cannot be read (${(e as Error).message})`, '(file)', 0);
  }
  const sheet = wb.Sheets[TRACKER_SHEET];
  if (!sheet)
    throw new FileError(`${fileName} has no "${TRACKER_SHEET}" sheet: it is not a Ringside tracker`, '(sheet)', 0);
  const data = (sheet['!data'] as (XLSX.CellObject[] | undefined)[] | undefined) ?? [];
  const head = (data[0] ?? []).map(cellText);
  const col = (h: string) => head.findIndex((x) => x.toLowerCase() === h.toLowerCase());
  const idC = col('Device #');
  const hostC = col('Hostname');
  const resC = col('Result');
  const techC = col('Technician');
  const notesC = col('Notes');
  if (idC < 0 || hostC < 0 || resC < 0)
    throw new FileError(
      `${fileName}, sheet "${TRACKER_SHEET}": the header lacks ${[idC < 0 && 'Device #', hostC < 0 && 'Hostname', resC < 0 && 'Result'].filter(Boolean).join(', ')}`,
      '(header)',
      1,
    );
  const diff: TrackerDiff = { file: fileName, rows: 0, changes: [], unchanged: 0, problems: [] };
  const device = trackerDeviceLookup(ws.db);
  const seen = new Set<number>();
  try {
    for (let r = 1; r < data.length; r++) {
      const cells = data[r];
      if (!cells) continue;
      const host = unguard(cellText(cells[hostC]));
      const idText = cellText(cells[idC]);
      const res = unguard(cellText(cells[resC]));
      if (!host && !idText && !res) continue;
      diff.rows++;
      const row = r + 1;
      const problem = (reason: string) => diff.problems.push({ row, hostname: host, reason });
      if (!/^\d{1,15}$/.test(idText)) {
        problem(idText ? `Device # "${idText.slice(0, 20)}" is not a device number from Ringside` : 'no Device #');
        continue;
      }
      const id = Number(idText);
      const d = device.get(id);
      if (d.hostname === undefined) {
        problem(`no device #${id} in this workspace`);
        continue;
      }
      if (d.hostname.toLowerCase() !== host.toLowerCase()) {
        problem(`device #${id} is ${d.hostname} in this workspace, not "${host.slice(0, 40)}"`);
        continue;
      }
      if (d.superseded_by) {
        problem(`device #${id} was merged into another record since the export`);
        continue;
      }
      if (seen.has(id)) {
        problem(`device #${id} is listed twice; only its first row is read`);
        continue;
      }
      seen.add(id);
      if (!res) {
        diff.unchanged++;
        continue;
      }
      const to = RESULT_WORDS[res.toLowerCase()];
      if (!to) {
        problem(`Result "${res.slice(0, 40)}" is not one of ${TRACKER_RESULTS.join(', ')}`);
        continue;
      }
      if (to === d.result) {
        diff.unchanged++;
        continue;
      }
      const tech = techC >= 0 ? unguard(cellText(cells[techC])) : '';
      const notes = notesC >= 0 ? unguard(cellText(cells[notesC])) : '';
      diff.changes.push({
        row,
        deviceId: id,
        hostname: d.hostname,
        from: d.result ?? null,
        state: d.state ?? '',
        to,
        technician: tech ? tech.slice(0, 200) : null,
        notes: notes ? notes.slice(0, 2000) : null,
      });
    }
  } finally {
    device.free();
  }
  return diff;
}
