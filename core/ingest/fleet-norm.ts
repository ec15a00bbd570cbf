// A fleet file's per-row normalisation (names, IDs, dates, ring, OS), pure: a reading thread's or the fleet writer's.
import type { SourceFormat } from '../contract/ingest.js';
import { REDACTED } from '../secrets/redact.js';
import { dateColumn } from './dates.js';
import type { Field } from './formats.js';
import {
  clean,
  excelMangled,
  normAid,
  normDeviceType,
  normGuid,
  normPlatform,
  normRing,
  normTags,
  ringFromLabel,
  shortName,
  shortNameKey,
  splitList,
} from './normalize.js';
import { CELL, cellValue, memo, NONE, noteRejects, sourceCells } from './norm-cells.js';
import type { RowNote } from './rows.js';

const RING_SOURCE: Partial<Record<SourceFormat, string>> = {
  falcon: 'falcon',
  intune: 'intune',
  defender: 'defender AvSignatureRing',
  configmgr: 'configmgr collection',
  fleet: 'fleet team',
  autopatch: 'autopatch',
};

/** What the normalisation of one file needs (plain data: it crosses to a reading thread in its ReadPlan). */
export interface FleetNormSpec {
  format: SourceFormat;
  /** Each field's cell in the rows as the writer gets them (its layout: compact rows or the file's). */
  cols: Record<Field, number>;
  /** The column names the problems name. */
  names: Record<'host' | 'aid' | 'entra' | 'intune' | 'serial' | 'first_seen' | 'last_seen', string>;
}

/** The string values of a normalised row, in this order (FleetNorm.cells). */
export const F = {
  hostname: 0,
  hostKey: 1,
  aid: 2,
  entra: 3,
  intune: 4,
  serial: 5,
  site: 6,
  ring: 7,
  ringSource: 8,
  platform: 9,
  osVersion: 10,
  deviceType: 11,
  agentVersion: 12,
  tags: 13,
  user: 14,
  model: 15,
} as const;
export const WIDTH = 16;

/** The field whose cell each value (F's order) most often is unchanged: a name, an ID, a version as exported. */
const SOURCE: (Field | null)[] = [
  'hostname',
  'hostname',
  'falcon_aid',
  'entra_id',
  'intune_id',
  'serial',
  'site',
  'ring',
  null,
  'platform',
  'os_version',
  'device_type',
  'agent_version',
  'tags',
  'user',
  'model',
];

/**
 * A batch normalised: typed arrays and each distinct string once, so it crosses between threads as a few buffers
 * and one short array rather than an object per row (see PackedRows).
 */
export interface FleetNorm {
  kind: 'fleet';
  strings: string[];
  /** Row r's value k (see F) is strings[cells[r * WIDTH + k]]: null for NONE, the row's own cell for CELL. */
  cells: Uint32Array;
  /** Row r's first seen at 2r, last seen at 2r + 1: epoch ms, NaN for none. */
  dates: Float64Array;
  /** 1 for a row with values here; 0 for one rejected (by its reader's note, or by a problem below). */
  ok: Uint8Array;
  /** The problems the rows raised, in the order raised (rows in order), each with its row's index in the batch. */
  problems: RowNote[];
}

/** The normalised value k of row r (`row`, its cells as the writer got them), or null. */
export function normValue(n: FleetNorm, r: number, k: number, row: string[], src: number[]): string | null {
  return cellValue(n, WIDTH, r, k, row, src);
}

/** Where each value's SOURCE cell is in the rows (-1: none). */
export function sourceColumns(spec: FleetNormSpec): number[] {
  return sourceCells(SOURCE, spec.cols);
}

/** A row's value is looked up among a column's earlier ones for this many rows, then only while they repeat. */
const TRIAL_ROWS = 64;

/**
 * Normalises one file's rows, batch after batch, in the file's order: its date columns keep what they learnt (a
 * day/month order, the flags raised so far) from one batch to the next, so one normaliser sees the whole file.
 * `shared`: strings repeated in a column are stored once (for a batch that crosses threads; else each is pushed).
 */
export class FleetNormaliser {
  private index = 0;
  private out: RowNote[] = [];
  private readonly first: ReturnType<typeof dateColumn>;
  private readonly last: ReturnType<typeof dateColumn>;
  private readonly src: number[];
  /** The row being normalised, and its values (F's order) and dates once it is. */
  private cur: string[] = [];
  private readonly v: (string | null)[] = new Array<string | null>(WIDTH).fill(null);
  private firstSeen: number | null = null;
  private lastSeen: number | null = null;
  /** The ring a ring column's label names. */
  private readonly ringOf = memo((s: string) => ringFromLabel(s) ?? normRing(s));
  /** The ring the first of a host-group cell's groups that names one names (null: none). */
  private readonly groupRing = memo((s: string) => {
    for (const g of splitList(s)) {
      const ring = ringFromLabel(g);
      if (ring) return ring;
    }
    return null;
  });
  /** A tags cell's tags as stored, and the ring the first tag that names one names (null: none). */
  private readonly tagsOf = memo((s: string) => {
    const items = splitList(s);
    let ring: string | null = null;
    for (const t of items) {
      ring = ringFromLabel(t.slice(t.lastIndexOf('/') + 1));
      if (ring) break;
    }
    return { ring, tags: normTags(items).join(',') };
  });
  private readonly platformOf = memo(normPlatform);
  private readonly deviceTypeOf = memo(normDeviceType);

  constructor(
    private readonly spec: FleetNormSpec,
    private readonly shared = false,
  ) {
    const sink = { flag: (_line: number, field: string, message: string) => this.raise(field, message) };
    this.first = dateColumn(spec.names.first_seen, sink);
    this.last = dateColumn(spec.names.last_seen, sink);
    this.src = sourceColumns(spec);
  }

  private raise(field: string, message: string, reject?: boolean): void {
    this.out.push(reject ? { index: this.index, field, message, reject } : { index: this.index, field, message });
  }

  /** The row's cell of field f, cleaned ('' when the file has no such column). */
  private get(f: Field): string {
    const c = this.spec.cols[f];
    return c >= 0 ? clean(this.cur[c]) : '';
  }

  /** The first `count` rows normalised; rows a reader's note rejects (`notes`, sorted by index) are skipped. */
  batch(rows: string[][], lines: ArrayLike<number>, count: number, notes?: readonly RowNote[]): FleetNorm {
    const cells = new Uint32Array(count * WIDTH).fill(NONE);
    const dates = new Float64Array(count * 2).fill(NaN);
    const ok = new Uint8Array(count);
    const strings: string[] = [];
    const seen: (Map<string, number> | null)[] = [];
    const fresh = new Array<number>(WIDTH).fill(0);
    for (let k = 0; k < WIDTH; k++) seen.push(this.shared ? new Map() : null);
    const { src, v } = this;
    this.out = [];
    const rejected = noteRejects(notes);
    for (let r = 0; r < count; r++) {
      if (rejected(r)) continue;
      this.index = r;
      const row = (this.cur = rows[r]!);
      if (!this.row(lines[r]!)) continue;
      ok[r] = 1;
      dates[2 * r] = this.firstSeen ?? NaN;
      dates[2 * r + 1] = this.lastSeen ?? NaN;
      for (let k = 0, p = r * WIDTH; k < WIDTH; k++, p++) {
        const x = v[k]!;
        if (x === null) continue;
        // Most values are their cell as read (a name, an ID): the writer has that string already.
        if (src[k]! >= 0 && x === row[src[k]!]) {
          cells[p] = CELL;
          continue;
        }
        const m = seen[k];
        let at = m?.get(x);
        if (at === undefined) {
          at = strings.length;
          strings.push(x);
          if (m) {
            m.set(x, at);
            // A column of distinct values stops being looked up once its trial shows it.
            if (++fresh[k]! * 2 > r + 1 && r >= TRIAL_ROWS) seen[k] = null;
          }
        }
        cells[p] = at;
      }
    }
    this.cur = [];
    return { kind: 'fleet', strings, cells, dates, ok, problems: this.out };
  }

  /** Normalises the current row into `v` and the dates; false when the row is rejected (its problem raised). */
  private row(line: number): boolean {
    const { cols: c, format, names } = this.spec;
    const v = this.v;
    // The host cell: the name, else a distinguished name (`CN=…`).
    const h = this.get('hostname');
    const hostRaw = !h && c.dn >= 0 && /^cn=/i.test(this.get('dn')) ? this.get('dn') : h;
    if (hostRaw.includes(REDACTED)) {
      this.raise(
        names.host,
        `the device name cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell`,
        true,
      );
      return false;
    }
    // The short name once: the device's name, and (upper case, cut) its key.
    const hostname = shortName(hostRaw);
    const hk = shortNameKey(hostname);
    if (!hk) {
      this.raise(names.host, 'no device name: the hostname cell is empty', true);
      return false;
    }
    let aid: string | null = null;
    const aidRaw = this.get('falcon_aid');
    if (aidRaw) {
      aid = normAid(aidRaw);
      if (!aid) {
        this.raise(names.aid, `"${aidRaw.slice(0, 40)}" is not a Falcon AID (32 hex digits)`, true);
        return false;
      }
    }
    let entra: string | null = null;
    const entraRaw = this.get('entra_id');
    if (entraRaw) {
      entra = normGuid(entraRaw);
      if (!entra && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(entraRaw)) {
        this.raise(names.entra, `"${entraRaw.slice(0, 40)}" is not a GUID`, true);
        return false;
      }
      if (entra === '00000000-0000-0000-0000-000000000000') entra = null;
    }
    let intune: string | null = null;
    const intuneRaw = this.get('intune_id');
    if (intuneRaw) {
      intune = normGuid(intuneRaw);
      if (!intune) {
        this.raise(names.intune, `"${intuneRaw.slice(0, 40)}" is not a GUID`, true);
        return false;
      }
    }
    const serial: string | null = this.get('serial') || null;
    if (serial && excelMangled(serial))
      this.raise(
        names.serial,
        `serial "${serial}" was turned into a number by a spreadsheet; not used to match devices`,
      );
    this.firstSeen = this.date(this.get('first_seen'), line, this.first, names.first_seen);
    this.lastSeen = this.date(this.get('last_seen'), line, this.last, names.last_seen);
    let ring: string | null = null;
    let ringSource: string | null = null;
    const ringCol = this.get('ring');
    if (ringCol) {
      ring = this.ringOf(ringCol);
      ringSource = RING_SOURCE[format] ?? `${format} ring column`;
    }
    const groups = this.get('groups');
    const tags = this.tagsOf(this.get('tags'));
    if (!ring && groups) {
      ring = this.groupRing(groups);
      if (ring) ringSource = `${format} host group`;
    }
    if (!ring) {
      ring = tags.ring;
      if (ring) ringSource = `${format} tag`;
    }
    let osVersion = this.get('os_version') || null;
    const build = this.get('os_build');
    if (build && osVersion && !osVersion.includes(build)) osVersion = `${osVersion} (${build})`;
    else if (build && !osVersion) osVersion = build;
    const platformRaw = this.get('platform');
    const platform = platformRaw ? this.platformOf(platformRaw) : osVersion ? this.platformOf(osVersion) : null;
    let deviceType = this.deviceTypeOf(this.get('device_type'));
    if (deviceType === null && platform === 'windows' && /server/i.test(osVersion ?? '')) deviceType = 'server';
    v[F.hostname] = hostname;
    v[F.hostKey] = hk;
    v[F.aid] = aid;
    v[F.entra] = entra;
    v[F.intune] = intune;
    v[F.serial] = serial;
    v[F.site] = this.get('site') || null;
    v[F.ring] = ring;
    v[F.ringSource] = ringSource;
    v[F.platform] = platform;
    v[F.osVersion] = osVersion;
    v[F.deviceType] = deviceType;
    v[F.agentVersion] = format === 'falcon' ? this.get('agent_version') || null : null;
    v[F.tags] = tags.tags;
    v[F.user] = this.get('user') || null;
    v[F.model] = this.get('model') || null;
    return true;
  }

  /** A date cell read by its column's reader; a cell that is not a date is flagged and left empty. */
  private date(v: string, line: number, read: ReturnType<typeof dateColumn>, field: string): number | null {
    if (!v) return null;
    const t = read(v, line);
    if (t !== null && Number.isNaN(t)) {
      this.raise(field, `"${v.slice(0, 40)}" is not a date; left empty`);
      return null;
    }
    return t;
  }
}
