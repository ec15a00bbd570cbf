// Every fleet format projected from one seeded population (with file mutations) joins onto the sample's Falcon export.
import { beforeAll, describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../core/contract/ingest.js';
import { importFile } from '../../../core/ingest/index.js';
import { computeGroundTruth, sampleImportInput } from '../../../core/sample/index.js';
import { openWorkspace, type Workspace } from '../../../core/workspace.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { fixtures, type Fixture } from '../../fixtures/ingest/generate.js';

const OPTS = { devices: 400, seed: 777 };

describe('fixtures from one population', () => {
  let ws: Workspace;
  const truth = computeGroundTruth(OPTS);
  const all: Fixture[] = fixtures(OPTS);

  beforeAll(async () => {
    ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });
    // Falcon and Intune first: Entra files carry no serial, so Entra device IDs join through Intune.
    for (const name of ['falcon-hosts.csv', 'intune-devices.csv'] as const) {
      const r = await importFile(ws, sampleImportInput(name, OPTS));
      expect(r.rejected).toBe(0);
    }
  });

  it('covers every fleet format', () => {
    expect(all.map((f) => f.format).sort()).toEqual(
      ['ad', 'configmgr', 'defender', 'entra', 'falcon', 'fleet', 'sentinelone', 'tanium'].sort(),
    );
  });

  it.each(all.map((f) => [f.name, f] as const))(
    '%s: detected, every row imported, joined onto the same machines',
    async (_n, f) => {
      const r = await importFile(ws, inputFromBytes(f.name, f.bytes));
      expect(r.format, f.mutations.join(', ')).toBe(f.format);
      expect(r.rows).toBe(f.rows);
      expect(r.rejected, JSON.stringify(r.errors.slice(0, 3))).toBe(0);
      expect(r.imported).toBe(f.rows);
      const live = ws.db.value<number>('SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL');
      expect(live).toBe(truth.devices);
      expect(ws.db.value('SELECT COUNT(*) FROM devices WHERE superseded_by IS NOT NULL')).toBe(truth.staleDuplicates);
    },
  );

  it("the AD file's non-ASCII names and FILETIME survive Windows-1252", () => {
    expect(ws.db.value(`SELECT COUNT(*) FROM device_sources WHERE source = 'ad' AND raw LIKE '%?%'`)).toBe(0);
    expect(ws.db.value(`SELECT COUNT(*) FROM devices WHERE last_seen IS NULL`)).toBe(0);
  });
});
