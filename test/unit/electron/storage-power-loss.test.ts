// Durability through power loss, the SQLite way: power is cut at every storage operation in turn; unsynced data and un-fsynced renames are lost.
import { beforeAll, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import type { JournalEntry } from '../../../core/contract/host.js';
import { applyJournalEntry } from '../../../core/session.js';
import { openWorkspace } from '../../../core/workspace.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { WorkspaceStorage } from '../../../electron/storage.js';
import { PowerLossFs } from '../../durability/power-fs.js';
import { HARNESS_KEY, harnessAction } from '../../durability/shared.js';

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});
const FILE = '/power/incident.ringside';

async function fresh(): Promise<PowerLossFs> {
  const p = new PowerLossFs();
  const ws = await openWorkspace({ SQL, keyMaterial: HARNESS_KEY, now: () => 1 });
  for (let i = 1; i <= 8; i++)
    ws.db.run('INSERT INTO devices(id, hostname, host_key) VALUES (?,?,?)', [i, `PC-${i}`, `PC-${i}`]);
  await new WorkspaceStorage({ fs: p.fs, platform: 'linux' }).save(FILE, ws.db, 0);
  ws.db.close();
  return p;
}

/** Appends 8 actions with snapshot saves every 3, until the power goes; returns what was acknowledged. */
async function session(p: PowerLossFs): Promise<number[]> {
  const storage = new WorkspaceStorage({ fs: p.fs, platform: 'linux' });
  const acked: number[] = [];
  let rec;
  try {
    rec = await storage.recover(FILE, { SQL, keyMaterial: HARNESS_KEY });
  } catch {
    return acked;
  }
  try {
    for (let seq = rec.lastSeq + 1; seq <= rec.lastSeq + 8; seq++) {
      const entry: JournalEntry = { seq, action: harnessAction(seq) };
      await storage.appendJournal(FILE, entry);
      acked.push(seq);
      await applyJournalEntry(rec.ws, entry);
      if (seq % 3 === 0) await storage.save(FILE, rec.ws.db, seq);
    }
  } catch {
    // the power went out
  } finally {
    rec.ws.db.close();
  }
  return acked;
}

test('power loss at every operation, with and without torn tails: nothing acknowledged is lost', async () => {
  const probe = await fresh();
  const start = probe.operations;
  await session(probe);
  const K = probe.operations - start;
  expect(K).toBeGreaterThan(30);
  let scenarios = 0;
  for (let k = 1; k <= K; k++)
    for (const torn of [false, true]) {
      const p = await fresh();
      p.crashAt = p.operations + k;
      const acked = await session(p);
      p.powerCycle(torn ? (n) => Math.floor(n / 2) : () => 0);
      const rec = await new WorkspaceStorage({ fs: p.fs, platform: 'linux' }).recover(FILE, {
        SQL,
        keyMaterial: HARNESS_KEY,
      });
      try {
        expect(rec.quarantined, `k=${k}`).toEqual([]);
        expect(rec.ws.db.value('PRAGMA integrity_check')).toBe('ok');
        const present = new Set(rec.ws.db.all<{ at: number }>('SELECT at FROM results').map((r) => r.at));
        for (const s of acked) expect(present.has(s), `power cut at op ${k} (torn ${torn}): seq ${s} lost`).toBe(true);
      } finally {
        rec.ws.db.close();
      }
      scenarios++;
    }
  console.log(`power loss: ${K} storage operations per session, ${scenarios} power cuts, 0 acknowledged actions lost`);
}, 180_000);
