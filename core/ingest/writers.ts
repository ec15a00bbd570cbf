// Row writers per import kind (fleet, keys, rollout): map a parsed record onto the schema, reject or flag with reasons.
import type { SourceFormat } from '../contract/ingest.js';
import { REDACTED } from '../secrets/redact.js';
import { FactInserts, ReviewInserts, RingUpdates } from '../store/device-writes.js';
import { EventInserts } from '../store/event-writes.js';
import { KeyInserts } from '../store/keys.js';
import { RawChunkWriter, saveHeader } from '../store/raw-rows.js';
import { SourceInserts } from '../store/sources.js';
import type { Workspace } from '../workspace.js';
import { rowNotes, type RowNote } from './csv.js';
import type { AsOf } from './as-of.js';
import { dateColumn } from './dates.js';
import type { Field } from './formats.js';
import type { DeviceFacts, DeviceIndex } from './identity.js';
import { keyProblem, normKeyId } from './keys.js';
import {
  clean,
  errorHex,
  excelMangled,
  hostKey,
  normAid,
  normDeviceType,
  normGuid,
  normPlatform,
  normRing,
  normTags,
  parseDate,
  ringFromLabel,
  shortName,
  splitList,
} from './normalize.js';

export interface Problems {
  /** The row is not imported. */
  reject(line: number, field: string, message: string): void;
  /** The row is imported, with a note about one value. */
  flag(line: number, field: string, message: string): void;
}

export interface WriterContext {
  ws: Workspace;
  importId: number;
  format: SourceFormat;
  header: string[];
  cols: Record<Field, number>;
  /** Every timestamp column present, in preference order (Autopatch: installed time, else last check-in). */
  tsCols: number[];
  idx: DeviceIndex;
  problems: Problems;
  /** The export's "as of" time, for rows without a time of their own (status reports with default columns). */
  asOf?: AsOf | null;
  /** Told once, after the last batch, how many rows took the "as of" time. */
  onAsOf?: (asOf: AsOf, rows: number) => void;
}

export interface Writer {
  /** Writes one batch; returns how many rows were imported. */
  write(rows: string[][], lines: number[], count: number): number | Promise<number>;
  /** Stores what the writer still holds (compressed raw rows); awaited before the import's savepoint ends. */
  finish?(): Promise<void>;
  duplicates: number;
  /** The export's "as of" time: the latest time a row carried (or the file's as-of time), for freshness. */
  asOf?: number | null;
  free(): void;
}

const colName = (ctx: WriterContext, f: Field, fallback: string) =>
  ctx.cols[f] >= 0 ? ctx.header[ctx.cols[f]]! : fallback;

const RING_SOURCE: Partial<Record<SourceFormat, string>> = {
  falcon: 'falcon',
  intune: 'intune',
  defender: 'defender AvSignatureRing',
  configmgr: 'configmgr collection',
  fleet: 'fleet team',
  autopatch: 'autopatch',
};

export function fleetWriter(ctx: WriterContext): Writer {
  const { cols: c, problems, header, format } = ctx;
  // The header is stored once for the import; the rows' cells go to raw_chunks, compressed (see raw.ts).
  saveHeader(ctx.ws, ctx.importId, header);
  const raw = new RawChunkWriter(ctx.ws, ctx.importId);
  const src = new SourceInserts(ctx.ws.db, ctx.importId, format);
  // Each row's facts (check-in, versions, ring) with the file and line they came from: the evidence model's input.
  const fact = new FactInserts(ctx.ws.db, ctx.importId, format);
  const get = (row: string[], f: Field) => (c[f] >= 0 ? clean(row[c[f]]) : '');
  const hostField = colName(ctx, 'hostname', 'hostname');
  const readers: Partial<Record<Field, ReturnType<typeof dateColumn>>> = {
    first_seen: dateColumn(colName(ctx, 'first_seen', 'first_seen'), problems),
    last_seen: dateColumn(colName(ctx, 'last_seen', 'last_seen'), problems),
  };
  const date = (row: string[], line: number, f: Field): number | null => {
    const v = get(row, f);
    if (!v) return null;
    const t = readers[f]!(v, line);
    if (t !== null && Number.isNaN(t)) {
      problems.flag(line, colName(ctx, f, f), `"${v.slice(0, 40)}" is not a date; left empty`);
      return null;
    }
    return t;
  };
  const review = new ReviewInserts(ctx.ws.db);
  const w: Writer = {
    duplicates: 0,
    async write(rows, lines, count) {
      let ok = 0;
      const notes = rowNotes(rows);
      for (let r = 0; r < count; r++) {
        const row = rows[r]!;
        const line = lines[r]!;
        const note = notes.at(r);
        if (note?.reject) {
          problems.reject(line, note.field, note.message);
          continue;
        }
        let hostRaw = get(row, 'hostname');
        if (!hostRaw && c.dn >= 0 && /^cn=/i.test(get(row, 'dn'))) hostRaw = get(row, 'dn');
        if (hostRaw.includes(REDACTED)) {
          problems.reject(
            line,
            hostField,
            `the device name cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell`,
          );
          continue;
        }
        const hk = hostKey(hostRaw);
        if (!hk) {
          problems.reject(line, hostField, 'no device name: the hostname cell is empty');
          continue;
        }
        let aid: string | null = null;
        const aidRaw = get(row, 'falcon_aid');
        if (aidRaw) {
          aid = normAid(aidRaw);
          if (!aid) {
            problems.reject(
              line,
              colName(ctx, 'falcon_aid', 'Host ID'),
              `"${aidRaw.slice(0, 40)}" is not a Falcon AID (32 hex digits)`,
            );
            continue;
          }
        }
        let entra: string | null = null;
        const entraRaw = get(row, 'entra_id');
        if (entraRaw) {
          entra = normGuid(entraRaw);
          if (!entra && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(entraRaw)) {
            problems.reject(line, colName(ctx, 'entra_id', 'device id'), `"${entraRaw.slice(0, 40)}" is not a GUID`);
            continue;
          }
          if (entra === '00000000-0000-0000-0000-000000000000') entra = null;
        }
        let intune: string | null = null;
        const intuneRaw = get(row, 'intune_id');
        if (intuneRaw) {
          intune = normGuid(intuneRaw);
          if (!intune) {
            problems.reject(line, colName(ctx, 'intune_id', 'Device ID'), `"${intuneRaw.slice(0, 40)}" is not a GUID`);
            continue;
          }
        }
        const serial: string | null = get(row, 'serial') || null;
        if (serial && excelMangled(serial)) {
          problems.flag(
            line,
            colName(ctx, 'serial', 'serial'),
            `serial "${serial}" was turned into a number by a spreadsheet; not used to match devices`,
          );
        }
        const firstSeen = date(row, line, 'first_seen');
        const lastSeen = date(row, line, 'last_seen');
        let ring: string | null = null;
        let ringSource: string | null = null;
        const ringCol = get(row, 'ring');
        if (ringCol) {
          ring = ringFromLabel(ringCol) ?? normRing(ringCol);
          ringSource = RING_SOURCE[format] ?? `${format} ring column`;
        }
        const groups = get(row, 'groups');
        const tagItems = splitList(get(row, 'tags'));
        if (!ring && groups) {
          for (const g of splitList(groups)) {
            ring = ringFromLabel(g);
            if (ring) {
              ringSource = `${format} host group`;
              break;
            }
          }
        }
        if (!ring) {
          for (const t of tagItems) {
            ring = ringFromLabel(t.slice(t.lastIndexOf('/') + 1));
            if (ring) {
              ringSource = `${format} tag`;
              break;
            }
          }
        }
        let osVersion = get(row, 'os_version') || null;
        const build = get(row, 'os_build');
        if (build && osVersion && !osVersion.includes(build)) osVersion = `${osVersion} (${build})`;
        else if (build && !osVersion) osVersion = build;
        const platformRaw = get(row, 'platform');
        const facts: DeviceFacts = {
          hostname: shortName(hostRaw),
          hostKey: hk,
          aid,
          entra,
          intune,
          serial,
          site: get(row, 'site') || null,
          ring,
          ringSource,
          platform: platformRaw ? normPlatform(platformRaw) : osVersion ? normPlatform(osVersion) : null,
          osVersion,
          deviceType: normDeviceType(get(row, 'device_type')),
          agentVersion: format === 'falcon' ? get(row, 'agent_version') || null : null,
          firstSeen,
          lastSeen,
          tags: normTags(tagItems).join(','),
          user: get(row, 'user') || null,
          model: get(row, 'model') || null,
        };
        if (facts.deviceType === null && facts.platform === 'windows' && /server/i.test(osVersion ?? ''))
          facts.deviceType = 'server';
        const res = ctx.idx.upsert(facts);
        src.add(res.id, line, aid ?? intune ?? entra ?? serial);
        raw.add(line, row);
        if (res.ambiguous) {
          // Before the flag: recording the flag inserts a row too, and last_insert_rowid() must be the source row.
          review.add(res.id, ctx.importId, line, res.ambiguous);
          problems.flag(line, hostField, `${res.ambiguous}; listed for review`);
        }
        const at = lastSeen ?? ctx.asOf?.at ?? null;
        const asOfFlag = lastSeen === null && at !== null ? 1 : 0;
        if (lastSeen !== null) {
          fact.add(res.id, 'seen', 'last_seen', colName(ctx, 'last_seen', 'last seen'), lastSeen, 0, line);
          if (w.asOf == null || lastSeen > w.asOf) w.asOf = lastSeen;
        }
        if (facts.agentVersion) fact.add(res.id, 'version', 'sensor', facts.agentVersion, at, asOfFlag, line);
        if (osVersion) fact.add(res.id, 'version', 'os', osVersion, at, asOfFlag, line);
        if (ring) fact.add(res.id, 'ring', ringSource ?? format, ring, at, asOfFlag, line);
        if (note) problems.flag(line, note.field, note.message);
        ok++;
      }
      await raw.drain();
      return ok;
    },
    finish: () => raw.finish(),
    free() {
      src.free();
      fact.free();
      review.free();
      raw.free();
    },
  };
  return w;
}

/** Event kinds the analysis understands; vendor synonyms map onto them. */
const KINDS = new Set([
  'offered',
  'received',
  'downloading',
  'installing',
  'installed',
  'restart_required',
  'crashed',
  'rebooted',
  'recovered',
  'fixed',
  'failed',
  'paused',
  'rolled_back',
  'online',
]);
const KIND_ALIAS: Record<string, string> = {
  rolledback: 'rolled_back',
  rollback: 'rolled_back',
  restartrequired: 'restart_required',
  pendingrestart: 'restart_required',
  succeeded: 'installed',
  success: 'installed',
  error: 'failed',
  bugcheck: 'crashed',
  crash: 'crashed',
  reboot: 'rebooted',
};

export function normKind(raw: string): string | null {
  const s = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (KINDS.has(s)) return s;
  return KIND_ALIAS[s.replace(/_/g, '')] ?? null;
}

/** Bugcheck code from an event message or Event 41 data: `0x00000050` (1001) or decimal `BugcheckCode 80` (41). */
function bugcheck(text: string): string | null {
  let m = /bug ?check[^0-9]*?(0x[0-9a-f]+)/i.exec(text);
  if (m)
    return (
      '0x' +
      m[1]!
        .slice(2)
        .replace(/^0+(?=.)/, '')
        .toUpperCase()
    );
  m = /BugcheckCode\D{0,5}(\d+)/i.exec(text);
  if (m && m[1] !== '0') return '0x' + Number(m[1]).toString(16).toUpperCase();
  return null;
}

/** Vendor states onto event kinds: WUfB substates, ConfigMgr EnforcementState, Autopatch status, event IDs. */
export function vendorKind(
  format: SourceFormat,
  raw: string,
  detail: string,
): { kind: string | null; detail: string | null } {
  const s = raw.trim();
  if (format === 'events') {
    const code = bugcheck(detail);
    if (s === '1001')
      return { kind: 'crashed', detail: code ? `BugCheck ${code} (event 1001)` : 'bugcheck (event 1001)' };
    if (s === '41')
      return code
        ? { kind: 'crashed', detail: `BugCheck ${code} (event 41)` }
        : { kind: 'rebooted', detail: 'unclean restart (event 41)' };
    if (s === '6008') return { kind: 'rebooted', detail: 'unexpected shutdown (event 6008)' };
    return { kind: null, detail: null };
  }
  if (format === 'configmgr' && /^\d+$/.test(s)) {
    const n = Number(s);
    const kind =
      n >= 1000 && n < 2000
        ? 'installed'
        : n === 2003 || n === 2004
          ? 'restart_required'
          : n >= 2000 && n < 3000
            ? 'installing'
            : n >= 5000 && n < 6000
              ? 'failed'
              : n >= 3000 && n < 5000
                ? 'offered'
                : null;
    return { kind, detail: `EnforcementState ${n}` };
  }
  const direct = normKind(s);
  if (direct) return { kind: direct, detail: null };
  const l = s.toLowerCase();
  // "Not up to date" (Autopatch) before "up to date": it means offered and not yet installed.
  const kind = /fail|error|cancel/.test(l)
    ? 'failed'
    : /not up ?to ?date/.test(l)
      ? 'offered'
      : /roll ?back|uninstall/.test(l)
        ? 'rolled_back'
        : /paus/.test(l)
          ? 'paused'
          : /reboot|restart/.test(l)
            ? 'restart_required'
            : /installed|complete|up to date|uptodate|success|commit/.test(l)
              ? 'installed'
              : /install/.test(l)
                ? 'installing'
                : /download|offer|progress|pending|scheduled|waiting|received/.test(l)
                  ? 'offered'
                  : /warning|informational/.test(l)
                    ? 'offered'
                    : null;
  return { kind, detail: null };
}

export function rolloutWriter(ctx: WriterContext): Writer {
  const { cols: c, problems, format } = ctx;
  const ins = new EventInserts(ctx.ws.db, ctx.importId);
  // Errors name the file's own columns: the first time column it has, else its first column.
  const tsField = colName(ctx, 'ts', ctx.tsCols.length ? ctx.header[ctx.tsCols[0]!]! : '(no time column)');
  let asOfRows = 0;
  let maxTs: number | null = null;
  // One date reader per timestamp column, so a flag names the column the value came from.
  const tsCols = ctx.tsCols.map((i) => ({
    i,
    field: ctx.header[i] ?? tsField,
    read: dateColumn(ctx.header[i] ?? tsField, problems),
  }));
  const stateField = colName(ctx, 'state', 'state');
  const get = (row: string[], f: Field) => (c[f] >= 0 ? clean(row[c[f]]) : '');
  const params: (string | number | null)[] = new Array(11);
  const ringSet = format === 'autopatch' || format === 'configmgr' ? new RingUpdates(ctx.ws.db, format) : null;
  // Event logs repeat a few states, rings and host names millions of times: normalise each distinct value once.
  const kinds = new Map<string, string | null>();
  const rings = new Map<string, string | null>();
  const hosts = new Map<string, string>();
  const kindOf = (raw: string) => {
    let k = kinds.get(raw);
    if (k === undefined) kinds.set(raw, (k = normKind(raw)));
    return k;
  };
  const ringOf = (raw: string) => {
    let r = rings.get(raw);
    if (r === undefined) rings.set(raw, (r = ringFromLabel(raw) ?? normRing(raw)));
    return r;
  };
  const hostKeyOf = (raw: string) => {
    let h = hosts.get(raw);
    if (h === undefined) {
      // Bounded: a log over a million machines would otherwise keep every name.
      if (hosts.size >= 200_000) hosts.clear();
      hosts.set(raw, (h = hostKey(raw)));
    }
    return h;
  };
  const w: Writer = {
    duplicates: 0,
    write(rows, lines, count) {
      let ok = 0;
      const notes = rowNotes(rows);
      for (let r = 0; r < count; r++) {
        const row = rows[r]!;
        const line = lines[r]!;
        const note = notes.at(r);
        if (note?.reject) {
          problems.reject(line, note.field, note.message);
          continue;
        }
        let tsRaw = '';
        let ts: number | null = null;
        let tsAt = tsField;
        let rowAsOf = 0;
        for (const t of tsCols) {
          tsRaw = clean(row[t.i]);
          if (!tsRaw) continue;
          ts = t.read(tsRaw, line);
          tsAt = t.field;
          break;
        }
        if (ts === null && ctx.asOf) {
          // A status report row says how the device stood when the report was exported.
          ts = ctx.asOf.at;
          rowAsOf = 1;
          asOfRows++;
        }
        if (ts === null || Number.isNaN(ts)) {
          problems.reject(
            line,
            tsAt,
            tsRaw
              ? `"${tsRaw.slice(0, 40)}" is not a date`
              : ctx.tsCols.length
                ? 'the time is empty, and no "as of" time was found for the file (in its name, a banner or its modified time)'
                : 'the file has no time column, and no "as of" time was found for it (in its name, a banner or its modified time)',
          );
          continue;
        }
        const stateRaw = get(row, 'state');
        let kind: string | null;
        let vendorDetail: string | null = null;
        if (format === 'rollout' || format === 'generic') kind = kindOf(stateRaw);
        else {
          const v = vendorKind(format, stateRaw, get(row, 'detail'));
          kind = v.kind;
          vendorDetail = v.detail;
        }
        if (!kind) {
          problems.reject(
            line,
            stateField,
            stateRaw ? `unknown state "${stateRaw.slice(0, 40)}"` : 'the state is empty',
          );
          continue;
        }
        const key = get(row, 'device_key');
        const hostRaw = get(row, 'hostname');
        const hk = hostRaw ? hostKeyOf(hostRaw) : '';
        if (!key && !hk) {
          problems.reject(
            line,
            colName(ctx, 'hostname', colName(ctx, 'device_key', '(no device column)')),
            'no device: the device name and ID cells are empty',
          );
          continue;
        }
        const deviceId = ctx.idx.lookup(key || null, hk);
        const ringRaw = deviceId !== null && ringSet ? get(row, 'ring') : '';
        // Autopatch's ring is the update ring itself and wins; a ConfigMgr phase collection fills a missing ring.
        if (ringRaw) ringSet!.set(deviceId!, ringOf(ringRaw));
        let detail = vendorDetail ?? (get(row, 'detail') || null);
        if (detail && detail.length > 300) detail = detail.slice(0, 300);
        const errRaw = get(row, 'error');
        if (errRaw) {
          const hex = errorHex(errRaw);
          if (hex) detail = detail ? `${detail} (error ${hex})` : `error ${hex}`;
        }
        params[0] = deviceId;
        params[1] = hk || null;
        params[2] = ts;
        params[3] = kind;
        params[4] = ringOf(get(row, 'ring'));
        params[5] = get(row, 'source') || format;
        params[6] = get(row, 'package') || null;
        params[7] = get(row, 'version_to') || get(row, 'version_from') || null;
        params[8] = detail;
        params[9] = line;
        params[10] = rowAsOf;
        ins.add(params);
        if (maxTs === null || ts > maxTs) maxTs = ts;
        if (note) problems.flag(line, note.field, note.message);
        ok++;
      }
      return ok;
    },
    finish() {
      if (asOfRows && ctx.asOf) ctx.onAsOf?.(ctx.asOf, asOfRows);
      w.asOf = maxTs;
      return Promise.resolve();
    },
    free() {
      ins.free();
      ringSet?.free();
    },
  };
  return w;
}

/** The device a key belongs to, from its hint: an Entra device id, a hostname, or an AD DN (of the key object or the computer). */
export function keyHostHint(hint: string): { key: string | null; hostKey: string } {
  const g = normGuid(hint);
  if (g) return { key: g, hostKey: '' };
  let h = hint.trim();
  // msFVE-RecoveryInformation DN: CN=<time>{GUID},CN=PC-0142,OU=… — the computer is the parent.
  if (/^cn=[^,]*\{[0-9a-f-]{36}\}/i.test(h)) h = h.slice(h.search(/,cn=/i) + 1);
  return { key: null, hostKey: hostKey(h) };
}

const SEAL_BATCH = 128;

export function keysWriter(ctx: WriterContext): Writer {
  const { cols: c, problems, ws } = ctx;
  const ins = new KeyInserts(ws.db, ctx.importId);
  const idField = colName(ctx, 'key_id', 'KeyID');
  const keyField = colName(ctx, 'key', 'RecoveryKey');
  const get = (row: string[], f: Field) => (c[f] >= 0 ? clean(row[c[f]]) : '');
  const w: Writer = {
    duplicates: 0,
    async write(rows, lines, count) {
      const todo: {
        line: number;
        keyId: string;
        pw: string;
        hint: string;
        vol: string | null;
        created: number | null;
        note: RowNote | null;
      }[] = [];
      const notes = rowNotes(rows);
      for (let r = 0; r < count; r++) {
        const row = rows[r]!;
        const line = lines[r]!;
        const note = notes.at(r);
        if (note?.reject) {
          problems.reject(line, note.field, note.message);
          continue;
        }
        const idRaw = get(row, 'key_id');
        const keyId = normKeyId(idRaw);
        if (!keyId) {
          problems.reject(
            line,
            idField,
            idRaw.includes(REDACTED)
              ? `the key ID cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell`
              : idRaw
                ? `"${idRaw.slice(0, 60)}" is not a key ID (GUID)`
                : 'the key ID is empty',
          );
          continue;
        }
        const pw = get(row, 'key');
        if (!pw) {
          problems.reject(line, keyField, 'the recovery password is empty');
          continue;
        }
        let hint = get(row, 'key_host');
        // AD exports: the object name holds the ID; the DN names the computer.
        if (!hint && c.dn >= 0) hint = get(row, 'dn');
        if (hint.includes(REDACTED)) {
          // A password where the device should be (a shifted row): no device hint rather than a redacted one.
          problems.flag(
            line,
            colName(ctx, c.key_host >= 0 ? 'key_host' : 'dn', 'device'),
            `the device cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell, so the key is not linked to a device`,
          );
          hint = '';
        }
        const createdRaw = get(row, 'created');
        const created = createdRaw ? parseDate(createdRaw) : null;
        todo.push({
          line,
          keyId,
          pw,
          hint,
          vol: get(row, 'volume_type') || null,
          created: created !== null && !Number.isNaN(created) ? created : null,
          note,
        });
      }
      // A few hundred WebCrypto calls in flight at a time: thousands queued at once cost more CPU per call.
      const sealed: [Uint8Array, string][] = [];
      for (let i = 0; i < todo.length; i += SEAL_BATCH) {
        const part = todo.slice(i, i + SEAL_BATCH);
        sealed.push(
          ...(await Promise.all(part.map((t) => Promise.all([ws.box.seal(t.pw), ws.box.fingerprint(t.pw)])))),
        );
      }
      let ok = 0;
      todo.forEach((t, i) => {
        const problem = keyProblem(t.pw);
        const h = t.hint ? keyHostHint(t.hint) : { key: null, hostKey: '' };
        const deviceId = t.hint ? ctx.idx.lookup(h.key, h.hostKey) : null;
        const [secret, fp] = sealed[i]!;
        const added = ins.add([
          deviceId,
          t.keyId,
          t.hint || null,
          secret,
          fp,
          problem ? 0 : 1,
          problem,
          t.vol,
          t.created,
          t.line,
        ]);
        if (!added) {
          w.duplicates++;
        } else if (problem) {
          problems.flag(t.line, keyField, `invalid recovery password, flagged and never corrected: ${problem}`);
        }
        if (t.note) problems.flag(t.line, t.note.field, t.note.message);
        ok++;
      });
      // Drop the plaintext passwords as soon as they are sealed.
      todo.length = 0;
      return ok;
    },
    free() {
      ins.free();
    },
  };
  return w;
}
