// Technician-mode helpers: the wall clock for event stamps, UTC times, and the latest result per device.
import type { ResultRecord } from '../../../core/field/format.js';

/** Wall-clock time for event stamps (a named helper: results are stamped when the technician acts, not at render). */
export function clock(): number {
  return Date.now();
}

export function fmt(t: number): string {
  return new Date(t).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function latestByDevice(records: ResultRecord[]): Map<number, ResultRecord> {
  const m = new Map<number, ResultRecord>();
  for (const r of records) {
    const cur = m.get(r.deviceId);
    if (!cur || r.at >= cur.at) m.set(r.deviceId, r);
  }
  return m;
}
