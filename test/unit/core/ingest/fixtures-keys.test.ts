// BitLocker key exports of one seeded population, in every format formats.md 2.2 lists, match its ground truth.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { findKeys, hostKey, importFile, type IngestReport } from '../../../../core/ingest/index.js';
import { computeGroundTruth, sampleImportInput } from '../../../../core/sample/index.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { EXTRA_INVALID, expectKeys, keyFixtures, type KeyFixture } from '../../../fixtures/ingest/keys.js';

// A seed whose 400 machines give both invalid classes and keys for machines the fleet no longer has.
const OPTS = { devices: 400, seed: 16 };
const truth = computeGroundTruth(OPTS);
const { files, keys, extra } = keyFixtures(OPTS);

/** A workspace holding the population's fleet (Falcon and Intune), then one key file. */
async function load(f: KeyFixture): Promise<{ ws: Workspace; r: IngestReport }> {
  const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });
  for (const name of ['falcon-hosts.csv', 'intune-devices.csv'] as const)
    expect((await importFile(ws, sampleImportInput(name, OPTS))).rejected).toBe(0);
  return { ws, r: await importFile(ws, inputFromBytes(f.name, f.bytes)) };
}

function counts(ws: Workspace) {
  return ws.db.get<{ total: number; valid: number; invalid: number; devicesWithKey: number; unmatched: number }>(
    `SELECT COUNT(*) AS total, SUM(valid) AS valid, SUM(1 - valid) AS invalid,
            COUNT(DISTINCT device_id) AS devicesWithKey, SUM(device_id IS NULL) AS unmatched FROM keys`,
  )!;
}

describe('BitLocker key exports from one population', () => {
  it('the population has every kind of key row the recipe asks for', () => {
    expect(truth.keys.invalid).toBeGreaterThan(0);
    expect(truth.keys.unmatched).toBeGreaterThan(0);
    expect(keys.some((k) => !k.valid && k.password.split('-').some((g) => Number(g) >= 720896))).toBe(true);
    expect(keys.some((k) => !k.valid && k.password.split('-').some((g) => Number(g) % 11 !== 0))).toBe(true);
    expect(keys.some((k) => k.directory === 'ActiveDirectory') && keys.some((k) => k.directory === 'EntraID')).toBe(
      true,
    );
    const perDevice = new Map<number, number>();
    for (const k of keys) perDevice.set(k.dev.index, (perDevice.get(k.dev.index) ?? 0) + 1);
    expect([...perDevice.values()].some((n) => n > 1)).toBe(true);
    // The CrowdStrike-format file is the ground truth's key export.
    const { devicesWithValidKey: _, ...want } = truth.keys;
    expect(expectKeys(files[0]!)).toEqual(want);
  });

  it.each(files.map((f) => [f.name, f] as const))(
    '%s: detected, every key kept, joined to its machine, counts as the population says',
    async (_n, f) => {
      const { ws, r } = await load(f);
      expect(r.format, f.mutations.join(', ')).toBe('bitlocker');
      expect(r, JSON.stringify(r.errors.slice(0, 3))).toMatchObject({
        rows: f.keys.length,
        imported: f.keys.length,
        rejected: 0,
      });
      expect(counts(ws)).toEqual(expectKeys(f));
      // Machine by machine: each key sits on the live record of the machine it was escrowed for.
      const got = new Map(
        ws.db
          .all<{ key_id: string; host_key: string | null; superseded: number | null }>(
            `SELECT k.key_id, d.host_key, d.superseded_by AS superseded FROM keys k LEFT JOIN devices d ON d.id = k.device_id`,
          )
          .map((x) => [x.key_id, x]),
      );
      for (const k of f.keys) {
        const g = got.get(k.guid)!;
        expect(g, k.keyId).toBeDefined();
        if (k.matched && f.joins(k)) {
          expect(g.host_key, k.hostname).toBe(hostKey(k.dev.hostname));
          expect(g.superseded).toBeNull();
        } else expect(g.host_key).toBeNull();
      }
      // Every invalid key is flagged (kept, never corrected) on the recovery password's column.
      const flags = r.errors.filter((e) => /invalid recovery password/.test(e.message));
      expect(flags).toHaveLength(f.keys.filter((k) => !k.valid).length);
      expect(r.flagged).toBe(flags.length);
      for (const e of flags) expect(e.message).toMatch(/^kept: invalid recovery password, flagged and never corrected/);
      // The password never appears in a message.
      for (const e of r.errors) for (const k of f.keys) expect(e.message).not.toContain(k.password);
      ws.db.raw.close();
    },
  );

  it('each invalid class is reported with its line and field; lookups by every ID spelling and an 8-character prefix', async () => {
    const f = files.find((x) => x.name === 'BitLockerKeys-excel.csv')!;
    const { ws, r } = await load(f);
    const byLine = new Map(r.errors.map((e) => [e.line, e]));
    // Line 1 is the header: the population's rows start on line 2, the spreadsheet's extra rows follow them.
    f.keys.forEach((k, i) => {
      const e = byLine.get(i + 2);
      if (k.valid) return expect(e, `line ${i + 2}`).toBeUndefined();
      expect(e, `line ${i + 2}`).toMatchObject({ line: i + 2, field: 'RecoveryKey' });
      const groups = k.password.split('-');
      if (i < keys.length)
        expect(e!.message).toMatch(
          groups.some((g) => Number(g) % 11 !== 0) ? /not divisible by 11/ : /is 720896 or more/,
        );
    });
    EXTRA_INVALID.forEach(([what, , message], j) => {
      expect(byLine.get(keys.length + 2 + j)?.message, what).toMatch(message);
    });
    // The stored problem says the same, for the key list.
    expect(ws.db.value(`SELECT COUNT(*) FROM keys WHERE valid = 0 AND problem IS NOT NULL`)).toBe(
      truth.keys.invalid + EXTRA_INVALID.length,
    );

    const k = keys.find((x) => x.matched)!;
    const upper = `{${k.guid.toUpperCase()}}`;
    const mixed = k.guid.replace(/[a-f]/g, (c, at: number) => (at % 2 ? c.toUpperCase() : c));
    for (const q of [
      upper,
      k.guid,
      k.guid.toUpperCase(),
      `{${k.guid}}`,
      mixed,
      k.guid.slice(0, 8),
      upper.slice(0, 9),
    ]) {
      const hits = findKeys(ws, q);
      expect(
        hits.map((h) => h.keyId),
        q,
      ).toEqual([k.guid]);
      expect(hits[0]!.hostname?.toUpperCase().slice(0, 15)).toBe(hostKey(k.dev.hostname));
    }
    // Two keys share their first 8 characters: the prefix finds both, and the full ID only its own.
    const twin = extra[extra.length - 1]!;
    const prefix = twin.guid.slice(0, 8);
    expect(
      findKeys(ws, prefix.toUpperCase())
        .map((h) => h.keyId)
        .sort(),
    ).toEqual([twin.guid, keys.find((x) => x.guid.startsWith(prefix))!.guid].sort());
    expect(findKeys(ws, twin.keyId).map((h) => h.keyId)).toEqual([twin.guid]);
    // Fewer than 8 characters is not a lookup.
    expect(findKeys(ws, prefix.slice(0, 7))).toEqual([]);
    ws.db.raw.close();
  });
});
