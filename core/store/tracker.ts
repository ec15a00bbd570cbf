// Named queries for the XLSX recovery tracker: the rows it is written from, and the per-device check on the way back.
import type { DeviceState } from '../contract/analysis.js';
import type { Db } from './db.js';

export interface TrackerRow {
  id: number;
  hostname: string;
  site: string | null;
  ring: string | null;
  state: DeviceState;
  serial: string | null;
  result: string | null;
  technician: string | null;
  notes: string | null;
  key_ids: string | null;
}

/** Current devices of a site and/or ring with the result that counts and their key IDs, by site, ring, hostname. */
export function trackerRows(db: Db, scope: { site?: string; ring?: string }): TrackerRow[] {
  const where = ['d.superseded_by IS NULL'];
  const args: (string | number)[] = [];
  if (scope.site) {
    where.push('d.site = ?');
    args.push(scope.site);
  }
  if (scope.ring) {
    where.push('COALESCE(d.ring_override, d.ring) = ?');
    args.push(scope.ring);
  }
  return db.all<TrackerRow>(
    `SELECT d.id, d.hostname, d.site, COALESCE(d.ring_override, d.ring) AS ring, d.state, d.serial,
            r.result, r.technician, r.notes,
            (SELECT group_concat(k.key_id, ', ') FROM keys k WHERE k.device_id = d.id) AS key_ids
       FROM devices d
       LEFT JOIN results r ON r.id = (SELECT id FROM results x WHERE x.device_id = d.id ORDER BY x.at DESC, x.id DESC LIMIT 1)
      WHERE ${where.join(' AND ')}
      ORDER BY d.site, ring, d.hostname`,
    args,
  );
}

export interface TrackerDevice {
  hostname?: string;
  state?: string;
  superseded_by?: number | null;
  result?: string | null;
}

/** One prepared lookup for a whole tracker file: a device's name, state, successor and current result; free() after. */
export function trackerDeviceLookup(db: Db): { get(id: number): TrackerDevice; free(): void } {
  const st = db.prepare(
    `SELECT d.hostname, d.state, d.superseded_by,
            (SELECT result FROM results r WHERE r.device_id = d.id ORDER BY r.at DESC, r.id DESC LIMIT 1) AS result
       FROM devices d WHERE d.id = ?`,
  );
  return {
    get(id) {
      const d = st.getAsObject([id]) as TrackerDevice;
      st.reset();
      return d;
    },
    free: () => st.free(),
  };
}
