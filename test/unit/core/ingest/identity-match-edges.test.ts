// Identity rules at the edges the first tests missed: ID matches that must not look further, one-sided Intune ids,
// stale duplicates on rebuild, nameless devices, merges of ring source and last seen, and prepared-update reuse.
import { describe, expect, it } from 'vitest';
import { DeviceIndex, usableSerial } from '../../../../core/ingest/identity.js';
import type { Workspace } from '../../../../core/workspace.js';
import { emptyWorkspace } from '../analysis/fixtures.js';
import { facts } from './identity-facts.js';

const row = (ws: Workspace, id: number) =>
  ws.db.get<Record<string, string | number | null>>('SELECT * FROM devices WHERE id = ?', [id])!;
const count = (ws: Workspace) => ws.db.value<number>('SELECT count(*) FROM devices');

describe('usableSerial: the spreadsheet-mangled number is the whole value', () => {
  it('1E+10 is junk, but 1E+10X (text after the exponent) is a real serial', () => {
    expect(usableSerial('1E+10')).toBeNull();
    expect(usableSerial('1e+10x')).toBe('1E+10X');
  });
});

describe('a stable-ID match is final: serial and name are not consulted', () => {
  it("a row whose agent id is A's, carrying B's serial, merges into A (no reimage of B is guessed)", async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-A', aid: 'a1' }));
    ix.upsert(facts({ hostname: 'PC-B', aid: 'b1', serial: 'SER-B' }));
    expect(ix.upsert(facts({ hostname: 'PC-A', aid: 'a1', serial: 'SER-B' }))).toEqual({
      id: 1,
      created: false,
      supersededBy: null,
      ambiguous: null,
    });
    expect(count(ws)).toBe(2);
  });

  it("a row whose agent id is A's, carrying B's name, merges into A", async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-A', aid: 'a1' }));
    ix.upsert(facts({ hostname: 'PC-B', aid: 'b1' }));
    expect(ix.upsert(facts({ hostname: 'PC-B', aid: 'a1' }))).toMatchObject({ id: 1, created: false });
    expect(count(ws)).toBe(2);
  });
});

describe('an Intune id on only one side is no conflict', () => {
  it('the row has an Intune id and the record none: merged, and the record takes it', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1' }));
    expect(ix.upsert(facts({ hostname: 'PC-1', intune: 'i-1' }))).toMatchObject({ id: 1, created: false });
    expect(row(ws, 1).intune_id).toBe('i-1');
  });

  it('the record has an Intune id and the row none: merged', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', intune: 'i-1' }));
    expect(ix.upsert(facts({ hostname: 'PC-1' }))).toMatchObject({ id: 1, created: false });
    expect(count(ws)).toBe(1);
  });
});

describe('the ambiguous name match is decided by how the row matched', () => {
  it('a serial match is not "by name only", even when the record on file shows another serial', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', aid: 'a1', serial: 'SER-1' }));
    // Matched by agent id with a second serial: the record keeps SER-1, and SER-2 now also leads to it.
    ix.upsert(facts({ hostname: 'PC-1', aid: 'a1', serial: 'SER-2' }));
    expect(row(ws, 1).serial).toBe('SER-1');
    expect(ix.upsert(facts({ hostname: 'OTHER', serial: 'SER-2' }))).toEqual({
      id: 1,
      created: false,
      supersededBy: null,
      ambiguous: null,
    });
  });
});

describe('the index rebuilt from file leaves superseded records out of the name and serial maps', () => {
  it('a stale duplicate with a higher id does not take the name or the serial from the current record', async () => {
    const ws = await emptyWorkspace();
    const first = new DeviceIndex(ws.db);
    first.upsert(facts({ hostname: 'PC-1', aid: 'cur', serial: 'SER-1', lastSeen: 100 }));
    // Seen earlier, so id 2 is the stale one, superseded by id 1.
    expect(first.upsert(facts({ hostname: 'PC-1', aid: 'old', serial: 'SER-1', lastSeen: 99 })).supersededBy).toBe(1);
    first.free();
    const ix = new DeviceIndex(ws.db);
    expect(ix.lookup(null, 'PC-1')).toBe(1);
    expect(ix.lookup('SER-1', '')).toBe(1);
    expect(ix.lookup('old', '')).toBe(2);
  });
});

describe('a device without a host key is never indexed by name', () => {
  it('inserted, superseding, or rebuilt from file: the empty key stays out of the name map', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: '', aid: 'a1' }));
    expect(ix.host.has('')).toBe(false);
    // A reimage matched by serial, newer, on a nameless row.
    ix.upsert(facts({ hostname: '', aid: 'b1', serial: 'SER-B', lastSeen: 1 }));
    ix.upsert(facts({ hostname: '', aid: 'b2', serial: 'SER-B', lastSeen: 2 }));
    expect(ix.host.has('')).toBe(false);
    ix.free();
    const again = new DeviceIndex(ws.db);
    expect(again.host.has('')).toBe(false);
    expect(again.host.size).toBe(0);
  });
});

describe('merge rules on a matched record', () => {
  it('a ring source without a ring is not written onto a record without a ring', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1' }));
    ix.upsert(facts({ hostname: 'PC-1', ringSource: 'group' }));
    expect(row(ws, 1)).toMatchObject({ ring: null, ring_source: null });
  });

  it('a last seen fills an empty one whatever its value, 0 (the epoch) included', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1' }));
    ix.upsert(facts({ hostname: 'PC-1', lastSeen: 0 }));
    expect(row(ws, 1).last_seen).toBe(0);
  });

  it('updates of different column sets never share a statement (entra+intune, then last seen alone)', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1' }));
    // Columns 1 and 2 of the merge (Entra, Intune) change, then column 12 (last seen) alone.
    ix.upsert(facts({ hostname: 'PC-1', entra: 'e-1', intune: 'i-1' }));
    ix.upsert(facts({ hostname: 'PC-1', lastSeen: 5 }));
    expect(row(ws, 1)).toMatchObject({ entra_id: 'e-1', intune_id: 'i-1', last_seen: 5 });
  });
});
