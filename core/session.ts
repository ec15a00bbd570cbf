// The session every caller goes through (worker, desktop storage, CLI, tests): open a workspace and replay its journal
// on top, apply each journalled user action, close. Applying an action reaches results, rings, keys, views and replay
// policies and then recomputes states, so it sits above those features; the SQL it runs is in store/journal.ts.
import type { Action } from './contract/actions.js';
import type { JournalEntry } from './contract/host.js';
import { chooseWindow } from './analysis/exposure-window.js';
import { recompute } from './analysis/recompute.js';
import { storePolicy } from './replay/handlers.js';
import { sha256HexSync } from './shared/hash.js';
import { rememberAnchors, type AuditAnchor } from './store/audit.js';
import * as journal from './store/journal.js';
import { addToRotation } from './store/key-rotation.js';
import * as savedViews from './store/saved-views.js';
import { audit, openWorkspace, type OpenOptions, type Workspace } from './workspace.js';

export { JOURNAL_SEQ_KEY } from './store/journal.js';

export interface OpenSessionOptions extends OpenOptions {
  /** Journal entries to replay on top of the image (those it already holds are skipped). */
  journal?: readonly JournalEntry[];
  /** Audit heads kept outside the image besides the journal's own (the snapshot's anchor file): issue 17. */
  anchors?: readonly AuditAnchor[];
}

export interface OpenedSession {
  ws: Workspace;
  /** The journal seq the image held before the replay. */
  baseSeq: number;
  replayed: number;
  lastSeq: number;
}

/**
 * Opens a workspace image and replays the journal on top of it. Heads the journal recorded are anchors outside the
 * audit table, so a cut tail shows against them; replay skips entries the image already holds, so a crash between
 * snapshot and journal trim never doubles one.
 */
export async function openSession(opts: OpenSessionOptions): Promise<OpenedSession> {
  const { journal: entries = [], anchors = [], ...open } = opts;
  const ws = await openWorkspace(open);
  try {
    rememberAnchors(ws.db, [
      ...entries.flatMap((e) => (e.audit ? [{ ...e.audit, source: 'the journal' }] : [])),
      ...anchors,
    ]);
    const baseSeq = appliedSeq(ws);
    const { replayed, lastSeq } = await replayJournal(ws, entries);
    return { ws, baseSeq, replayed, lastSeq };
  } catch (err) {
    ws.db.close();
    throw err;
  }
}

export function closeSession(ws: Workspace): void {
  ws.db.close();
}

/** Devices whose state an action can change: their states and the summary tables are recomputed after it. */
function touchedDevice(action: Action): number | null {
  return action.type === 'device.result' || action.type === 'device.ring' ? action.deviceId : null;
}

/** Applies actions that are not journal entries (a tracker's results brought in by the CLI) in one transaction. */
export async function applyActions(ws: Workspace, actions: readonly Action[]): Promise<void> {
  await ws.db.txAsync(async () => {
    for (const a of actions) await applyAction(ws, a);
  });
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
      journal.insertConsoleResult(ws.db, record, sha256HexSync(JSON.stringify(['console', record])));
      await audit(ws, 'device.result', { deviceId: action.deviceId, result: action.result });
      return;
    }
    case 'device.ring':
      journal.setRingOverride(ws.db, action.deviceId, action.ring);
      await audit(ws, 'device.ring', { deviceId: action.deviceId, ring: action.ring });
      return;
    case 'device.note':
      await audit(ws, 'device.note', { deviceId: action.deviceId, note: action.note });
      return;
    case 'key.reveal':
      // Every revealed recovery password goes on the rotation list for after the incident.
      addToRotation(ws.db, {
        keyId: action.keyId,
        deviceId: action.deviceId,
        reason: 'revealed',
        ref: ws.actor,
        at: action.at,
        actor: ws.actor,
      });
      await audit(ws, 'key.reveal', { keyId: action.keyId, deviceId: action.deviceId, reason: action.reason });
      return;
    case 'view.save':
      savedViews.save(ws.db, action.name, action.view, action.at);
      return;
    case 'view.forget':
      savedViews.forget(ws.db, action.name);
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

export function appliedSeq(ws: Workspace): number {
  return journal.appliedSeq(ws.db);
}

/**
 * Applies one journal entry and records its seq in the same transaction, so a snapshot always says which
 * journal entries it already contains and replay never applies an action twice.
 */
export async function applyJournalEntry(ws: Workspace, entry: JournalEntry): Promise<boolean> {
  if (entry.seq <= appliedSeq(ws)) return false;
  const run = async () => {
    await applyAction(ws, entry.action);
    journal.setAppliedSeq(ws.db, entry.seq);
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
      journal.setAppliedSeq(ws.db, last);
    });
  }
  return { replayed, lastSeq: last };
}
