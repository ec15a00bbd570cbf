// The sample's files through the real import path (importFile, real sql.js): rows and summary equal the ground truth.
import { beforeAll, describe, expect, it } from 'vitest';
import { analysisHandlers } from '../../../../core/analysis/handlers.js';
import type { Counts } from '../../../../core/contract/analysis.js';
import { CancelledError, type Progress } from '../../../../core/contract/jobs.js';
import { computeGroundTruth, type GroundTruth } from '../../../../core/sample/index.js';
import { loadSample, sampleTruth, type SampleLoadResult } from '../../../../core/sample/handlers.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const DEVICES = 3000;
const SEED = 20240719;

async function freshWorkspace(): Promise<Workspace> {
  return openWorkspace({
    SQL: await loadSqlJs(),
    keyMaterial: new Uint8Array(32).fill(7),
    now: () => Date.UTC(2024, 6, 24),
  });
}

describe('sample import', () => {
  let ws: Workspace;
  let result: SampleLoadResult;
  let truth: GroundTruth;
  const phases = new Set<string>();

  beforeAll(async () => {
    ws = await freshWorkspace();
    truth = computeGroundTruth({ devices: DEVICES, seed: SEED });
    result = await loadSample(
      ws,
      { devices: DEVICES, seed: SEED },
      { onProgress: (p: Progress) => phases.add(p.phase) },
    );
  });

  it('detects each file and imports every row, none rejected', () => {
    expect(result.files.map((f) => [f.file, f.format])).toEqual([
      ['falcon-hosts.csv', 'falcon'],
      ['intune-devices.csv', 'intune'],
      ['bitlocker-keys.csv', 'bitlocker'],
      ['rollout-events.csv', 'rollout'],
    ]);
    for (const f of result.files) {
      expect(f.rows, f.file).toBe(truth.files[f.file]);
      expect(f.rows, f.file).toBe(f.expected);
      expect(f.rejected, f.file).toBe(0);
    }
    expect([...phases].some((p) => p.startsWith('rollout-events.csv: '))).toBe(true);
  });

  it('stores rows equal to the ground truth: machines, stale records, keys, events', () => {
    const db = ws.db;
    expect(db.value('SELECT count(*) FROM devices WHERE superseded_by IS NULL')).toBe(truth.devices);
    expect(db.value('SELECT count(*) FROM devices WHERE superseded_by IS NOT NULL')).toBe(truth.staleDuplicates);
    expect(db.value('SELECT count(*) FROM keys')).toBe(truth.keys.total);
    expect(db.value('SELECT count(*) FROM keys WHERE valid = 1')).toBe(truth.keys.valid);
    expect(db.value('SELECT count(*) FROM keys WHERE device_id IS NULL')).toBe(truth.keys.unmatched);
    expect(db.value('SELECT count(*) FROM events')).toBe(truth.events);
    expect(db.value('SELECT count(*) FROM events WHERE device_id IS NULL')).toBe(0);
    // Intune rows joined onto the Falcon machines (serial / name), not added as new ones.
    expect(db.value('SELECT count(*) FROM devices WHERE intune_id IS NOT NULL')).toBe(
      truth.files['intune-devices.csv'],
    );
    expect(sampleTruth(ws)).toEqual(truth);
  });

  it('summarises to the ground truth: devices, by ring, by site, keys, states', () => {
    const s = analysisHandlers.summary(ws);
    expect(s.devices).toBe(truth.devices);
    const pick = ({ devices, exposed, affected, recovered, fixed, remaining }: Counts) => ({
      devices,
      exposed,
      affected,
      recovered,
      fixed,
      remaining,
    });
    for (const r of truth.byRing) {
      const got = s.byRing.find((x) => x.ring === r.ring);
      expect(got && pick(got), `ring ${r.ring}`).toEqual(pick(r));
    }
    for (const site of truth.bySite) {
      const got = s.bySite.find((x) => x.site === site.site);
      expect(got && pick(got), `site ${site.site}`).toEqual(pick(site));
    }
    expect(s.keys).toMatchObject({
      total: truth.keys.total,
      valid: truth.keys.valid,
      invalid: truth.keys.invalid,
      unmatched: truth.keys.unmatched,
      // Any key row counts, valid or not: the invalid ones are still what the technician will be handed.
      devicesWithKey: truth.keys.devicesWithKey,
    });
    expect(s.states).toEqual(truth.states);
  });

  it('adds nothing when the same sample is loaded again', async () => {
    const again = await loadSample(ws, { devices: DEVICES, seed: SEED });
    expect(again.files.every((f) => f.duplicate)).toBe(true);
    expect(ws.db.value('SELECT count(*) FROM events')).toBe(truth.events);
  });

  it('stops on cancel and leaves the workspace exactly as it was before the batch', async () => {
    const ws2 = await freshWorkspace();
    const ctrl = new AbortController();
    const run = loadSample(
      ws2,
      { devices: DEVICES, seed: SEED },
      {
        signal: ctrl.signal,
        onProgress: (p) => {
          if (p.phase.startsWith('intune-devices.csv')) ctrl.abort();
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(ws2.db.value('SELECT count(*) FROM devices WHERE intune_id IS NOT NULL')).toBe(0);
    expect(ws2.db.value("SELECT count(*) FROM imports WHERE file_name = 'intune-devices.csv'")).toBe(0);
    // The Falcon file, already read when the cancel came, is rolled back with the rest of the batch.
    expect(ws2.db.value('SELECT count(*) FROM imports')).toBe(0);
    expect(ws2.db.value('SELECT count(*) FROM devices')).toBe(0);
    expect(ws2.db.inTransaction).toBe(false);
  });
});
