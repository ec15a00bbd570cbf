// The ambiguous-match review list: joins made on the hostname alone that the user confirms or splits apart.
import { recompute } from '../analysis/recompute.js';
import { audit, type Workspace } from '../workspace.js';
import { resolveColumns, SPECS } from './formats.js';
import { normAid, normGuid } from './normalize.js';
import { RawReader } from '../store/raw-rows.js';

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
  return ws.db
    .all<{
      id: number;
      device_id: number;
      hostname: string;
      reason: string;
      import_id: number | null;
      file_name: string | null;
      line: number | null;
      source: string | null;
      raw: string | null;
      src_import: number | null;
      src_line: number | null;
    }>(
      `SELECT r.id, r.device_id, d.hostname, r.reason, r.import_id, i.file_name, r.line, s.source, s.raw,
              s.import_id AS src_import, s.line AS src_line
         FROM identity_review r JOIN devices d ON d.id = r.device_id
         LEFT JOIN imports i ON i.id = r.import_id LEFT JOIN device_sources s ON s.id = r.source_id
        WHERE r.status = 'open' ORDER BY r.id LIMIT ?`,
      [Math.min(opts.limit ?? 200, 1000)],
    )
    .map((r) => ({
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
  const item = ws.db.get<{ device_id: number; source_id: number | null; status: string }>(
    'SELECT device_id, source_id, status FROM identity_review WHERE id = ?',
    [id],
  );
  if (!item) throw new Error(`no review item ${id}`);
  if (item.status !== 'open') throw new Error(`review item ${id} is already ${item.status}`);
  let newId: number | null = null;
  await ws.db.txAsync(async () => {
    if (action === 'split' && item.source_id !== null) {
      const src = ws.db.get<{ source: string; raw: string; import_id: number; line: number }>(
        'SELECT source, raw, import_id, line FROM device_sources WHERE id = ?',
        [item.source_id],
      )!;
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
      const dev = ws.db.get<{ hostname: string; host_key: string }>(
        'SELECT hostname, host_key FROM devices WHERE id = ?',
        [item.device_id],
      )!;
      for (const [col, val] of Object.entries(ids))
        if (val) ws.db.run(`UPDATE devices SET ${col} = NULL WHERE id = ? AND ${col} = ?`, [item.device_id, val]);
      ws.db.run('INSERT INTO devices(hostname, host_key, falcon_aid, entra_id, intune_id) VALUES (?,?,?,?,?)', [
        dev.hostname,
        dev.host_key,
        ids.falcon_aid,
        ids.entra_id,
        ids.intune_id,
      ]);
      newId = ws.db.value<number>('SELECT last_insert_rowid()')!;
      ws.db.run('UPDATE device_sources SET device_id = ? WHERE id = ?', [newId, item.source_id]);
      // The row's facts (check-in, versions, ring) go with it.
      ws.db.run(
        'UPDATE facts SET device_id = ? WHERE device_id = ? AND import_id = ? AND line = ? AND event_id IS NULL',
        [newId, item.device_id, src.import_id, src.line],
      );
    }
    ws.db.run(`UPDATE identity_review SET status = ?, resolved_at = ? WHERE id = ?`, [
      action === 'split' ? 'split' : 'confirmed',
      ws.now(),
      id,
    ]);
    if (newId !== null) recompute(ws);
    await audit(ws, 'identity-review', { item: id, action, deviceId: item.device_id, newDeviceId: newId });
  });
  return { deviceId: item.device_id, newDeviceId: newId };
}
