// Identity resolution: one device row per real machine, matched on stable IDs first, the normalised hostname last.
import type { Db } from '../store/db.js';
import { DeviceKeyLookup, eachDeviceIdentity, maxDeviceId, type IdentityKey } from '../store/device-keys.js';
import { DeviceWrites, MERGE_COLS } from '../store/device-writes.js';
import { usableSerial } from '../shared/serial.js';
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

// The serial rule lives in core/shared so the store can apply it too (devices.serial_key, migration 26).
export { usableSerial };

/** COALESCE in JS: a value on file is kept, an empty one is filled. */
function fill(cur: (string | number | null)[], next: (string | number | null)[], i: number, v: string | number | null) {
  if (cur[i] === null && v !== null) next[i] = v;
}

/**
 * One identity key's map (an ID, a serial, a host key) to a device id. Mapped, the whole map is loaded from the
 * devices table when the import starts; looked up, each key is read from the table's index the first time it is asked
 * for and remembered. Either way the import's own changes are set here, so both give what the loaded map would: see
 * DeviceIndex for why a read from the table stays equal to the loaded map's entry.
 */
export class KeyMap {
  private readonly m = new Map<string, number | undefined>();
  /**
   * The last key asked for and its answer: a merge asks for a row's key again (to own it, or to see who holds its
   * serial) right after finding the device by it, and a lookup in a map of a million keys costs a cache miss or two.
   */
  private lastKey: string | null = null;
  private lastVal: number | undefined = undefined;
  /** probe: the key's devices in the table now (lookup mode), or null when every entry is loaded (map mode). */
  constructor(readonly probe: DeviceKeyLookup | null) {}
  get(k: string): number | undefined {
    if (k === this.lastKey) return this.lastVal;
    let v = this.m.get(k);
    // An empty key is never mapped (a loaded map skips it), though devices without a name are on file.
    if (v === undefined && this.probe && k && !this.m.has(k)) {
      v = this.probe.get(k);
      this.m.set(k, v);
    }
    this.lastKey = k;
    this.lastVal = v;
    return v;
  }
  has(k: string): boolean {
    return this.get(k) !== undefined;
  }
  set(k: string, id: number): void {
    this.m.set(k, id);
    if (k === this.lastKey) this.lastVal = id;
  }
  /** Keys known to lead to a device (lookup mode: only those read so far). */
  get size(): number {
    let n = 0;
    for (const v of this.m.values()) if (v !== undefined) n++;
    return n;
  }
  /** Remembers the table's answers for many keys at once: one indexed join for a batch (lookup mode only). */
  preload(keys: Iterable<string>): void {
    if (!this.probe) return;
    const want = [...new Set(keys)].filter((k) => k && !this.m.has(k));
    if (!want.length) return;
    const found = this.probe.many(want);
    for (const k of want) this.m.set(k, found.get(k));
  }
}

/** The identity keys of a batch of rows, as DeviceFacts carries them (serial raw). */
export interface BatchKeys {
  aid: (string | null)[];
  entra: (string | null)[];
  intune: (string | null)[];
  serial: (string | null)[];
  host: string[];
}

/**
 * Maps from every stable ID and live host key to a device id, for one import.
 *
 * Mapped (the default): loaded whole when the import starts. Looked up (`lookup: true`, for a small import into a
 * large workspace): nothing is loaded; keys are read from the devices table's indexes (a batch's keys in one join per
 * key, see preload) and remembered. The two agree because a key's answer in the table only changes through a write
 * this class makes, and before each such write the keys it could move are either set here (as the map is) or read
 * and remembered first (a device becoming superseded leaves its name and serial to it, as a loaded map still does).
 */
export class DeviceIndex {
  readonly aid: KeyMap;
  readonly entra: KeyMap;
  readonly intune: KeyMap;
  readonly serial: KeyMap;
  /** host key -> the live (not superseded) device with that name. */
  readonly host: KeyMap;
  nextId = 1;
  private readonly writes: DeviceWrites;
  /** Lookup mode: the devices table's indexes answer keys not yet known (see KeyMap). */
  readonly looksUp: boolean;

  constructor(
    private readonly db: Db,
    opts: { lookup?: boolean } = {},
  ) {
    this.writes = new DeviceWrites(db, usableSerial);
    this.looksUp = !!opts.lookup;
    const writes = this.writes;
    const by = (key: IdentityKey) =>
      new KeyMap(this.looksUp ? new DeviceKeyLookup(db, key, () => writes.flushInserts()) : null);
    this.aid = by('aid');
    this.entra = by('entra');
    this.intune = by('intune');
    this.serial = by('serial');
    this.host = by('host');
    if (this.looksUp) {
      this.nextId = maxDeviceId(db) + 1;
      return;
    }
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

  /**
   * Reads a batch's keys from the table in one indexed join per key (lookup mode; in map mode each KeyMap has no probe
   * and reads nothing), before the batch writes anything: the rows then resolve from memory, by the same rules as one
   * at a time.
   */
  preload(k: BatchKeys): void {
    const present = (v: (string | null)[]) => v.filter((x): x is string => !!x);
    this.aid.preload(present(k.aid));
    this.entra.preload(present(k.entra));
    this.intune.preload(present(k.intune));
    this.serial.preload(present(k.serial.map(usableSerial)));
    this.host.preload(present(k.host));
  }

  /**
   * New devices wait to be written many to a statement (DeviceWrites.deferInserts): for a fleet writer, which calls
   * flushInserts before anything outside this index reads the devices table (its batch's source rows, the file's end).
   */
  deferInserts(): void {
    this.writes.deferInserts();
  }

  /** Writes the device inserts still waiting (see deferInserts). */
  flushInserts(): void {
    this.writes.flushInserts();
  }

  /** The search chunks this index's writes marked since the last call (see DeviceWrites.takeTextDirty). */
  takeTextDirty(): Set<number> {
    return this.writes.takeTextDirty();
  }

  /** Finds the device for a row without changing anything (events and keys). */
  lookup(key: string | null, hostKey: string): number | null {
    if (key) {
      const k = key.toLowerCase();
      const byId = this.aid.get(k) ?? this.entra.get(k) ?? this.intune.get(k) ?? this.serial.get(key.toUpperCase());
      if (byId !== undefined) return byId;
    }
    // An empty name finds nothing: KeyMap never maps the empty key.
    return this.host.get(hostKey) ?? null;
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
        const newId = this.insertRow(f, serial);
        const newer = (f.lastSeen ?? -Infinity) > (m.lastSeen ?? -Infinity);
        if (newer) {
          // The old record stops being live: the name and serial that led to it keep leading to it (read them now).
          this.keepLiveKeys(cand, m.serial);
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
      const newId = this.insertRow(f, serial);
      if (f.hostKey) this.host.set(f.hostKey, newId);
      if (serial) this.serial.set(serial, newId);
      return { id: newId, created: true, supersededBy: null, ambiguous };
    }
    this.mergeRow(id, f, row, serial);
    return { id, created: false, supersededBy: null, ambiguous };
  }

  /** Takes a stable ID for device `id` unless another device already holds it (that would break uniqueness). */
  private own(m: KeyMap, v: string | null, id: number): string | null {
    if (!v) return null;
    const o = m.get(v);
    if (o !== undefined && o !== id) return null;
    if (o === undefined) m.set(v, id);
    return v;
  }

  /** `serial`: usableSerial(f.serial), worked out once by the caller. */
  private insertRow(f: DeviceFacts, serial: string | null): number {
    const id = this.nextId++;
    this.writes.insertRow(
      [
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
      ],
      serial,
    );
    if (f.aid) this.aid.set(f.aid, id);
    if (f.entra) this.entra.set(f.entra, id);
    if (f.intune) this.intune.set(f.intune, id);
    return id;
  }

  private mergeRow(id: number, f: DeviceFacts, fetched: (string | number | null)[] | null, s: string | null): void {
    const aid = this.own(this.aid, f.aid, id);
    const entra = this.own(this.entra, f.entra, id);
    const intune = this.own(this.intune, f.intune, id);
    // Of the columns the merge only fills in, the row holds 1 for a value on file (see DeviceWrites.fetchRow).
    const cur = fetched ?? this.writes.fetchRow(id);
    // The merge rules: a value already on file wins, except the widest first/last seen span and the union of tags.
    const next = cur.slice();
    fill(cur, next, 0, aid);
    fill(cur, next, 1, entra);
    fill(cur, next, 2, intune);
    fill(cur, next, 3, f.serial);
    // A serial filled in makes the device answer for it: the serial's device before this write is read first (when
    // no serial is filled in, reading it changes nothing, as no write here moves it).
    const serialOwner = s ? this.serial.get(s) : undefined;
    fill(cur, next, 4, f.site);
    if (cur[5] === null && f.ring !== null) {
      next[5] = f.ring;
      // Written even when it equals the source on file (which the row does not hold): the same value again.
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
    // A serial written is the row's own (filled in where there was none): its key is `s`.
    if (changed.length) this.writes.updateCols(id, changed, next, s);
    // Nothing above moves the serial's device: the read before the write still answers.
    if (s && serialOwner === undefined) this.serial.set(s, id);
  }

  /**
   * Before device `id` is superseded: its host key's and serial's current devices, remembered (lookup mode; a loaded
   * map has them already, so there the reads change nothing).
   */
  private keepLiveKeys(id: number, serial: string | null): void {
    const hk = this.writes.hostKeyOf(id);
    if (hk) this.host.get(hk);
    const s = usableSerial(serial);
    if (s) this.serial.get(s);
  }

  free(): void {
    this.writes.free();
    for (const m of [this.aid, this.entra, this.intune, this.serial, this.host]) m.probe?.free();
  }
}
