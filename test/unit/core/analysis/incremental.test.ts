// Incremental recompute (only the devices a field result touched) equals the full recompute on the sample incident.
import { beforeAll, describe, expect, it } from 'vitest';
import { recompute } from '../../../../core/analysis/recompute.js';
import { loadSample } from '../../../../core/sample/handlers.js';
import type { Workspace } from '../../../../core/workspace.js';
import { dumpAnalysis, rows } from './analysis-dump.js';
import { addResult, emptyWorkspace } from './fixtures.js';

const RESULTS = ['fixed', 'failed', 'needs_reimage', 'in_progress', 'not_found'] as const;

/**
 * The dump without fact ids: a full recompute rewrites every derived fact (boot loops) under a new id, a partial one
 * only the touched devices'. The deciding fact is compared by what it is (class, type, time, file line) instead.
 */
function comparable(ws: Workspace) {
  const { deviceRows: _d, factRows: _f, states: _s, ...rest } = dumpAnalysis(ws);
  return {
    ...rest,
    facts: rows(ws, 'SELECT device_id, class, type, value, ts, as_of, import_id, line, source, derived FROM facts')
      .map((r) => JSON.stringify(r))
      .sort(),
    devices: rows(
      ws,
      `SELECT d.id, d.hostname, d.state, d.state_rule, d.exposed, d.certainty, d.crashed_at, d.recovered_at, d.fixed_at,
         f.class, f.type, f.ts, f.import_id, f.line, f.derived
       FROM devices d LEFT JOIN facts f ON f.id = d.decided_by ORDER BY d.id`,
    ),
  };
}

describe('incremental recompute after field results', () => {
  let partial: Workspace;
  let full: Workspace;
  let touched: number[];

  beforeAll(async () => {
    [partial, full] = [await emptyWorkspace(), await emptyWorkspace()];
    for (const ws of [partial, full]) await loadSample(ws, { devices: 1500, seed: 5 });
    // Every 37th device, across every state the sample has, gets one of the results a technician reports.
    touched = (partial.db.all<{ id: number }>('SELECT id FROM devices WHERE id % 37 = 0 ORDER BY id') ?? []).map(
      (r) => r.id,
    );
    for (const ws of [partial, full])
      touched.forEach((id, i) => addResult(ws, id, RESULTS[i % RESULTS.length]!, Date.UTC(2024, 6, 22, 12, i)));
    recompute(partial, { deviceIds: touched });
    recompute(full);
  }, 240_000);

  it('touched devices in several states, and their states moved', () => {
    expect(touched.length).toBeGreaterThan(30);
    const fixed = touched.filter((_, i) => i % RESULTS.length === 0);
    const states = partial.db.all<{ state: string }>(
      `SELECT state FROM devices WHERE id IN (${fixed.join(',')}) AND state = 'fixed'`,
    );
    // A technician's "fixed" makes the device fixed unless the sample already had it recovered or unaffected.
    expect(states.length).toBeGreaterThan(0);
  });

  it('gives the states per device, summary tables, summary and review list of the full recompute', () => {
    expect(comparable(partial)).toEqual(comparable(full));
  });
});
