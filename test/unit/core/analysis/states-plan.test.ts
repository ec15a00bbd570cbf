// The states statement's plan: its stages run as co-routines (each device's row made once, handed on in registers),
// none written to a temp table and read back, none flattened into the next (which would evaluate a CASE again).
import { describe, expect, it } from 'vitest';
import { recompute } from '../../../../core/analysis/recompute.js';
import { addDevice, addEvent, crashedDevice, emptyWorkspace, T } from './fixtures.js';

describe('states statement plan', () => {
  it('runs its stages as co-routines, materialising none', async () => {
    const ws = await emptyWorkspace();
    const healthy = addDevice(ws, { hostname: 'HEALTHY' });
    addEvent(ws, healthy, 'installed', T('04:20'), { version: '291-bad' });
    crashedDevice(ws, { hostname: 'CRASHED' });
    // The statement's plan as recompute runs it (its temp tables in place), with its parameters.
    let plan: string[] = [];
    const run = ws.db.run.bind(ws.db);
    ws.db.run = ((sql: string, params?: never) => {
      if (/^\s*INSERT INTO _st\b/.test(sql))
        plan = ws.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params).map((r) => r.detail);
      return run(sql, params);
    }) as typeof ws.db.run;
    recompute(ws);
    ws.db.run = run;
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.join('\n')).not.toMatch(/MATERIALIZE/);
    // Three stages (the exposure class, down, the outcome) under the state and its rule.
    expect(plan.filter((d) => d.startsWith('CO-ROUTINE')).length).toBe(3);
    // Each device once, in id order: no sort.
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
  });
});
