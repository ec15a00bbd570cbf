// Journalled console actions change device states at once, and a journal replay gives the same state as live actions.
import { describe, expect, it } from 'vitest';
import { summary } from '../../../core/analysis/summary.js';
import { applyJournalEntry, replayJournal } from '../../../core/session.js';
import type { JournalEntry } from '../../../core/contract/host.js';
import { loadSample } from '../../../core/sample/handlers.js';
import { openWorkspace } from '../../../core/workspace.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';

async function sampleWs() {
  const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(4) });
  await loadSample(ws, { devices: 600, seed: 11 });
  return ws;
}

describe('console actions', () => {
  it('a result marked fixed moves the device to fixed and the counts with it; replay gives the same state', async () => {
    const live = await sampleWs();
    const ids = live.db
      .all<{ id: number }>(
        "SELECT id FROM devices WHERE state = 'needs_fix' AND superseded_by IS NULL ORDER BY id LIMIT 3",
      )
      .map((r) => r.id);
    expect(ids.length).toBe(3);
    const before = summary(live);
    const at = Date.parse('2024-07-24T09:00:00Z');
    const entries: JournalEntry[] = ids.map((deviceId, i) => ({
      seq: i + 1,
      action: { type: 'device.result', deviceId, result: 'fixed', method: 'winre-cmd', at: at + i },
    }));
    for (const e of entries) await applyJournalEntry(live, e);
    const after = summary(live);
    expect(live.db.value(`SELECT count(*) FROM devices WHERE id IN (${ids.join(',')}) AND state = 'fixed'`)).toBe(3);
    expect(after.byRing.reduce((n, r) => n + r.fixed, 0)).toBe(before.byRing.reduce((n, r) => n + r.fixed, 0) + 3);
    expect(after.byRing.reduce((n, r) => n + r.remaining, 0)).toBe(
      before.byRing.reduce((n, r) => n + r.remaining, 0) - 3,
    );

    // The same journal replayed on a fresh copy (one recompute at the end), and once more: same state, nothing doubled.
    const replayed = await sampleWs();
    expect(await replayJournal(replayed, entries)).toEqual({ replayed: 3, lastSeq: 3 });
    expect(await replayJournal(replayed, entries)).toEqual({ replayed: 0, lastSeq: 3 });
    expect(summary(replayed).byRing).toEqual(after.byRing);
    expect(replayed.db.value('SELECT count(*) FROM results')).toBe(3);
  });
});

describe('saved views and policies go through the journal', () => {
  it('a replayed journal restores views and policies with the times they were saved; a bad policy does not block opening', async () => {
    const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(4) });
    const policy = {
      ...(await import('../../../core/replay/policy.js')).defaultPolicy(),
      id: 'gate-half',
      name: 'Gate at 0.5 %',
    };
    const at = Date.parse('2024-07-24T10:00:00Z');
    const entries: JournalEntry[] = [
      { seq: 1, action: { type: 'view.save', name: 'down in EU', view: { filter: { site: 'EU' } }, at } },
      { seq: 2, action: { type: 'view.save', name: 'crashed', view: { local: { state: 'affected' } }, at: at + 1 } },
      { seq: 3, action: { type: 'view.forget', name: 'down in EU', at: at + 2 } },
      { seq: 4, action: { type: 'policy.save', policy, at: at + 3 } },
      // A built-in id is refused by the schema check: replay records it and goes on.
      { seq: 5, action: { type: 'policy.save', policy: { ...policy, id: 'default' }, at: at + 4 } },
    ];
    expect(await replayJournal(ws, entries)).toEqual({ replayed: 5, lastSeq: 5 });
    expect(ws.db.all('SELECT name, body, saved_at FROM saved_views')).toEqual([
      { name: 'crashed', body: JSON.stringify({ local: { state: 'affected' } }), saved_at: at + 1 },
    ]);
    expect(ws.db.all('SELECT id, name, saved_at FROM replay_policies')).toEqual([
      { id: 'gate-half', name: 'Gate at 0.5 %', saved_at: at + 3 },
    ]);
  });
});
