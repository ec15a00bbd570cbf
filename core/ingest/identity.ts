// Identity resolution: one device row per real machine, matched on stable IDs first, the normalised hostname last.
import type { Db } from '../store/db.js';
import { DeviceWrites, eachDeviceIdentity, MERGE_COLS } from '../store/device-writes.js';
import { mergeTags } from './normalize.js';

/** One source row's view of a device, already normalised. */
export interface DeviceFacts {
  hostname: string;
  hostKey: string;
  aid: string | null;
  entra: string | null;
  intune: string | null;
  serial: string | null;
  site: string | null;
  ring: string | null;
  ringSource: string | null;
  platform: string | null;
  osVersion: string | null;
  deviceType: string | null;
  agentVersion: string | null;
  firstSeen: number | null;
  lastSeen: number | null;
  tags: string;
  user: string | null;
  model: string | null;
}

export interface Resolution {
  id: number;
  created: boolean;
  /** Set when the record is a stale duplicate (reimaged machine) linked to the current record. */
  supersededBy: number | null;
  /** A hostname-only match that the user should confirm (reported, not blocking). */
  ambiguous: string | null;
}

/** Serials that many machines share (VM templates, OEM placeholders) never identify a device. */
const JUNK_SERIAL =
  /^(0+|none|null|n\/?a|unknown|default string|to be filled by o\.?e\.?m\.?|system serial number|123456789|-)$/i;

export function usableSerial(s: string | null): string | null {
  if (!s) return null;
  const t = s.trim();
  if (t.length < 4 || JUNK_SERIAL.test(t) || /^\d(\.\d+)?E\+\d+$/i.test(t)) return null;
  return t.toUpperCase();
}

/** COALESCE in JS: a value on file is kept, an empty one is filled. */
function fill(cur: (string | number | null)[], next: (string | number | null)[], i: number, v: string | number | null) {
  if (cur[i] === null && v !== null) next[i] = v;
}

/** In-memory maps from every stable ID and live host key to a device id, loaded once per import. */
export class DeviceIndex {
  readonly aid = new Map<string, number>();
  readonly entra = new Map<string, number>();
  readonly intune = new Map<string, number>();
  readonly serial = new Map<string, number>();
  /** host key -> the live (not superseded) device with that name. */
  readonly host = new Map<string, number>();
  nextId = 1;
  private readonly writes: DeviceWrites;

  constructor(db: Db) {
    this.writes = new DeviceWrites(db);
    eachDeviceIdentity(db, (r) => {
      const id = r[0];
      if (r[2]) this.aid.set(r[2], id);
      if (r[3]) this.entra.set(r[3], id);
      if (r[4]) this.intune.set(r[4], id);
      if (r[6] === null) {
        const s = usableSerial(r[5]);
        if (s) this.serial.set(s, id);
        if (r[1]) this.host.set(r[1], id);
      }
      if (id >= this.nextId) this.nextId = id + 1;
    });
  }

  /** Finds the device for a row without changing anything (events and keys). */
  lookup(key: string | null, hostKey: string): number | null {
    if (key) {
      const k = key.toLowerCase();
      const byId = this.aid.get(k) ?? this.entra.get(k) ?? this.intune.get(k) ?? this.serial.get(key.toUpperCase());
      if (byId !== undefined) return byId;
    }
    if (hostKey) return this.host.get(hostKey) ?? null;
    return null;
  }

  /** Resolves a fleet row to a device, inserting or merging; returns the device id. */
  upsert(f: DeviceFacts): Resolution {
    let id: number | undefined;
    if (f.aid) id = this.aid.get(f.aid);
    if (id === undefined && f.entra) id = this.entra.get(f.entra);
    if (id === undefined && f.intune) id = this.intune.get(f.intune);
    const serial = usableSerial(f.serial);
    let ambiguous: string | null = null;
    let cand: number | undefined;
    let viaHost = false;
    let row: (string | number | null)[] | null = null;
    if (id === undefined && serial) cand = this.serial.get(serial);
    if (id === undefined && cand === undefined && f.hostKey) {
      cand = this.host.get(f.hostKey);
      viaHost = cand !== undefined;
    }
    if (cand !== undefined) {
      row = this.writes.fetchRow(cand);
      const m = {
        aid: row[0] as string | null,
        entra: row[1] as string | null,
        intune: row[2] as string | null,
        serial: row[3] as string | null,
        lastSeen: row[12] as number | null,
      };
      const conflict =
        (f.aid && m.aid && f.aid !== m.aid) ||
        (f.entra && m.entra && f.entra !== m.entra) ||
        (f.intune && m.intune && f.intune !== m.intune);
      if (!conflict) {
        id = cand;
        if (viaHost && serial && usableSerial(m.serial) && usableSerial(m.serial) !== serial)
          ambiguous = `matched ${f.hostname} by name only, but the serial numbers differ`;
      } else {
        // Same machine (name or serial), different stable ID: a reimaged machine's old record, or the new one.
        // The record seen most recently is the current one; the other is linked to it.
        const newId = this.insertRow(f);
        const newer = (f.lastSeen ?? -Infinity) > (m.lastSeen ?? -Infinity);
        if (newer) {
          this.writes.supersedeBy(newId, cand);
          if (f.hostKey) this.host.set(f.hostKey, newId);
          if (serial) this.serial.set(serial, newId);
          return { id: newId, created: true, supersededBy: null, ambiguous: null };
        }
        this.writes.markSuperseded(newId, cand);
        return { id: newId, created: true, supersededBy: cand, ambiguous: null };
      }
    }
    if (id === undefined) {
      const newId = this.insertRow(f);
      if (f.hostKey) this.host.set(f.hostKey, newId);
      if (serial) this.serial.set(serial, newId);
      return { id: newId, created: true, supersededBy: null, ambiguous };
    }
    this.mergeRow(id, f, row);
    return { id, created: false, supersededBy: null, ambiguous };
  }

  /** Takes a stable ID for device `id` unless another device already holds it (that would break uniqueness). */
  private own(m: Map<string, number>, v: string | null, id: number): string | null {
    if (!v) return null;
    const o = m.get(v);
    if (o !== undefined && o !== id) return null;
    m.set(v, id);
    return v;
  }

  private insertRow(f: DeviceFacts): number {
    const id = this.nextId++;
    this.writes.insertRow([
      id,
      f.hostname,
      f.hostKey,
      f.aid,
      f.entra,
      f.intune,
      f.serial,
      f.site,
      f.ring,
      f.ring ? f.ringSource : null,
      f.platform,
      f.osVersion,
      f.deviceType,
      f.agentVersion,
      f.firstSeen,
      f.lastSeen,
      f.tags,
      f.user,
      f.model,
    ]);
    if (f.aid) this.aid.set(f.aid, id);
    if (f.entra) this.entra.set(f.entra, id);
    if (f.intune) this.intune.set(f.intune, id);
    return id;
  }

  private mergeRow(id: number, f: DeviceFacts, fetched: (string | number | null)[] | null): void {
    const aid = this.own(this.aid, f.aid, id);
    const entra = this.own(this.entra, f.entra, id);
    const intune = this.own(this.intune, f.intune, id);
    const cur = fetched ?? this.writes.fetchRow(id);
    // The merge rules: a value already on file wins, except the widest first/last seen span and the union of tags.
    const next = cur.slice();
    fill(cur, next, 0, aid);
    fill(cur, next, 1, entra);
    fill(cur, next, 2, intune);
    fill(cur, next, 3, f.serial);
    fill(cur, next, 4, f.site);
    if (cur[5] === null && f.ring !== null) {
      next[5] = f.ring;
      next[6] = f.ringSource;
    }
    fill(cur, next, 7, f.platform);
    fill(cur, next, 8, f.osVersion);
    fill(cur, next, 9, f.deviceType);
    fill(cur, next, 10, f.agentVersion);
    if (f.firstSeen !== null && (cur[11] === null || f.firstSeen < (cur[11] as number))) next[11] = f.firstSeen;
    if (f.lastSeen !== null && (cur[12] === null || f.lastSeen > (cur[12] as number))) next[12] = f.lastSeen;
    if (f.tags) next[13] = mergeTags((cur[13] as string | null) ?? '', f.tags);
    fill(cur, next, 14, f.user);
    fill(cur, next, 15, f.model);
    // Only the columns that change are written: every column in SET costs its indexes an update.
    const changed: number[] = [];
    for (let i = 0; i < MERGE_COLS.length; i++) if (next[i] !== cur[i]) changed.push(i);
    if (changed.length) this.writes.updateCols(id, changed, next);
    const s = usableSerial(f.serial);
    if (s && !this.serial.has(s)) this.serial.set(s, id);
  }

  free(): void {
    this.writes.free();
  }
}
