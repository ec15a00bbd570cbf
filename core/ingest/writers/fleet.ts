// The fleet writer: device lists (Falcon, Intune, Entra, Defender, ConfigMgr…) resolved to one record per machine.
import { FleetStage, PausedTextTriggers } from '../../store/device-writes.js';
import { encodeRows, RawChunkWriter, saveHeader } from '../../store/raw-rows.js';
import { F, FleetNormaliser, normValue, sourceColumns, type FleetNorm, type FleetNormSpec } from '../fleet-norm.js';
import { problemReplay } from '../norm-cells.js';
import { usableRows, type RowBatch } from '../rows.js';
import type { BatchKeys, DeviceFacts } from '../identity.js';
import { colName, type Writer, type WriterContext } from './types.js';

/** The reader's notes on a batch's rows (a short or long row: see RowBatch). */
const notesOf = (rows: string[][]) => (rows as RowBatch).notes;

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
  const hostField = colName(ctx, 'hostname', 'hostname');
  // Each row's values are normalised by the reading thread when there is one (see ReadPlan.fleet), else here, by the
  // same code: this thread then only resolves identity and writes.
  const spec: FleetNormSpec = {
    format,
    cols: c,
    names: {
      host: hostField,
      aid: colName(ctx, 'falcon_aid', 'Host ID'),
      entra: colName(ctx, 'entra_id', 'device id'),
      intune: colName(ctx, 'intune_id', 'Device ID'),
      serial: colName(ctx, 'serial', 'serial'),
      first_seen: colName(ctx, 'first_seen', 'first_seen'),
      last_seen: colName(ctx, 'last_seen', 'last_seen'),
    },
  };
  const src = sourceColumns(spec);
  let own: FleetNormaliser | null = null;
  /** The batch's identity keys, read from the table in one join per key before any row is resolved (lookup mode). */
  const preload = (n: FleetNorm, rows: string[][], count: number) => {
    const keys: BatchKeys = { aid: [], entra: [], intune: [], serial: [], host: [] };
    for (let r = 0; r < count; r++) {
      // A rejected row asks for no device.
      if (!n.ok[r]) continue;
      const row = rows[r]!;
      keys.aid.push(normValue(n, r, F.aid, row, src));
      keys.entra.push(normValue(n, r, F.entra, row, src));
      keys.intune.push(normValue(n, r, F.intune, row, src));
      keys.serial.push(normValue(n, r, F.serial, row, src));
      keys.host.push(normValue(n, r, F.hostKey, row, src)!);
    }
    ctx.idx.preload(keys);
  };
  const w: Writer = {
    duplicates: 0,
    rawRows: true,
    fleet: spec,
    async write(rows, lines, count) {
      let ok = 0;
      const pre = (rows as RowBatch).norm;
      const n =
        pre?.kind === 'fleet' ? pre : (own ??= new FleetNormaliser(spec)).batch(rows, lines, count, notesOf(rows));
      if (ctx.idx.looksUp) preload(n, rows, count);
      // Encoded by the reading thread when there is one (its rows then hold only the columns read here).
      const enc = (rows as RowBatch).raw ?? (whole ? encodeRows(rows, lines, count) : null);
      if (!enc) throw new Error('compact rows came without their raw rows');
      const replay = problemReplay(n.problems, problems);
      let r = 0;
      let cells: string[] = [];
      const v = (k: number) => normValue(n, r, k, cells, src);
      for (const { row, line, index, note } of usableRows(rows, lines, count, problems)) {
        // The row's own problems, in the order its normalisation raised them; a rejected row has nothing else.
        replay(index, line);
        if (!n.ok[index]) continue;
        r = index;
        cells = row;
        const fs = n.dates[2 * index]!;
        const ls = n.dates[2 * index + 1]!;
        const lastSeen = Number.isNaN(ls) ? null : ls;
        const aid = v(F.aid);
        const entra = v(F.entra);
        const intune = v(F.intune);
        const serial = v(F.serial);
        const osVersion = v(F.osVersion);
        const ring = v(F.ring);
        const ringSource = v(F.ringSource);
        const facts: DeviceFacts = {
          hostname: v(F.hostname)!,
          hostKey: v(F.hostKey)!,
          aid,
          entra,
          intune,
          serial,
          site: v(F.site),
          ring,
          ringSource,
          platform: v(F.platform),
          osVersion,
          deviceType: v(F.deviceType),
          agentVersion: v(F.agentVersion),
          firstSeen: Number.isNaN(fs) ? null : fs,
          lastSeen,
          tags: v(F.tags)!,
          user: v(F.user),
          model: v(F.model),
        };
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
