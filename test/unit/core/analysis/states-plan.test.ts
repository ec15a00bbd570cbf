// The states statement's plan: its stages run as co-routines (each device's row made once, handed on in registers),
// none written to a temp table and read back, none flattened into the next (which would evaluate a CASE again); and
// the codes its stages hand on (the exposure class, the field result, the outcome) at their boundaries.
import { describe, expect, it } from 'vitest';
import { recompute } from '../../../../core/analysis/recompute.js';
import { addDevice, addEvent, addResult, crashedDevice, emptyWorkspace, T } from './fixtures.js';

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
    // Two stages (the exposure class; down, the crash time and the outcome) under the state and its rule.
    expect(plan.filter((d) => d.startsWith('CO-ROUTINE')).length).toBe(2);
    // Each device once, in id order: no sort.
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('a field result at the time of the fix event decides; a later fix event decides over an earlier result', async () => {
    const ws = await emptyWorkspace();
    const tie = crashedDevice(ws, { hostname: 'TIE' });
    addEvent(ws, tie, 'fixed', T('09:00', 20));
    addResult(ws, tie, 'fixed', T('09:00', 20));
    const later = crashedDevice(ws, { hostname: 'LATER-EV' });
    addResult(ws, later, 'fixed', T('08:00', 20));
    addEvent(ws, later, 'fixed', T('09:00', 20));
    recompute(ws);
    const rule = (id: number) =>
      ws.db.get<{ state: string; state_rule: string }>('SELECT state, state_rule FROM devices WHERE id = ?', [id])!;
    expect(rule(tie).state).toBe('fixed');
    expect(rule(tie).state_rule).toMatch(/fixed by hand 07-20 09:00 \(field result\)$/);
    expect(rule(later).state).toBe('fixed');
    expect(rule(later).state_rule).toMatch(/fixed by hand 07-20 09:00$/);
  });
});
