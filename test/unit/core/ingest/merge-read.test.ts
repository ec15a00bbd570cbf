// A merge's read of its device (set-or-not for the columns it only fills in) and the key maps' last answer, on a real workspace.
import { describe, expect, it } from 'vitest';
import { DeviceIndex, KeyMap } from '../../../../core/ingest/identity.js';
import { DeviceWrites, MERGE_COLS, READ_VALUES } from '../../../../core/store/device-writes.js';
import { usableSerial } from '../../../../core/shared/serial.js';
import { emptyWorkspace } from '../analysis/fixtures.js';
import { facts } from './identity-facts.js';

type DeviceRow = Record<string, string | number | null>;

/** Every fill-only column set, and the values a merge compares. */
const FULL = facts({
  hostname: 'PC-FULL',
  aid: 'a1',
  serial: 'SN-1000',
  site: 'PAR',
  ring: 'broad',
  ringSource: 'falcon host group',
  platform: 'windows',
  osVersion: 'Windows 11 (22631)',
  deviceType: 'workstation',
  agentVersion: '7.10.17706.0',
  firstSeen: 100,
  lastSeen: 200,
  tags: 'a,b',
  user: 'wei.kim',
  model: 'Surface Laptop 5',
});

/** Another source's row for the same machine, every column with another value. */
const OTHER = {
  site: 'CHI',
  ring: 'early',
  ringSource: 'intune ring column',
  platform: 'mac',
  osVersion: '10.0.22631.3880',
  deviceType: 'server',
  agentVersion: '7.11.0.0',
  firstSeen: 50,
  lastSeen: 300,
  tags: 'c',
  user: 'someone.else',
  model: 'Other Model',
};

describe('a merge reads whether a fill-only column is set, not its value', () => {
  it('fetchRow gives the compared values, 1 for a set column and null for an empty one', async () => {
    const ws = await emptyWorkspace();
    const idx = new DeviceIndex(ws.db);
    const full = idx.upsert(FULL).id;
    const bare = idx.upsert(facts({ hostname: 'PC-BARE', aid: 'b2' })).id;
    const w = new DeviceWrites(ws.db, usableSerial);
    const got = w.fetchRow(full);
    const want: Record<string, string | number> = {
      falcon_aid: 'a1',
      serial: 'SN-1000',
      first_seen: 100,
      last_seen: 200,
      tags: 'a,b',
    };
    MERGE_COLS.forEach((c, i) => {
      if ((READ_VALUES as readonly string[]).includes(c)) expect(got[i], c).toBe(want[c] ?? null);
      else expect(got[i], c).toBe(1);
    });
    const empty = w.fetchRow(bare);
    MERGE_COLS.forEach((c, i) => {
      if (c === 'falcon_aid') expect(empty[i]).toBe('b2');
      else if (c === 'tags') expect(empty[i]).toBe('');
      else expect(empty[i], c).toBeNull();
    });
    expect(w.fetchRow(999)).toEqual([]);
    w.free();
    idx.free();
  });

  it('a value on file wins, an empty column is filled, the seen span widens and the tags join', async () => {
    const ws = await emptyWorkspace();
    const idx = new DeviceIndex(ws.db);
    const full = idx.upsert(FULL).id;
    const bare = idx.upsert(facts({ hostname: 'PC-BARE', aid: 'b2', firstSeen: 100, lastSeen: 200 })).id;
    const before = ws.db.get<DeviceRow>('SELECT * FROM devices WHERE id = ?', [full])!;
    expect(idx.upsert(facts({ hostname: 'PC-FULL', aid: 'a1', ...OTHER })).id).toBe(full);
    expect(idx.upsert(facts({ hostname: 'PC-BARE', aid: 'b2', ...OTHER })).id).toBe(bare);
    const after = ws.db.get<DeviceRow>('SELECT * FROM devices WHERE id = ?', [full])!;
    expect(after).toEqual({ ...before, first_seen: 50, last_seen: 300, tags: 'a,b,c' });
    expect(ws.db.get<DeviceRow>('SELECT * FROM devices WHERE id = ?', [bare])).toMatchObject({
      site: 'CHI',
      ring: 'early',
      ring_source: 'intune ring column',
      platform: 'mac',
      os_version: '10.0.22631.3880',
      device_type: 'server',
      agent_version: '7.11.0.0',
      first_seen: 50,
      last_seen: 300,
      tags: 'c',
      user: 'someone.else',
      model: 'Other Model',
    });
    idx.free();
  });

  it("a ring filled in on a device whose ring's source is already on file writes the row's source", async () => {
    const ws = await emptyWorkspace();
    const idx = new DeviceIndex(ws.db);
    const id = idx.upsert(facts({ hostname: 'PC-R', aid: 'r1' })).id;
    ws.db.run("UPDATE devices SET ring_source = 'left over' WHERE id = ?", [id]);
    idx.upsert(facts({ hostname: 'PC-R', aid: 'r1', ring: 'pilot', ringSource: 'left over' }));
    expect(ws.db.get('SELECT ring, ring_source FROM devices WHERE id = ?', [id])).toEqual({
      ring: 'pilot',
      ring_source: 'left over',
    });
    idx.upsert(facts({ hostname: 'PC-R', aid: 'r1', ring: 'broad', ringSource: 'another' }));
    expect(ws.db.get('SELECT ring, ring_source FROM devices WHERE id = ?', [id])).toEqual({
      ring: 'pilot',
      ring_source: 'left over',
    });
    idx.free();
  });
});

describe("a key map's last answer", () => {
  it('is the answer the map gives: a key set after it was asked for gives its new device', () => {
    const m = new KeyMap(null);
    expect(m.get('k1')).toBeUndefined();
    m.set('k1', 5);
    expect(m.get('k1')).toBe(5);
    expect(m.has('k1')).toBe(true);
    m.set('k2', 6);
    expect(m.get('k1')).toBe(5);
    m.set('k1', 7);
    expect(m.get('k1')).toBe(7);
    expect(m.get('k2')).toBe(6);
    expect(m.get('')).toBeUndefined();
  });

  it('a stable ID owned by a merge is found by the next row at once, and not by another device', async () => {
    const ws = await emptyWorkspace();
    const idx = new DeviceIndex(ws.db);
    const a = idx.upsert(facts({ hostname: 'PC-A', serial: 'SER-0001' })).id;
    // Found by serial; the row's Entra ID is asked for (none), then owned by the device.
    expect(idx.upsert(facts({ hostname: 'PC-A2', serial: 'SER-0001', entra: 'e-1' }))).toMatchObject({
      id: a,
      created: false,
    });
    expect(idx.entra.get('e-1')).toBe(a);
    expect(idx.upsert(facts({ hostname: 'PC-Z', entra: 'e-1' }))).toMatchObject({ id: a, created: false });
    idx.free();
  });
});
