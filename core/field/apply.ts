// Applies one journalled user action to the workspace; replay of the journal calls the same function in order.
import type { Action } from '../contract/actions.js';
import type { JournalEntry } from '../contract/host.js';
import { chooseWindow } from '../analysis/exposure-window.js';
import { recompute } from '../analysis/recompute.js';
import { storePolicy } from '../replay/handlers.js';
import { sha256HexSync } from '../shared/hash.js';
import { audit, type Workspace } from '../workspace.js';

/** Devices whose state an action can change: their states and the summary tables are recomputed after it. */
function touchedDevice(action: Action): number | null {
  return action.type === 'device.result' || action.type === 'device.ring' ? action.deviceId : null;
}

/**
 * Applies one action. `refresh` recomputes the touched device's state at once; a journal replay passes false and
 * recomputes every touched device in one pass at the end.
 */
export async function applyAction(ws: Workspace, action: Action, refresh = true): Promise<void> {
  await applyRaw(ws, action);
  const id = touchedDevice(action);
  if (refresh && id !== null) recompute(ws, { deviceIds: [id] });
  // A new window moves every device's exposure: all of them are recomputed.
  if (refresh && action.type === 'window.set') recompute(ws);
}

async function applyRaw(ws: Workspace, action: Action): Promise<void> {
  switch (action.type) {
    case 'device.result': {
      const record = {
        deviceId: action.deviceId,
        result: action.result,
        method: action.method ?? null,
        at: action.at,
        technician: action.technician ?? null,
        keyIdUsed: action.keyIdUsed ?? null,
        notes: action.notes ?? null,
      };
      const recordHash = sha256HexSync(JSON.stringify(['console', record]));
      ws.db.run(
        `INSERT INTO results(id, device_id, result, method, at, technician, key_id_used, notes, origin, record_hash)
         VALUES (?,?,?,?,?,?,?,?,'console',?) ON CONFLICT(record_hash) DO NOTHING`,
        [
          // The id is the hash's first 52 bits, so "latest at, then id" orders ties the same way on every replica.
          parseInt(recordHash.slice(0, 13), 16),
          record.deviceId,
          record.result,
          record.method,
          record.at,
          record.technician,
          record.keyIdUsed,
          record.notes,
          recordHash,
        ],
      );
      await audit(ws, 'device.result', { deviceId: action.deviceId, result: action.result });
      return;
    }
    case 'device.ring':
      ws.db.run('UPDATE devices SET ring_override = ? WHERE id = ?', [action.ring, action.deviceId]);
      await audit(ws, 'device.ring', { deviceId: action.deviceId, ring: action.ring });
      return;
    case 'device.note':
      await audit(ws, 'device.note', { deviceId: action.deviceId, note: action.note });
      return;
    case 'key.reveal':
      // Every revealed recovery password goes on the rotation list for after the incident.
      ws.db.run(
        `INSERT INTO key_rotation(key_id, device_id, hostname, reason, ref, at, actor)
         VALUES (?, ?, (SELECT hostname FROM devices WHERE id = ?), 'revealed', ?, ?, ?) ON CONFLICT DO NOTHING`,
        [action.keyId, action.deviceId, action.deviceId, ws.actor, action.at, ws.actor],
      );
      await audit(ws, 'key.reveal', { keyId: action.keyId, deviceId: action.deviceId, reason: action.reason });
      return;
    case 'view.save':
      ws.db.run(
        `INSERT INTO saved_views(name, body, saved_at) VALUES (?,?,?)
         ON CONFLICT(name) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at`,
        [action.name, JSON.stringify(action.view), action.at],
      );
      return;
    case 'view.forget':
      if (action.name === null) ws.db.run('DELETE FROM saved_views');
      else ws.db.run('DELETE FROM saved_views WHERE name = ?', [action.name]);
      return;
    case 'window.set':
      try {
        chooseWindow(ws, action.start, action.end);
        await audit(ws, 'window.set', { start: action.start, end: action.end });
      } catch (err) {
        // The UI checks the window before journalling it; a bad entry must still not stop the workspace opening.
        await audit(ws, 'window.set.skipped', { reason: (err as Error).message });
      }
      return;
    case 'policy.save':
      try {
        storePolicy(ws, action.policy, action.at);
      } catch (err) {
        // The UI checks a policy before journalling it; an entry that still fails (a later, stricter schema) must not
        // stop the workspace from opening, so it is recorded and skipped.
        await audit(ws, 'replay.policy.skipped', { reason: (err as Error).message });
      }
      return;
  }
}

/** Meta key holding the last journal seq whose action is inside this database image. */
export const JOURNAL_SEQ_KEY = 'journal_seq';

export function appliedSeq(ws: Workspace): number {
  return Number(ws.db.value<string>('SELECT value FROM meta WHERE key = ?', [JOURNAL_SEQ_KEY]) ?? 0);
}

/**
 * Applies one journal entry and records its seq in the same transaction, so a snapshot always says which
 * journal entries it already contains and replay never applies an action twice.
 */
export async function applyJournalEntry(ws: Workspace, entry: JournalEntry): Promise<boolean> {
  if (entry.seq <= appliedSeq(ws)) return false;
  const run = async () => {
    await applyAction(ws, entry.action);
    ws.db.run('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [
      JOURNAL_SEQ_KEY,
      String(entry.seq),
    ]);
  };
  if (ws.db.inTransaction) await run();
  else await ws.db.txAsync(run);
  return true;
}

/** Replays journal entries in seq order on top of a snapshot, skipping those the snapshot already holds. */
export async function replayJournal(
  ws: Workspace,
  entries: readonly JournalEntry[],
): Promise<{ replayed: number; lastSeq: number }> {
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  const base = appliedSeq(ws);
  let replayed = 0;
  let last = base;
  const pending = sorted.filter((e) => e.seq > base);
  const touched = new Set<number>();
  let everyDevice = false;
  if (pending.length > 0) {
    // One transaction and one meta write for the whole replay: all of it lands in the image, or none of it.
    await ws.db.txAsync(async () => {
      for (const e of pending) {
        if (e.seq <= last) continue; // a duplicated line
        await applyAction(ws, e.action, false);
        const id = touchedDevice(e.action);
        if (id !== null) touched.add(id);
        if (e.action.type === 'window.set') everyDevice = true;
        last = e.seq;
        replayed++;
      }
      if (everyDevice) recompute(ws);
      else if (touched.size) recompute(ws, { deviceIds: [...touched] });
      ws.db.run('INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [
        JOURNAL_SEQ_KEY,
        String(last),
      ]);
    });
  }
  return { replayed, lastSeq: last };
}
