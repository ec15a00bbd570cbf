// Migration 025 (facts without their import index) and the bulk fact sync: an older workspace opens, loses the index
// and analyses to the same results; a bulk sync gives the same facts as row-by-row index upkeep.
import { describe, expect, it } from 'vitest';
import { recompute } from '../../../../core/analysis/recompute.js';
import { importFile } from '../../../../core/ingest/index.js';
import { sampleImportInput } from '../../../../core/sample/index.js';
import type { Workspace } from '../../../../core/workspace.js';
import { dumpAnalysis, rows } from '../analysis/analysis-dump.js';
import { open } from './open-workspace.js';

const OPTS = { devices: 400, seed: 31 };

async function sampleWorkspace(): Promise<Workspace> {
  const ws = await open();
  for (const name of ['falcon-hosts.csv', 'intune-devices.csv', 'rollout-events.csv'] as const)
    await importFile(ws, sampleImportInput(name, OPTS));
  return ws;
}

const hasIndex = (ws: Workspace, name: string) =>
  ws.db.value<number>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?", [name]);

describe('facts without the import index (migration 025)', () => {
  it('an image from before 025 opens, loses ix_facts_import, and analyses to the same results', async () => {
    const ws = await sampleWorkspace();
    expect(hasIndex(ws, 'ix_facts_import')).toBe(0);
    const dump = dumpAnalysis(ws);
    // The image as 024 left it: the index there, 025 not recorded.
    ws.db.run('CREATE INDEX ix_facts_import ON facts(import_id)');
    ws.db.run('DELETE FROM schema_migrations WHERE version = 25');
    const old = await open(ws.db.export());
    expect(hasIndex(old, 'ix_facts_import')).toBe(0);
    expect(old.db.value('SELECT COUNT(*) FROM schema_migrations WHERE version = 25')).toBe(1);
    expect(old.db.value('PRAGMA integrity_check')).toBe('ok');
    recompute(old);
    const again = dumpAnalysis(old);
    expect({ ...again, summary: '' }).toEqual({ ...dump, summary: '' });
  }, 120_000);

  it('moving a review item’s facts finds them through the device index, not every fact of the import', async () => {
    const ws = await open();
    const plan = rows(
      ws,
      'EXPLAIN QUERY PLAN UPDATE facts SET device_id = 1 WHERE device_id = 2 AND import_id = 3 AND line = 4 AND event_id IS NULL',
    )
      .map((r) => String(r[3]))
      .join('\n');
    expect(plan).toContain('ix_facts_device (device_id=?)');
  });
});

describe('bulk fact sync', () => {
  it('drops the device index for a large sync and builds it again, as migration 020 defined it', async () => {
    const ws = await open();
    const def = () => ws.db.value<string>("SELECT sql FROM sqlite_master WHERE name = 'ix_facts_device'");
    const before = def();
    for (const name of ['falcon-hosts.csv', 'intune-devices.csv', 'rollout-events.csv'] as const)
      await importFile(ws, sampleImportInput(name, { devices: 1500, seed: 31 }));
    // Thousands of events against fewer facts: the sync took the bulk path (the sample's goldens hold its output).
    const events = ws.db.value<number>('SELECT COUNT(*) FROM events')!;
    expect(events).toBeGreaterThan(5000);
    expect(def()).toBe(before);
    expect(ws.db.value('PRAGMA integrity_check')).toBe('ok');
    // Every fact with a device is found through the rebuilt index.
    expect(ws.db.value('SELECT COUNT(*) FROM facts INDEXED BY ix_facts_device WHERE device_id > 0')).toBe(
      ws.db.value('SELECT COUNT(*) FROM facts NOT INDEXED WHERE device_id > 0'),
    );
    expect(ws.db.value<number>('SELECT COUNT(*) FROM facts WHERE event_id IS NOT NULL')).toBeGreaterThan(events / 2);
  }, 120_000);
});
