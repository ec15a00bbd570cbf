// The rollout writer: update and crash events (status reports, event logs), each linked to its device when known.
import { EventInserts } from '../../store/event-writes.js';
import { RingUpdates } from '../../store/device-writes.js';
import { dateColumn } from '../dates.js';
import type { Field } from '../formats.js';
import { clean, errorHex, hostKey, normRing, ringFromLabel } from '../normalize.js';
import { usableRows } from '../rows.js';
import { normKind, vendorKind } from './event-kinds.js';
import { colName, type Writer, type WriterContext } from './types.js';

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
      for (const { row, line, note } of usableRows(rows, lines, count, problems)) {
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
        if (deviceId !== null) ctx.touched?.add(deviceId);
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
