// Identity resolution rule by rule on a real workspace: match order, reimaged machines, the merge rules, junk serials.
import { describe, expect, it } from 'vitest';
import { DeviceIndex, usableSerial } from '../../../../core/ingest/identity.js';
import type { Workspace } from '../../../../core/workspace.js';
import { emptyWorkspace } from '../analysis/fixtures.js';
import { facts } from './identity-facts.js';

type DeviceRow = Record<string, string | number | null>;
const rows = (ws: Workspace) => ws.db.all<DeviceRow>('SELECT * FROM devices ORDER BY id');
const row = (ws: Workspace, id: number) => ws.db.get<DeviceRow>('SELECT * FROM devices WHERE id = ?', [id])!;

describe('usableSerial', () => {
  it('null, empty and fewer than 4 characters after trimming identify nothing; 4 do, upper-cased', () => {
    expect(usableSerial(null)).toBeNull();
    expect(usableSerial('')).toBeNull();
    expect(usableSerial('  abc  ')).toBeNull();
    expect(usableSerial(' abcd ')).toBe('ABCD');
  });

  it('placeholders shared by many machines are junk, in any case; near misses are real serials', () => {
    for (const j of [
      '0000',
      '00000000',
      'None',
      'NULL',
      'N/A ',
      'unknown',
      'Default string',
      'To be filled by O.E.M.',
      'to be filled by oem',
      'System Serial Number',
      '123456789',
      '1.23457E+47',
      '1E+10',
    ])
      expect(usableSerial(j), j).toBeNull();
    expect(usableSerial('1234567890')).toBe('1234567890');
    expect(usableSerial('00001')).toBe('00001');
    expect(usableSerial('unknown1')).toBe('UNKNOWN1');
    expect(usableSerial('x123456789')).toBe('X123456789');
    expect(usableSerial('12.3E+4')).toBe('12.3E+4');
    expect(usableSerial('1.2E-4')).toBe('1.2E-4');
  });
});

describe('matching order: stable IDs first, then serial, then the name', () => {
  it('a new machine is inserted; the same agent id, Entra id or Intune id merges into it', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    const a = ix.upsert(facts({ hostname: 'PC-1', aid: 'aid1' }));
    expect(a).toEqual({ id: 1, created: true, supersededBy: null, ambiguous: null });
    expect(ix.upsert(facts({ hostname: 'OTHER', aid: 'aid1', entra: 'e1' }))).toEqual({
      id: 1,
      created: false,
      supersededBy: null,
      ambiguous: null,
    });
    expect(ix.upsert(facts({ hostname: 'X2', entra: 'e1', intune: 'i1' })).id).toBe(1);
    expect(ix.upsert(facts({ hostname: 'X3', intune: 'i1' })).id).toBe(1);
    expect(rows(ws)).toHaveLength(1);
    expect(row(ws, 1)).toMatchObject({ hostname: 'PC-1', falcon_aid: 'aid1', entra_id: 'e1', intune_id: 'i1' });
  });

  it('a usable serial matches before the name; a junk serial does not match at all', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', serial: 'SER-1' }));
    ix.upsert(facts({ hostname: 'PC-2', serial: 'none' }));
    expect(ix.upsert(facts({ hostname: 'RENAMED', serial: 'ser-1' }))).toMatchObject({ id: 1, created: false });
    expect(ix.upsert(facts({ hostname: 'PC-3', serial: 'None' }))).toMatchObject({ id: 3, created: true });
    expect(ix.upsert(facts({ hostname: 'PC-2' }))).toMatchObject({ id: 2, created: false });
  });

  it('a name-only match with a different serial is taken but reported as ambiguous', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', serial: 'SER-1' }));
    expect(ix.upsert(facts({ hostname: 'PC-1', serial: 'SER-2' }))).toEqual({
      id: 1,
      created: false,
      supersededBy: null,
      ambiguous: 'matched PC-1 by name only, but the serial numbers differ',
    });
    // No serial on the row, or a junk one on file: nothing to disagree with.
    expect(ix.upsert(facts({ hostname: 'PC-1' })).ambiguous).toBeNull();
    ix.upsert(facts({ hostname: 'PC-9', serial: '0000' }));
    expect(ix.upsert(facts({ hostname: 'PC-9', serial: 'SER-9' }))).toMatchObject({ id: 2, ambiguous: null });
  });

  it('lookup (events, keys) finds by any stable ID or serial, then by host key, and changes nothing', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', aid: 'abc', entra: 'e-1', intune: 'i-1', serial: 'SER-1' }));
    ix.upsert(facts({ hostname: 'PC-2' }));
    expect(ix.lookup('ABC', '')).toBe(1);
    expect(ix.lookup('E-1', '')).toBe(1);
    expect(ix.lookup('i-1', '')).toBe(1);
    expect(ix.lookup('ser-1', '')).toBe(1);
    expect(ix.lookup('nothing', 'PC-2')).toBe(2);
    expect(ix.lookup(null, 'PC-2')).toBe(2);
    expect(ix.lookup(null, 'PC-3')).toBeNull();
    expect(ix.lookup('nothing', '')).toBeNull();
    expect(ix.lookup(null, '')).toBeNull();
    expect(rows(ws)).toHaveLength(2);
  });
});

describe('a reimaged machine: same name or serial, a different stable ID', () => {
  it('the row seen later becomes current and the old record (and what it superseded) links to it', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', aid: 'old', serial: 'SER-1', lastSeen: 100 }));
    const r = ix.upsert(facts({ hostname: 'PC-1', aid: 'new', serial: 'SER-1', lastSeen: 101 }));
    expect(r).toEqual({ id: 2, created: true, supersededBy: null, ambiguous: null });
    expect(row(ws, 1).superseded_by).toBe(2);
    expect(row(ws, 2).superseded_by).toBeNull();
    // The name and the serial now lead to the new record.
    expect(ix.lookup(null, 'PC-1')).toBe(2);
    expect(ix.lookup('SER-1', '')).toBe(2);
    // A third image supersedes both: the chain points at the newest.
    expect(ix.upsert(facts({ hostname: 'PC-1', aid: 'newest', lastSeen: 102 })).id).toBe(3);
    expect(rows(ws).map((d) => d.superseded_by)).toEqual([3, 3, null]);
  });

  it('a row older than the record on file, or seen at the same time, is the stale one', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', aid: 'cur', lastSeen: 100 }));
    expect(ix.upsert(facts({ hostname: 'PC-1', aid: 'old', lastSeen: 99 }))).toEqual({
      id: 2,
      created: true,
      supersededBy: 1,
      ambiguous: null,
    });
    expect(row(ws, 2).superseded_by).toBe(1);
    expect(ix.upsert(facts({ hostname: 'PC-1', aid: 'same', lastSeen: 100 })).supersededBy).toBe(1);
    // Without a time on the row, the record on file (with one) stays current.
    expect(ix.upsert(facts({ hostname: 'PC-1', aid: 'none' })).supersededBy).toBe(1);
    expect(ix.lookup(null, 'PC-1')).toBe(1);
  });

  it('a row with a time beats a record without one', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', entra: 'e-old' }));
    expect(ix.upsert(facts({ hostname: 'PC-1', entra: 'e-new', lastSeen: 1 })).supersededBy).toBeNull();
    expect(row(ws, 1).superseded_by).toBe(2);
  });

  it('each stable ID can be the conflicting one (Entra, Intune)', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'A', intune: 'i-old', lastSeen: 1 }));
    expect(ix.upsert(facts({ hostname: 'A', intune: 'i-new', lastSeen: 2 })).id).toBe(2);
    ix.upsert(facts({ hostname: 'B', entra: 'e-1', lastSeen: 1 }));
    expect(ix.upsert(facts({ hostname: 'B', entra: 'e-2', lastSeen: 2 })).id).toBe(4);
    // A stable ID on only one side is no conflict.
    ix.upsert(facts({ hostname: 'C', aid: 'c-aid' }));
    expect(ix.upsert(facts({ hostname: 'C', entra: 'c-entra' }))).toMatchObject({ id: 5, created: false });
  });
});

describe('merge rules: a value on file wins, the widest seen span, the union of tags', () => {
  it('empty columns are filled, filled ones kept; first seen takes the minimum, last seen the maximum', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', aid: 'a', site: 'LON', firstSeen: 50, lastSeen: 60, tags: 'x,y' }));
    ix.upsert(
      facts({
        hostname: 'PC-1',
        aid: 'a',
        site: 'PAR',
        serial: 'SER-1',
        ring: 'Fast',
        ringSource: 'group',
        platform: 'windows',
        osVersion: '10.0',
        deviceType: 'workstation',
        agentVersion: '7.16',
        firstSeen: 40,
        lastSeen: 70,
        tags: 'y,z',
        user: 'ann',
        model: 'T14',
      }),
    );
    expect(row(ws, 1)).toMatchObject({
      site: 'LON',
      serial: 'SER-1',
      ring: 'Fast',
      ring_source: 'group',
      platform: 'windows',
      os_version: '10.0',
      device_type: 'workstation',
      agent_version: '7.16',
      first_seen: 40,
      last_seen: 70,
      tags: 'x,y,z',
      user: 'ann',
      model: 'T14',
    });
    // A narrower span changes nothing; a ring already on file keeps its source.
    ix.upsert(facts({ hostname: 'PC-1', aid: 'a', firstSeen: 45, lastSeen: 65, ring: 'Broad', ringSource: 'tag' }));
    expect(row(ws, 1)).toMatchObject({ first_seen: 40, last_seen: 70, ring: 'Fast', ring_source: 'group' });
    // The serial filled in by the merge now identifies the device.
    expect(ix.lookup('ser-1', '')).toBe(1);
  });

  it('a first/last seen fills an empty one; a ring source is written only with a ring', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', ringSource: 'group' }));
    expect(row(ws, 1)).toMatchObject({ ring: null, ring_source: null, first_seen: null, tags: '' });
    ix.upsert(facts({ hostname: 'PC-1', firstSeen: 5, lastSeen: 6, tags: 'a' }));
    expect(row(ws, 1)).toMatchObject({ first_seen: 5, last_seen: 6, tags: 'a' });
  });

  it('a stable ID held by another device is not copied onto this one', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', aid: 'a-1' }));
    ix.upsert(facts({ hostname: 'PC-2', entra: 'e-2' }));
    // Matched by agent id to PC-1, carrying PC-2's Entra id: PC-1 does not take it.
    ix.upsert(facts({ hostname: 'PC-1', aid: 'a-1', entra: 'e-2', intune: 'i-1' }));
    expect(row(ws, 1)).toMatchObject({ entra_id: null, intune_id: 'i-1' });
    expect(ix.lookup('e-2', '')).toBe(2);
  });
});

describe('the index is rebuilt from the devices on file', () => {
  it('live devices by name and serial, every device by stable ID, numbering continues after the highest id', async () => {
    const ws = await emptyWorkspace();
    const first = new DeviceIndex(ws.db);
    first.upsert(facts({ hostname: 'PC-1', aid: 'old', serial: 'SER-1', lastSeen: 1 }));
    first.upsert(facts({ hostname: 'PC-1', aid: 'new', serial: 'SER-1', lastSeen: 2 }));
    first.upsert(facts({ hostname: 'PC-3', serial: 'none' }));
    first.free();
    const ix = new DeviceIndex(ws.db);
    expect(ix.nextId).toBe(4);
    expect(ix.lookup('old', '')).toBe(1);
    expect(ix.lookup('new', '')).toBe(2);
    expect(ix.lookup('SER-1', '')).toBe(2);
    expect(ix.lookup(null, 'PC-1')).toBe(2);
    expect(ix.lookup('none', '')).toBeNull();
    expect(ix.serial.size).toBe(1);
    expect(ix.host.size).toBe(2);
    expect(ix.upsert(facts({ hostname: 'PC-4' })).id).toBe(4);
  });
});
