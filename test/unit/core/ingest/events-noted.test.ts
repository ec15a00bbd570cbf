// The fact sync takes what a batch's rollout files noted as they wrote (latest time, ring rows) instead of reading the events.
import { describe, expect, it } from 'vitest';
import { syncFacts } from '../../../../core/analysis/facts.js';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { noteEvents, type Batch } from '../../../../core/ingest/batch-end.js';
import { importFiles } from '../../../../core/ingest/index.js';
import { sampleImportInput } from '../../../../core/sample/index.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { rolloutFixtures } from '../../../fixtures/ingest/rollout.js';

const OPTS = { devices: 300, seed: 77 };

const open = async () =>
  openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });

/** The sync's results: the stored facts an event made (by content, not id) and the events' latest time. */
const synced = (ws: Workspace) => ({
  facts: ws.db
    .all<{ q: string }>(
      `SELECT quote(device_id)||'|'||class||'|'||type||'|'||quote(value)||'|'||quote(ts)||'|'||as_of||'|'||source||'|'||event_id AS q
       FROM stored_facts WHERE event_id IS NOT NULL ORDER BY event_id`,
    )
    .map((r) => r.q),
  latest: ws.db.value<string>("SELECT value FROM meta WHERE key = 'facts.events_max_ts'"),
});

describe('events noted by the batch', () => {
  it('gives the ring facts and latest time that reading the events gives, without the read', async () => {
    const ws = await open();
    // The fleet first, then every rollout export of the published formats (Autopatch and ConfigMgr name rings).
    await importFiles(ws, [sampleImportInput('falcon-hosts.csv', OPTS), sampleImportInput('intune-devices.csv', OPTS)]);
    const files = rolloutFixtures(OPTS);
    expect(files.map((f) => f.format)).toEqual(expect.arrayContaining(['autopatch', 'configmgr', 'wufb', 'events']));
    const raw = ws.db.raw as unknown as { prepare: (sql: string) => unknown };
    const prepare = raw.prepare.bind(raw);
    const scans: string[] = [];
    raw.prepare = (sql) => {
      if (/FROM events WHERE id > \?/.test(sql)) scans.push(sql);
      return prepare(sql);
    };
    // One batch a file: each batch's sync has its own file's note to go by (a ConfigMgr file alone names rings).
    for (const f of files)
      expect((await importFiles(ws, [inputFromBytes(f.name, f.bytes)]))[0]!.imported).toBeGreaterThan(0);
    raw.prepare = prepare;
    expect(scans).toEqual([]);
    const noted = synced(ws);
    // By hand: ring facts for the Autopatch and ConfigMgr rows, and the latest time is the events' own MAX.
    expect(noted.facts.some((q) => q.includes('|ring|autopatch ring|'))).toBe(true);
    expect(noted.facts.some((q) => q.includes('|ring|configmgr collection|'))).toBe(true);
    expect(noted.latest).toBe(String(ws.db.value<number>('SELECT MAX(ts) FROM events')));

    // The same sync from the events themselves: its marks and the facts it stored taken back, then run with no note.
    ws.db.tx(() => {
      ws.db.run('DELETE FROM stored_facts WHERE event_id IS NOT NULL');
      ws.db.run("UPDATE meta SET value = '0' WHERE key IN ('facts.event_hwm', 'facts.events_max_ts')");
      syncFacts(ws);
    });
    expect(synced(ws)).toEqual(noted);
  });

  it('stops noting once a file is not the run of ids right after the last, and takes the later of two times', () => {
    const batch = { events: null } as unknown as Batch;
    noteEvents(batch, { from: 10, to: 15, maxTs: 500, rings: 2 }, 5);
    noteEvents(batch, { from: 15, to: 18, maxTs: null, rings: 0 }, 3);
    noteEvents(batch, { from: 18, to: 20, maxTs: 900, rings: 1 }, 2);
    expect(batch.events).toEqual({ from: 10, to: 20, maxTs: 900, rings: 3 });
    noteEvents(batch, { from: 21, to: 22, maxTs: 1000, rings: 0 }, 1);
    expect(batch.events).toBe(false);
    noteEvents(batch, { from: 22, to: 23, maxTs: 1000, rings: 0 }, 1);
    expect(batch.events).toBe(false);
    // Rows that are not the whole range (another writer's events among them).
    const other = { events: null } as unknown as Batch;
    noteEvents(other, { from: 0, to: 10, maxTs: 5, rings: 0 }, 9);
    expect(other.events).toBe(false);
  });
});
