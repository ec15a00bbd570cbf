// A fleet file writes devices with the search-index triggers paused: it marks the chunks they would, and puts them back.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { DeviceIndex } from '../../../../core/ingest/identity.js';
import { importFile } from '../../../../core/ingest/index.js';
import { devices } from '../../../../core/analysis/devices.js';
import { PausedTextTriggers, TEXT_COLUMNS, TEXT_TRIGGERS } from '../../../../core/store/device-writes.js';
import type { Workspace } from '../../../../core/workspace.js';
import { emptyWorkspace } from '../analysis/fixtures.js';
import { facts } from './identity-facts.js';

const C = 65536;
const aid = (n: number) => n.toString(16).padStart(32, '0');
const dirty = (ws: Workspace) => ws.db.all<{ chunk: number }>('SELECT chunk FROM device_text_dirty ORDER BY chunk');
const triggers = (ws: Workspace) =>
  ws.db.all<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name");

/** Devices in chunks 0 to 3 (ids 5, C + 3, 2C + 1, 3C), the search index clean. */
async function seeded(): Promise<Workspace> {
  const ws = await emptyWorkspace();
  for (const [id, n] of [
    [5, 1],
    [C + 3, 2],
    [2 * C + 1, 3],
    [3 * C, 4],
  ])
    ws.db.run('INSERT INTO devices(id, hostname, host_key, falcon_aid) VALUES (?, ?, ?, ?)', [
      id!,
      `PC-${n}`,
      `PC-${n}`,
      aid(n!),
    ]);
  ws.db.run('DELETE FROM device_text_dirty');
  return ws;
}

/** Writes that mark chunk 0 (a serial filled in), 1 (a user filled in) and 3 (a new device), and not 2 (an OS version). */
function writes(ix: DeviceIndex): void {
  ix.upsert(facts({ hostname: 'PC-1', aid: aid(1), serial: 'SER-0001' }));
  ix.upsert(facts({ hostname: 'PC-2', aid: aid(2), user: 'alice' }));
  ix.upsert(facts({ hostname: 'PC-3', aid: aid(3), osVersion: 'Windows 11' }));
  ix.upsert(facts({ hostname: 'NEW-1', aid: aid(9) }));
}

describe('the search-index triggers paused for a fleet file', () => {
  it('marks exactly the chunks the triggers mark: inserts, and updates of the searched columns', async () => {
    const live = await seeded();
    live.db.tx(() => {
      const ix = new DeviceIndex(live.db);
      writes(ix);
      ix.free();
    });
    const paused = await seeded();
    paused.db.tx(() => {
      const ix = new DeviceIndex(paused.db);
      const p = new PausedTextTriggers(paused.db);
      expect(triggers(paused).map((t) => t.name)).not.toContain('device_text_insert');
      writes(ix);
      expect(dirty(paused)).toEqual([]);
      p.resume(ix.takeTextDirty());
      ix.free();
    });
    expect(dirty(live)).toEqual([{ chunk: 0 }, { chunk: 1 }, { chunk: 3 }]);
    expect(dirty(paused)).toEqual(dirty(live));
    expect(triggers(paused)).toEqual(triggers(live));
  });

  it('TEXT_COLUMNS are the columns device_text_update fires on', async () => {
    const ws = await emptyWorkspace();
    const sql = triggers(ws).find((t) => t.name === 'device_text_update')!.sql;
    const cols = /AFTER UPDATE OF (.*?) ON devices/i
      .exec(sql)![1]!
      .split(',')
      .map((c) => c.trim());
    expect(cols).toEqual([...TEXT_COLUMNS]);
    expect(triggers(ws).map((t) => t.name)).toEqual(expect.arrayContaining([...TEXT_TRIGGERS]));
  });

  it('a fleet file imported leaves the triggers as they were and its devices searchable', async () => {
    const ws = await seeded();
    const before = triggers(ws);
    const r = await importFile(
      ws,
      inputFromBytes('falcon.csv', `Hostname,Host ID,Last Logged In User\nPC-2,${aid(2)},bob\nNEW-2,${aid(8)},\n`),
    );
    expect(r.imported).toBe(2);
    expect(triggers(ws)).toEqual(before);
    // The batch's end rebuilt the marked chunks: the user filled in and the new device are found.
    expect(dirty(ws)).toEqual([]);
    expect(devices(ws, { text: 'bob' }).rows.map((d) => d.id)).toEqual([C + 3]);
    expect(devices(ws, { text: 'new-2' }).rows.map((d) => d.id)).toEqual([3 * C + 1]);
    // The triggers work again for writes after the file.
    ws.db.run("UPDATE devices SET user = 'carol' WHERE id = 5");
    expect(dirty(ws)).toEqual([{ chunk: 0 }]);
  });

  it('a fleet file refused half way leaves the triggers and the index as they were', async () => {
    const ws = await seeded();
    const before = triggers(ws);
    const r = await importFile(
      ws,
      inputFromBytes('falcon.csv', `Hostname,Host ID,Last Logged In User\nNEW-3,${aid(7)},dan\nNEW-4,"${aid(6)}\n`),
    );
    expect(r.imported).toBe(0);
    expect(triggers(ws)).toEqual(before);
    expect(dirty(ws)).toEqual([]);
    expect(ws.db.value('SELECT COUNT(*) FROM devices')).toBe(4);
  });
});
