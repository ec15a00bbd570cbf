// The fleet writer: device lists (Falcon, Intune, Entra, Defender, ConfigMgr…) resolved to one record per machine.
import type { SourceFormat } from '../../contract/ingest.js';
import { REDACTED } from '../../secrets/redact.js';
import { FleetStage, PausedTextTriggers } from '../../store/device-writes.js';
import { encodeRows, RawChunkWriter, saveHeader } from '../../store/raw-rows.js';
import { dateColumn } from '../dates.js';
import type { Field } from '../formats.js';
import {
  clean,
  excelMangled,
  hostKey,
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
} from '../normalize.js';
import { usableRows, type RowBatch } from '../rows.js';
import type { BatchKeys, DeviceFacts } from '../identity.js';
import { colName, type Writer, type WriterContext } from './types.js';

const RING_SOURCE: Partial<Record<SourceFormat, string>> = {
  falcon: 'falcon',
  intune: 'intune',
  defender: 'defender AvSignatureRing',
  configmgr: 'configmgr collection',
  fleet: 'fleet team',
  autopatch: 'autopatch',
};

export function fleetWriter(ctx: WriterContext): Writer {
  const { cols: c, problems, format } = ctx;
  // The header is stored once for the import; the rows' cells go to raw_chunks, compressed (see raw.ts).
  saveHeader(ctx.ws, ctx.importId, ctx.fileHeader);
  // Compact rows (a reading thread's) hold only the cells read here: their raw rows must come encoded with them.
  const whole = ctx.header === ctx.fileHeader;
  const raw = new RawChunkWriter(ctx.ws, ctx.importId);
  // Each row's source row, review item and facts (check-in, versions, ring) with the file and line they came from
  // (the evidence model's input), written together at the end of the batch.
  // The search-index triggers are off while the file writes devices (each device write would otherwise pay for a
  // statement journal); the chunks they would have marked are marked at the end (see PausedTextTriggers).
  ctx.idx.takeTextDirty();
  const paused = new PausedTextTriggers(ctx.ws.db);
  // New devices go in many to a statement: written before the batch's source rows (which refer to them).
  ctx.idx.deferInserts();
  const stage = new FleetStage(ctx.ws.db, ctx.importId, format, colName(ctx, 'last_seen', 'last seen'));
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
  /** A fleet row's host cell: the name, else a distinguished name (`CN=…`). */
  const hostCell = (row: string[]) => {
    const h = get(row, 'hostname');
    return !h && c.dn >= 0 && /^cn=/i.test(get(row, 'dn')) ? get(row, 'dn') : h;
  };
  /** The batch's identity keys, read from the table in one join per key before any row is resolved (lookup mode). */
  const preload = (rows: string[][], count: number) => {
    const keys: BatchKeys = { aid: [], entra: [], intune: [], serial: [], host: [] };
    const id = (row: string[], f: Field, norm: (v: string) => string | null) => {
      const v = get(row, f);
      return v ? norm(v) : null;
    };
    for (let r = 0; r < count; r++) {
      const row = rows[r]!;
      keys.aid.push(id(row, 'falcon_aid', normAid));
      keys.entra.push(id(row, 'entra_id', normGuid));
      keys.intune.push(id(row, 'intune_id', normGuid));
      keys.serial.push(get(row, 'serial') || null);
      keys.host.push(hostKey(hostCell(row)));
    }
    ctx.idx.preload(keys);
  };
  const w: Writer = {
    duplicates: 0,
    rawRows: true,
    async write(rows, lines, count) {
      let ok = 0;
      if (ctx.idx.looksUp) preload(rows, count);
      // Encoded by the reading thread when there is one (its rows then hold only the columns read here).
      const enc = (rows as RowBatch).raw ?? (whole ? encodeRows(rows, lines, count) : null);
      if (!enc) throw new Error('compact rows came without their raw rows');
      for (const { row, line, index, note } of usableRows(rows, lines, count, problems)) {
        const hostRaw = hostCell(row);
        if (hostRaw.includes(REDACTED)) {
          problems.reject(
            line,
            hostField,
            `the device name cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell`,
          );
          continue;
        }
        // The short name once: the device's name, and (upper case, cut) its key.
        const hostname = shortName(hostRaw);
        const hk = shortNameKey(hostname);
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
          hostname,
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
        raw.add(line, enc, index);
        if (res.ambiguous) problems.flag(line, hostField, `${res.ambiguous}; listed for review`);
        const at = lastSeen ?? ctx.asOf?.at ?? null;
        if (lastSeen !== null && (w.asOf == null || lastSeen > w.asOf)) w.asOf = lastSeen;
        ctx.touched?.add(res.id);
        stage.add({
          deviceId: res.id,
          line,
          nativeId: aid ?? intune ?? entra ?? serial,
          review: res.ambiguous,
          lastSeen,
          at,
          asOf: lastSeen === null && at !== null ? 1 : 0,
          sensor: facts.agentVersion || null,
          os: osVersion || null,
          ring: ring || null,
          ringType: ring ? (ringSource ?? format) : null,
        });
        if (note) problems.flag(line, note.field, note.message);
        ok++;
      }
      ctx.idx.flushInserts();
      stage.flush();
      await raw.drain();
      return ok;
    },
    async finish() {
      await raw.finish();
      paused.resume(ctx.idx.takeTextDirty());
    },
    free() {
      stage.free();
      raw.free();
    },
  };
  return w;
}
