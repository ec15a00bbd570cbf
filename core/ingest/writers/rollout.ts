// The rollout writer: update and crash events (status reports, event logs), each linked to its device when known.
import { EventInserts } from '../../store/event-writes.js';
import { RingUpdates } from '../../store/device-writes.js';
import { RING_SOURCES } from '../../store/facts.js';
import { dateColumn } from '../dates.js';
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
  // The events inserted, and those the fact sync stores a ring fact for (its RING_ROW): noted for the batch's end.
  let inserted = 0;
  let ringRows = 0;
  // One date reader per timestamp column, so a flag names the column the value came from.
  const tsCols = ctx.tsCols.map((i) => ({
    i,
    field: ctx.header[i] ?? tsField,
    read: dateColumn(ctx.header[i] ?? tsField, problems),
  }));
  const stateField = colName(ctx, 'state', 'state');
  // The columns read on every row, found once (a cell of a column the file lacks reads as '').
  const {
    state: cState,
    detail: cDetail,
    device_key: cKey,
    hostname: cHost,
    ring: cRing,
    source: cSource,
    package: cPackage,
    version_to: cTo,
    version_from: cFrom,
    error: cError,
  } = c;
  const cell = (row: string[], i: number) => (i >= 0 ? clean(row[i]) : '');
  const params: (string | number | null)[] = new Array(11);
  const ringSet = format === 'autopatch' || format === 'configmgr' ? new RingUpdates(ctx.ws.db, format) : null;
  // Event logs repeat a few states and rings millions of times: normalise each distinct value once.
  const kinds = new Map<string, string | null>();
  const rings = new Map<string, string | null>();
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
  // The device of the last row written, by the cells that named it (the index does not change under an event file).
  let lastKey: string | null = null;
  let lastHost = '';
  let lastHk = '';
  let lastDevice: number | null = null;
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
        const stateRaw = cell(row, cState);
        let kind: string | null;
        let vendorDetail: string | null = null;
        if (format === 'rollout' || format === 'generic') kind = kindOf(stateRaw);
        else {
          const v = vendorKind(format, stateRaw, cell(row, cDetail));
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
        const key = cell(row, cKey);
        const hostRaw = cell(row, cHost);
        let hk: string;
        let deviceId: number | null;
        if (key === lastKey && hostRaw === lastHost) {
          // A log lists a device's events together: the row names the device the one before it did.
          hk = lastHk;
          deviceId = lastDevice;
        } else {
          // Not looked up in a map of the names seen: a log lists a device's rows together, so nearly every name
          // is new here, and hashing it into a map of 100,000s cost more than the key itself (also in a log
          // ordered by time).
          hk = hostRaw ? hostKey(hostRaw) : '';
          if (!key && !hk) {
            problems.reject(
              line,
              colName(ctx, 'hostname', colName(ctx, 'device_key', '(no device column)')),
              'no device: the device name and ID cells are empty',
            );
            continue;
          }
          deviceId = ctx.idx.lookup(key || null, hk);
          if (deviceId !== null) ctx.touched?.add(deviceId);
          lastKey = key;
          lastHost = hostRaw;
          lastHk = hk;
          lastDevice = deviceId;
        }
        const ringCell = cell(row, cRing);
        // Autopatch's ring is the update ring itself and wins; a ConfigMgr phase collection fills a missing ring.
        if (ringCell && deviceId !== null && ringSet) ringSet.set(deviceId, ringOf(ringCell));
        let detail = vendorDetail ?? (cell(row, cDetail) || null);
        if (detail && detail.length > 300) detail = detail.slice(0, 300);
        const errRaw = cell(row, cError);
        if (errRaw) {
          const hex = errorHex(errRaw);
          if (hex) detail = detail ? `${detail} (error ${hex})` : `error ${hex}`;
        }
        params[0] = deviceId;
        params[1] = hk || null;
        params[2] = ts;
        params[3] = kind;
        params[4] = ringOf(ringCell);
        params[5] = cell(row, cSource) || format;
        params[6] = cell(row, cPackage) || null;
        params[7] = cell(row, cTo) || cell(row, cFrom) || null;
        params[8] = detail;
        params[9] = line;
        params[10] = rowAsOf;
        ins.add(params);
        inserted++;
        const ring = params[4];
        if (typeof ring === 'string' && ring !== '' && RING_SOURCES.includes(params[5])) ringRows++;
        if (maxTs === null || ts > maxTs) maxTs = ts;
        if (note) problems.flag(line, note.field, note.message);
        ok++;
      }
      return ok;
    },
    finish() {
      ins.flush();
      if (asOfRows && ctx.asOf) ctx.onAsOf?.(ctx.asOf, asOfRows);
      w.asOf = maxTs;
      w.events = { rows: inserted, rings: ringRows };
      return Promise.resolve();
    },
    free() {
      ins.free();
      ringSet?.free();
    },
  };
  return w;
}
