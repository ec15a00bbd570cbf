// The ambiguous-match review list: joins made on the hostname alone that the user confirms or splits apart.
import { recompute } from '../analysis/recompute.js';
import { audit, type Workspace } from '../workspace.js';
import { resolveColumns, SPECS } from './formats.js';
import { normAid, normGuid } from './normalize.js';
import { RawReader } from '../store/raw-rows.js';
import {
  clearStableId,
  closeReviewItem,
  deviceName,
  insertSplitDevice,
  openReviewRows,
  reviewItem,
  type StableIdColumn,
} from '../store/review.js';
import { moveSource, sourceById } from '../store/sources.js';

export interface ReviewItem {
  id: number;
  deviceId: number;
  hostname: string;
  reason: string;
  importId: number | null;
  file: string | null;
  line: number | null;
  source: string | null;
  /** The source row as imported (header -> text). */
  raw: Record<string, string> | null;
}

export function reviewList(ws: Workspace, opts: { limit?: number } = {}): ReviewItem[] {
  const reader = new RawReader(ws);
  return openReviewRows(ws.db, Math.min(opts.limit ?? 200, 1000)).map((r) => ({
    id: r.id,
    deviceId: r.device_id,
    hostname: r.hostname,
    reason: r.reason,
    importId: r.import_id,
    file: r.file_name,
    line: r.line,
    source: r.source,
    raw: r.raw !== null && r.src_import !== null ? reader.row(r.src_import, r.src_line!, r.raw) : null,
  }));
}

/**
 * Confirms a join, or splits the source row off into its own device: the stable IDs that row brought
 * move with it, so the two machines no longer share a record.
 */
export async function resolveReview(
  ws: Workspace,
  id: number,
  action: 'confirm' | 'split',
): Promise<{ deviceId: number; newDeviceId: number | null }> {
  const item = reviewItem(ws.db, id);
  if (!item) throw new Error(`no review item ${id}`);
  if (item.status !== 'open') throw new Error(`review item ${id} is already ${item.status}`);
  let newId: number | null = null;
  await ws.db.txAsync(async () => {
    if (action === 'split' && item.source_id !== null) {
      const src = sourceById(ws.db, item.source_id)!;
      const raw = new RawReader(ws).row(src.import_id, src.line, src.raw);
      const names = Object.keys(raw);
      const spec = SPECS.find((s) => s.format === src.source);
      const ids = {
        falcon_aid: null as string | null,
        entra_id: null as string | null,
        intune_id: null as string | null,
      };
      if (spec) {
        const c = resolveColumns(spec, names);
        const v = (i: number) => (i >= 0 ? (raw[names[i]!] ?? '') : '');
        ids.falcon_aid = normAid(v(c.falcon_aid));
        ids.entra_id = normGuid(v(c.entra_id));
        ids.intune_id = normGuid(v(c.intune_id));
      }
      const dev = deviceName(ws.db, item.device_id)!;
      for (const [col, val] of Object.entries(ids))
        if (val) clearStableId(ws.db, item.device_id, col as StableIdColumn, val);
      newId = insertSplitDevice(ws.db, { hostname: dev.hostname, host_key: dev.host_key, ...ids });
      // The row's facts (check-in, versions, ring) go with it: they are read from the source row in place (migration 40).
      moveSource(ws.db, item.source_id, newId);
    }
    closeReviewItem(ws.db, id, action === 'split' ? 'split' : 'confirmed', ws.now());
    if (newId !== null) recompute(ws);
    await audit(ws, 'identity-review', { item: id, action, deviceId: item.device_id, newDeviceId: newId });
  });
  return { deviceId: item.device_id, newDeviceId: newId };
}
