// Migration 025 (facts without their import index): an older workspace opens, loses the index and analyses to the
// same results. (The stored facts are stored_facts since migration 35; the bulk event copy it also tested is gone.)
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
    ws.db.run('CREATE INDEX ix_facts_import ON stored_facts(import_id)');
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
      'EXPLAIN QUERY PLAN UPDATE stored_facts SET device_id = 1 WHERE device_id = 2 AND import_id = 3 AND line = 4 AND event_id IS NULL',
    )
      .map((r) => String(r[3]))
      .join('\n');
    expect(plan).toContain('ix_facts_device (device_id=?)');
  });
});
