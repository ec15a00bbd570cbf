// A tracker diff's changes as journalled actions; kept apart from the workbook code so the UI bundle does not carry SheetJS.
import type { Action } from '../contract/actions.js';
import type { TrackerDiff } from './tracker.js';

/** The journalled actions that apply a diff's changes (one device.result each, like a result set in the console). */
export function trackerActions(diff: TrackerDiff, at: number): Action[] {
  return diff.changes.map((c) => ({
    type: 'device.result' as const,
    deviceId: c.deviceId,
    result: c.to,
    method: 'tracker',
    at,
    ...(c.technician ? { technician: c.technician } : {}),
    notes: `from ${diff.file}, row ${c.row}${c.notes ? `: ${c.notes}` : ''}`,
  }));
}
