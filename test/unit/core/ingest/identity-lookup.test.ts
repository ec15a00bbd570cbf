// Identity looked up through the devices table's indexes (a small import into a large workspace) against the loaded maps.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Statement } from 'sql.js';
import { describe, expect, it, vi } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { dropIndexes } from '../../../../core/ingest/bulk.js';
import { importFile, importFiles } from '../../../../core/ingest/index.js';
import { sampleImportInput } from '../../../../core/sample/index.js';
import { openWorkspace } from '../../../../core/workspace.js';
import { fixtures } from '../../../fixtures/ingest/generate.js';
import { dumpAnalysis } from '../analysis/analysis-dump.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { Db } from '../../../../core/store/db.js';
import { DeviceIndex, type BatchKeys, type DeviceFacts, type Resolution } from '../../../../core/ingest/identity.js';
import { DeviceKeyLookup } from '../../../../core/store/device-keys.js';
import type { Workspace } from '../../../../core/workspace.js';
import { emptyWorkspace } from '../analysis/fixtures.js';
import { facts } from './identity-facts.js';

/** The workspace before the batch: ids 1 to 6, in this order, written by the loaded-map rules. */
const ON_FILE: Partial<DeviceFacts>[] = [
  { hostname: 'PC-A', aid: 'a1', serial: 'SN-100', lastSeen: 10 },
  { hostname: 'PC-B', intune: 'i2', serial: 'AB-200', lastSeen: 10 },
  { hostname: 'PC-C', entra: 'e3', lastSeen: 10 },
  { hostname: 'PC-E', aid: 'e5', serial: 'EE-500', lastSeen: 10 },
  { hostname: 'PC-G', serial: 'GG-700' },
  { hostname: 'PC-H', aid: 'h8' },
];

/** The tricky batch, each row with the outcome worked out by hand from the rules in identity.ts. */
const BATCH: { row: Partial<DeviceFacts>; id: number; created: boolean; review?: boolean; why: string }[] = [
  { row: { hostname: 'PC-X', serial: ' sn-100 ' }, id: 1, created: false, why: 'same serial, other case and spaces' },
  { row: { hostname: 'PC-B', entra: 'e2', intune: 'i2' }, id: 2, created: false, why: 'Intune ID; the AAD ID joins' },
  { row: { hostname: 'PC-B', entra: 'e2' }, id: 2, created: false, why: 'the AAD ID the row above gave device 2' },
  { row: { hostname: 'PC-C', serial: 'ZZ-999' }, id: 3, created: false, why: 'by name; fills the serial' },
  {
    row: { hostname: 'PC-C', serial: 'YY-111' },
    id: 3,
    created: false,
    review: true,
    why: 'by name only, serial differs from the one just filled: listed for review',
  },
  {
    row: { hostname: 'PC-A', aid: 'a9', lastSeen: 20 },
    id: 7,
    created: true,
    why: 'the name of device 1 with another agent ID, seen later: a reimage, 7 replaces 1',
  },
  { row: { hostname: 'PC-A' }, id: 7, created: false, why: 'the name now leads to the new record' },
  { row: { hostname: 'PC-D', serial: 'zz-999' }, id: 3, created: false, why: 'the serial filled in above' },
  {
    row: { hostname: 'PC-F', aid: 'a6', serial: 'ee-500', lastSeen: 30 },
    id: 8,
    created: true,
    why: 'the serial of device 4 with another agent ID, seen later: 8 replaces 4',
  },
  {
    row: { hostname: 'PC-E' },
    id: 4,
    created: false,
    why: "device 4's name still leads to it after 8 replaced it (a loaded map keeps the entry)",
  },
  { row: { hostname: 'PC-H', aid: 'h8', serial: 'gg-700' }, id: 6, created: false, why: 'agent ID; fills GG-700' },
  {
    row: { hostname: 'PC-Z', serial: 'GG-700' },
    id: 5,
    created: false,
    why: 'GG-700 stays with device 5, which held it first (device 6 took it as a fill-in only)',
  },
];

async function workspaceOnFile(): Promise<Workspace> {
  const ws = await emptyWorkspace();
  const ix = new DeviceIndex(ws.db);
  for (const f of ON_FILE) ix.upsert(facts(f));
  ix.free();
  return ws;
}

/** The identity keys of a batch's rows, as the fleet writer preloads them. */
const batchKeys = (rows: DeviceFacts[]): BatchKeys => ({
  aid: rows.map((r) => r.aid),
  entra: rows.map((r) => r.entra),
  intune: rows.map((r) => r.intune),
  serial: rows.map((r) => r.serial),
  host: rows.map((r) => r.hostKey),
});

type Mode = 'loaded maps' | 'looked up, batch preloaded' | 'looked up, one key at a time';

async function run(mode: Mode): Promise<{ ws: Workspace; out: Resolution[] }> {
  const ws = await workspaceOnFile();
  const ix = new DeviceIndex(ws.db, { lookup: mode !== 'loaded maps' });
  const rows = BATCH.map((b) => facts(b.row));
  if (mode === 'looked up, batch preloaded') ix.preload(batchKeys(rows));
  const out = rows.map((r) => ix.upsert(r));
  ix.free();
  return { ws, out };
}

const devices = (ws: Workspace) =>
  ws.db.all('SELECT id, hostname, falcon_aid, entra_id, intune_id, serial, serial_key, superseded_by FROM devices');

describe('identity looked up in the devices table gives what the loaded maps give', () => {
  for (const mode of ['loaded maps', 'looked up, batch preloaded', 'looked up, one key at a time'] as Mode[])
    it(`${mode}: each row of the tricky batch resolves as worked out by hand`, async () => {
      const { ws, out } = await run(mode);
      BATCH.forEach((b, i) => {
        expect(out[i]!.id, `row ${i + 1}: ${b.why}`).toBe(b.id);
        expect(out[i]!.created, `row ${i + 1}: ${b.why}`).toBe(b.created);
        expect(out[i]!.ambiguous, `row ${i + 1}: ${b.why}`).toBe(
          b.review ? 'matched PC-C by name only, but the serial numbers differ' : null,
        );
      });
      const byId = new Map(devices(ws).map((d) => [d.id, d]));
      expect(byId.size).toBe(8);
      expect(byId.get(1)).toMatchObject({ superseded_by: 7, serial: 'SN-100', serial_key: 'SN-100' });
      expect(byId.get(2)).toMatchObject({ entra_id: 'e2', intune_id: 'i2', superseded_by: null });
      expect(byId.get(3)).toMatchObject({ serial: 'ZZ-999', serial_key: 'ZZ-999' });
      expect(byId.get(4)).toMatchObject({ superseded_by: 8 });
      expect(byId.get(6)).toMatchObject({ serial: 'gg-700', serial_key: 'GG-700' });
      expect(byId.get(7)).toMatchObject({ hostname: 'PC-A', falcon_aid: 'a9', superseded_by: null });
      expect(byId.get(8)).toMatchObject({ falcon_aid: 'a6', serial: 'ee-500', serial_key: 'EE-500' });
    });

  it('the device tables the three ways leave are the same, column for column', async () => {
    const [a, b, c] = await Promise.all(
      (['loaded maps', 'looked up, batch preloaded', 'looked up, one key at a time'] as Mode[]).map(run),
    );
    expect(devices(b!.ws)).toEqual(devices(a!.ws));
    expect(devices(c!.ws)).toEqual(devices(a!.ws));
    expect(b!.out).toEqual(a!.out);
    expect(c!.out).toEqual(a!.out);
  });

  it('events and keys find devices the same way after the batch, in either mode', async () => {
    for (const mode of ['loaded maps', 'looked up, one key at a time'] as Mode[]) {
      const ws = await workspaceOnFile();
      const ix = new DeviceIndex(ws.db, { lookup: mode !== 'loaded maps' });
      for (const b of BATCH) ix.upsert(facts(b.row));
      // A key by ID (any case), by serial (upper-cased), else the name; an unknown one finds nothing.
      expect(ix.lookup('A9', ''), mode).toBe(7);
      expect(ix.lookup('e2', ''), mode).toBe(2);
      expect(ix.lookup('zz-999', ''), mode).toBe(3);
      expect(ix.lookup(null, 'PC-E'), mode).toBe(4);
      expect(ix.lookup(null, 'PC-A'), mode).toBe(7);
      expect(ix.lookup('nothing', 'PC-NONE'), mode).toBeNull();
      ix.free();
    }
  });
});

describe('lookup mode: what only the table could get wrong', () => {
  it('a superseded record keeps its serial until the import ends, as a loaded map does; the empty name is no key', async () => {
    for (const lookup of [false, true]) {
      const ws = await emptyWorkspace();
      const first = new DeviceIndex(ws.db);
      first.upsert(facts({ hostname: 'PC-S', aid: 's1', serial: 'SS-1', lastSeen: 1 }));
      first.upsert(facts({ hostname: '', hostKey: '', aid: 'n1' }));
      first.free();
      const ix = new DeviceIndex(ws.db, { lookup });
      // PC-S comes back with another agent ID, seen later: device 3 replaces device 1 (found by name, not serial).
      expect(ix.upsert(facts({ hostname: 'PC-S', aid: 's2', lastSeen: 5 })), `lookup ${lookup}`).toMatchObject({
        id: 3,
        created: true,
      });
      // Device 1's serial, never read before it was replaced, still leads to device 1 for the rest of the import.
      expect(ix.upsert(facts({ hostname: 'PC-T', serial: 'ss-1' })).id, `lookup ${lookup}`).toBe(1);
      expect(ix.host.has(''), `lookup ${lookup}`).toBe(false);
      // Known keys count once found; a key looked up and missed is not one.
      expect(ix.lookup('missing', 'PC-NONE'), `lookup ${lookup}`).toBeNull();
      expect(ix.aid.size, `lookup ${lookup}`).toBe(lookup ? 1 : 3);
      ix.free();
    }
  });

  it('a batch preloaded after the import has written keeps what the import set, not what the table says', async () => {
    const ws = await workspaceOnFile();
    const ix = new DeviceIndex(ws.db, { lookup: true });
    // Device 4's name, read before device 8 replaced it, stays with 4 though the table has no live PC-E any more;
    // a later batch's preload must not trade that for the table's answer.
    ix.upsert(facts({ hostname: 'PC-E' }));
    ix.upsert(facts({ hostname: 'PC-F', aid: 'a6', serial: 'ee-500', lastSeen: 30 }));
    ix.preload({ aid: [], entra: [], intune: [], serial: [], host: ['PC-E'] });
    expect(ix.lookup(null, 'PC-E')).toBe(4);
    ix.free();
  });
});

describe('a preloaded batch is read in one join per key and then resolves from memory (issue 14 item 2)', () => {
  it("each key's index is asked once, for the keys present, usable and not yet known; then no row looks a key up", async () => {
    const ws = await workspaceOnFile();
    const ix = new DeviceIndex(ws.db, { lookup: true });
    const many = vi.spyOn(DeviceKeyLookup.prototype, 'many');
    const one = vi.spyOn(DeviceKeyLookup.prototype, 'get');
    try {
      ix.preload({
        aid: ['a1', null, 'a1', 'zz'],
        entra: [null],
        intune: [],
        serial: [' sn-100 ', 'None', null],
        host: ['PC-A', '', 'PC-A', 'PC-Q'],
      });
      // By hand: a1 once and zz; no AAD or Intune ID, so no join for them; SN-100 as the serial rule keys it ("None"
      // is a placeholder); PC-A once and PC-Q (the empty name is no key).
      expect(many.mock.calls.map((c) => c[0])).toEqual([['a1', 'zz'], ['SN-100'], ['PC-A', 'PC-Q']]);
      // A later batch with only keys read already asks the table nothing.
      ix.preload({ aid: ['zz', 'a1'], entra: [], intune: [], serial: ['SN-100'], host: ['PC-Q'] });
      expect(many).toHaveBeenCalledTimes(3);
      // Device 1 by its agent ID, then by its serial under a new name: both from memory, not one lookup per row.
      expect(ix.upsert(facts({ hostname: 'PC-A', aid: 'a1' }))).toMatchObject({ id: 1, created: false });
      expect(ix.upsert(facts({ hostname: 'PC-Q', serial: 'sn-100' }))).toMatchObject({ id: 1, created: false });
      expect(one).not.toHaveBeenCalled();
    } finally {
      many.mockRestore();
      one.mockRestore();
      ix.free();
    }
  });
});

describe('free() releases every statement identity prepared', () => {
  it('the key lookups, the batch joins, the insert, the row read and each merge update (two of one column set)', async () => {
    const ws = await workspaceOnFile();
    const open = new Set<Statement>();
    const prepare = ws.db.raw.prepare.bind(ws.db.raw);
    const spy = vi.spyOn(ws.db.raw, 'prepare').mockImplementation((sql, params) => {
      const st = prepare(sql, params);
      const free = st.free.bind(st);
      open.add(st);
      st.free = () => {
        open.delete(st);
        return free();
      };
      return st;
    });
    try {
      const ix = new DeviceIndex(ws.db, { lookup: true });
      const rows = BATCH.map((b) => facts(b.row));
      ix.preload(batchKeys(rows));
      // Rows 4 and 11 of the batch each fill in only a serial: the same UPDATE, used twice.
      for (const r of rows) ix.upsert(r);
      // Keys no batch read: each key's one-at-a-time statement.
      expect(ix.lookup('nothing', 'PC-NONE')).toBeNull();
      expect(open.size).toBeGreaterThan(0);
      ix.free();
      expect(open.size).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('devices.serial_key (migration 26)', () => {
  it('is the serial identity matches on, or empty for a placeholder, written with the serial and filled in with it', async () => {
    const ws = await emptyWorkspace();
    const ix = new DeviceIndex(ws.db);
    ix.upsert(facts({ hostname: 'PC-1', serial: ' ab-12 ' }));
    ix.upsert(facts({ hostname: 'PC-2', serial: 'To be filled by O.E.M.' }));
    ix.upsert(facts({ hostname: 'PC-3' }));
    ix.upsert(facts({ hostname: 'PC-3', serial: 'cd-34' }));
    ix.free();
    expect(ws.db.all('SELECT serial, serial_key FROM devices ORDER BY id')).toEqual([
      { serial: ' ab-12 ', serial_key: 'AB-12' },
      { serial: 'To be filled by O.E.M.', serial_key: null },
      { serial: 'cd-34', serial_key: 'CD-34' },
    ]);
  });

  it('a workspace written before migration 26 gets the key of every serial it holds when it is opened', async () => {
    const SQL = await loadSqlJs();
    const old = Db.open(SQL);
    // A pre-26 image: no serial_key column, no index, migration 26 not in the ledger.
    old.raw.exec(`DROP INDEX ix_devices_serial_key; ALTER TABLE devices DROP COLUMN serial_key;
      DELETE FROM schema_migrations WHERE version = 26;
      INSERT INTO devices(id, hostname, host_key, serial, superseded_by) VALUES
        (1, 'PC-1', 'PC-1', ' ab-12 ', NULL), (2, 'PC-2', 'PC-2', 'None', NULL), (3, 'PC-3', 'PC-3', NULL, NULL),
        (4, 'PC-4', 'PC-4', '1.23457E+47', NULL), (5, 'PC-5', 'PC-5', 'ef-56', 1);`);
    const db = Db.open(SQL, old.export());
    expect(db.all('SELECT id, serial_key FROM devices ORDER BY id')).toEqual([
      { id: 1, serial_key: 'AB-12' },
      { id: 2, serial_key: null },
      { id: 3, serial_key: null },
      { id: 4, serial_key: null },
      { id: 5, serial_key: 'EF-56' },
    ]);
    // And a lookup by serial finds the live device through the new index, not the superseded one.
    const ix = new DeviceIndex(db, { lookup: true });
    expect(ix.lookup('ab-12', '')).toBe(1);
    expect(ix.lookup('ef-56', '')).toBeNull();
    expect(ix.lookup(null, 'PC-5')).toBeNull();
    expect(ix.lookup(null, 'PC-4')).toBe(4);
    ix.free();
  });
});

describe('imports with identity looked up give the analysis the loaded maps gave (the committed dumps)', () => {
  const golden = (name: string) =>
    JSON.parse(readFileSync(path.resolve('test/fixtures/analysis-dump', `${name}.json`), 'utf8')) as unknown;
  const open = async () =>
    openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });

  it('the ingest fixtures onto the sample Falcon and Intune exports, every file looked up batch by batch', async () => {
    const OPTS = { devices: 400, seed: 777 };
    const ws = await open();
    for (const name of ['falcon-hosts.csv', 'intune-devices.csv'] as const)
      await importFile(ws, sampleImportInput(name, OPTS), { identity: 'lookup' });
    for (const f of fixtures(OPTS)) await importFile(ws, inputFromBytes(f.name, f.bytes), { identity: 'lookup' });
    expect(dumpAnalysis(ws)).toEqual(golden('fixtures-400-777'));
  }, 180_000);

  it('a batch of both device files into a workspace that has them already: nothing new, every row a merge', async () => {
    const OPTS = { devices: 400, seed: 777 };
    const inputs = () => [sampleImportInput('falcon-hosts.csv', OPTS), sampleImportInput('intune-devices.csv', OPTS)];
    const [maps, lookup] = [await open(), await open()];
    await importFiles(maps, inputs());
    await importFiles(lookup, inputs());
    // The same rows with a blank line added, so the second batch is not refused as the same files again.
    const bytes = await Promise.all(inputs().map((i) => new Response(i.stream()).arrayBuffer()));
    const again = () =>
      inputs().map((i, k) => inputFromBytes(`again-${i.name}`, `${new TextDecoder().decode(bytes[k])}\n`));
    const a = await importFiles(maps, again(), { identity: 'maps' });
    const b = await importFiles(lookup, again(), { identity: 'lookup' });
    expect(b.map((r) => [r.imported, r.devicesAdded, r.flagged])).toEqual(
      a.map((r) => [r.imported, r.devicesAdded, r.flagged]),
    );
    expect(dumpAnalysis(lookup)).toEqual(dumpAnalysis(maps));
  }, 180_000);
});

describe('a bulk load that looks devices up keeps the indexes it reads', () => {
  it('dropIndexes with lookup leaves the ID, name and serial indexes of devices and drops the rest as before', async () => {
    const names = (ws: Workspace) =>
      ws.db
        .all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'devices'")
        .map((r) => r.name);
    const lookupIndexes = [
      'ix_devices_host_key',
      'ix_devices_serial_key',
      'ux_devices_entra',
      'ux_devices_falcon',
      'ux_devices_intune',
    ];
    const [a, b] = [await emptyWorkspace(), await emptyWorkspace()];
    const all = names(a);
    expect(all).toEqual(expect.arrayContaining(lookupIndexes));
    dropIndexes(a, 'fleet');
    dropIndexes(b, 'fleet', true);
    for (const n of lookupIndexes) expect(names(a), n).not.toContain(n);
    expect(names(b).sort()).toEqual([...names(a), ...lookupIndexes].sort());
  });
});
