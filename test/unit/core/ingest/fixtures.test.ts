// Every fleet format projected from one seeded population (with file mutations) joins onto the sample's Falcon export.
import { beforeAll, describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFile, RawReader } from '../../../../core/ingest/index.js';
import { computeGroundTruth, sampleImportInput } from '../../../../core/sample/index.js';
import { population } from '../../../../core/sample/model.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { cp1252Text, displayName, fixtures, type Fixture } from '../../../fixtures/ingest/generate.js';

const OPTS = { devices: 400, seed: 777 };

const open = async () =>
  openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });

describe('fixtures from one population', () => {
  let ws: Workspace;
  const truth = computeGroundTruth(OPTS);
  const all: Fixture[] = fixtures(OPTS);

  beforeAll(async () => {
    ws = await open();
    // Falcon and Intune first: Entra files carry no serial, so Entra device IDs join through Intune.
    for (const name of ['falcon-hosts.csv', 'intune-devices.csv'] as const) {
      const r = await importFile(ws, sampleImportInput(name, OPTS));
      expect(r.rejected).toBe(0);
    }
  });

  it('covers every fleet format, in every variant formats.md 6.2 lists', () => {
    expect(new Set(all.map((f) => f.format))).toEqual(
      new Set(['ad', 'configmgr', 'defender', 'entra', 'falcon', 'fleet', 'sentinelone', 'tanium', 'intune']),
    );
    const variants = all.map((f) => `${f.format}: ${f.mutations.join(', ')}`).join('\n');
    for (const v of [
      /falcon: JSON.*stale duplicates/,
      /intune: ZIP holding the CSV/,
      /intune: API-name header/,
      /sentinelone: JSON/,
      /sentinelone: UI labels/,
      /defender: UTF-8 BOM/, // API names
      /defender: UI labels/,
      /configmgr: ; delimiter, decimal commas/,
      /entra: exact header/,
      /entra: #TYPE preamble/,
    ])
      expect(variants).toMatch(v);
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
    // Raw rows live compressed in raw_chunks: read them back through RawReader, as the device view does.
    const src = ws.db.all<{ import_id: number; line: number; raw: string; aid: string }>(
      `SELECT s.import_id, s.line, s.raw, d.falcon_aid AS aid FROM device_sources s JOIN devices d ON d.id = s.device_id
        WHERE s.source = 'ad' ORDER BY s.line`,
    );
    const want = new Map([...population(OPTS)].filter((d) => d.platform === 'Windows').map((d) => [d.aid, d]));
    expect(src).toHaveLength(want.size);
    const reader = new RawReader(ws);
    let nonAscii = 0;
    for (const s of src) {
      const row = reader.row(s.import_id, s.line, s.raw);
      const d = want.get(s.aid)!;
      expect(row.Name).toBe(d.netbios);
      // Exactly what Windows-1252 can hold: é, ñ, ü, ø and ’ intact; only Ł (not in the code page) is `?`.
      expect(row.Description, `line ${s.line}`).toBe(cp1252Text(displayName(d)));
      if (/[^ -~]/.test(row.Description!)) nonAscii++;
    }
    expect(nonAscii).toBeGreaterThan(20);
    const names = src.map((s) => reader.row(s.import_id, s.line, s.raw).Description).join(' ');
    for (const ch of ['é', 'ñ', 'ü', 'ø', '’']) expect(names).toContain(ch);
    expect(ws.db.value(`SELECT COUNT(*) FROM devices WHERE last_seen IS NULL`)).toBe(0);
  });
});

describe('rings from every fleet source that carries one', () => {
  const truth = computeGroundTruth(OPTS);
  const all = fixtures(OPTS);
  const devs = [...population(OPTS)];
  const cases = [
    ['falcon-hosts.json', 'falcon host group', () => true],
    ['mde-inventory-ui.csv', 'defender AvSignatureRing', (d) => d.platform === 'Windows'],
    ['cm-devices.csv', 'configmgr collection', (d) => d.platform === 'Windows'],
    ['fleet-hosts.csv', 'fleet team', () => true],
  ] as const satisfies readonly (readonly [string, string, (d: (typeof devs)[number]) => boolean])[];

  it.each(cases)('%s alone gives each machine its population ring (%s)', async (name, source, inFile) => {
    const ws = await open();
    const f = all.find((x) => x.name === name)!;
    const r = await importFile(ws, inputFromBytes(f.name, f.bytes));
    expect(r.rejected, JSON.stringify(r.errors.slice(0, 3))).toBe(0);
    const got = ws.db.all<{ ring: string | null; source: string | null; n: number }>(
      `SELECT ring, ring_source AS source, COUNT(*) AS n FROM devices WHERE superseded_by IS NULL GROUP BY ring, ring_source ORDER BY ring`,
    );
    const want = new Map<string, number>();
    for (const d of devs) if (inFile(d)) want.set(d.ring, (want.get(d.ring) ?? 0) + 1);
    expect(got).toEqual(
      [...want]
        .filter(([, n]) => n > 0)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([ring, n]) => ({ ring, source, n })),
    );
    // A file with the whole population gives exactly the ground truth's ring counts.
    if (inFile.length === 0 || devs.every(inFile))
      expect(Object.fromEntries(got.map((g) => [g.ring, g.n]))).toEqual(
        Object.fromEntries(truth.byRing.filter((b) => b.devices > 0).map((b) => [b.ring, b.devices])),
      );
    // Machine by machine, not just the totals.
    const byAidOrName = ws.db.all<{ host_key: string; ring: string }>(
      'SELECT host_key, ring FROM devices WHERE superseded_by IS NULL',
    );
    const ringOf = new Map(devs.filter(inFile).map((d) => [d.hostname.toUpperCase().slice(0, 15), d.ring]));
    for (const x of byAidOrName) expect(x.ring, x.host_key).toBe(ringOf.get(x.host_key));
    ws.db.raw.close();
  });
});
