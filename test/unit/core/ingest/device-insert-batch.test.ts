// Device inserts written many to a statement (DeviceIndex.deferInserts) leave the tables as one insert per row does.
import { describe, expect, it } from 'vitest';
import { DeviceIndex, type Resolution } from '../../../../core/ingest/identity.js';
import type { Workspace } from '../../../../core/workspace.js';
import { emptyWorkspace } from '../analysis/fixtures.js';
import { facts } from './identity-facts.js';

const aid = (n: number) => n.toString(16).padStart(32, '0');
const all = (ws: Workspace) => ws.db.all('SELECT * FROM devices ORDER BY id');

/** Rows that insert, merge into a device still waiting to be written, link reimaged machines both ways, and run past 64. */
function writes(ix: DeviceIndex): Resolution[] {
  const out: Resolution[] = [];
  const up = (f: Parameters<typeof facts>[0]) => out.push(ix.upsert(facts(f)));
  up({ hostname: 'PC-1', aid: aid(1), serial: 'SER-0001', lastSeen: 10 });
  up({ hostname: 'PC-1', aid: aid(1), entra: 'e-1', user: 'alice', tags: 'a' });
  up({ hostname: 'PC-2', aid: aid(2), serial: 'SER-0002', lastSeen: 10 });
  // The same serial with another agent id, seen later: the new record is current, the first is linked to it.
  up({ hostname: 'PC-2', aid: aid(3), serial: 'SER-0002', lastSeen: 20 });
  up({ hostname: 'PC-3', aid: aid(4), lastSeen: 5 });
  // Seen earlier: a stale duplicate of the current record.
  up({ hostname: 'PC-3', aid: aid(5), lastSeen: 1 });
  for (let i = 10; i < 160; i++) {
    up({ hostname: `N-${i}`, aid: aid(i), serial: `SN-${i}`, firstSeen: i });
    // Every seventh new device is merged into at once, by name only, with a serial of its own (a review item).
    if (i % 7 === 0) up({ hostname: `N-${i}`, serial: `OTHER-${i}`, model: 'T14', tags: 'b,c' });
  }
  up({ hostname: 'PC-1', intune: 'i-1', osVersion: 'Windows 11' });
  return out;
}

async function run(defer: boolean, lookup: boolean): Promise<{ rows: unknown[]; res: Resolution[] }> {
  const ws = await emptyWorkspace();
  // Devices on file before, so a lookup-mode index reads some keys from the table.
  for (let n = 0; n < 3; n++)
    ws.db.run('INSERT INTO devices(id, hostname, host_key, falcon_aid) VALUES (?, ?, ?, ?)', [
      n + 1,
      `OLD-${n}`,
      `OLD-${n}`,
      aid(900 + n),
    ]);
  const res = ws.db.tx(() => {
    const ix = new DeviceIndex(ws.db, { lookup });
    if (defer) ix.deferInserts();
    const r = writes(ix);
    r.push(ix.upsert(facts({ hostname: 'OLD-1', aid: aid(901), site: 'LON' })));
    ix.flushInserts();
    ix.free();
    return r;
  });
  return { rows: all(ws), res };
}

describe('device inserts many to a statement', () => {
  for (const lookup of [false, true])
    it(`give the rows, ids and resolutions of one insert per row (${lookup ? 'lookup' : 'maps'})`, async () => {
      const one = await run(false, lookup);
      const many = await run(true, lookup);
      expect(one.rows.length).toBeGreaterThan(150);
      expect(many.res).toEqual(one.res);
      expect(many.rows).toEqual(one.rows);
    });

  it('wait for a statement’s worth of rows until flushed, and are written before any read of the table', async () => {
    const ws = await emptyWorkspace();
    ws.db.tx(() => {
      const ix = new DeviceIndex(ws.db);
      ix.deferInserts();
      ix.upsert(facts({ hostname: 'A-1', aid: aid(1) }));
      ix.upsert(facts({ hostname: 'A-2', aid: aid(2) }));
      expect(ws.db.value('SELECT COUNT(*) FROM devices')).toBe(0);
      // A merge reads the device first: the waiting rows are written then.
      ix.upsert(facts({ hostname: 'A-1', aid: aid(1), user: 'bob' }));
      expect(ws.db.all('SELECT hostname, user FROM devices ORDER BY id')).toEqual([
        { hostname: 'A-1', user: 'bob' },
        { hostname: 'A-2', user: null },
      ]);
      for (let i = 10; i < 266; i++) ix.upsert(facts({ hostname: `B-${i}`, aid: aid(i) }));
      // 256 rows: one statement's worth, written.
      expect(ws.db.value('SELECT COUNT(*) FROM devices')).toBe(258);
      ix.upsert(facts({ hostname: 'C-1', aid: aid(999) }));
      expect(ws.db.value('SELECT COUNT(*) FROM devices')).toBe(258);
      ix.flushInserts();
      expect(ws.db.value('SELECT COUNT(*) FROM devices')).toBe(259);
      ix.free();
    });
  });
});
