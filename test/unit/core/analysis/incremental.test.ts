// Incremental recompute (only the devices a field result touched) equals the full recompute on the sample incident.
import { beforeAll, describe, expect, it } from 'vitest';
import { recompute } from '../../../../core/analysis/recompute.js';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFiles } from '../../../../core/ingest/index.js';
import { loadSample } from '../../../../core/sample/handlers.js';
import { sampleByteStream, sampleOptions } from '../../../../core/sample/index.js';
import { meta, type Workspace } from '../../../../core/workspace.js';
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

const SAMPLE = { devices: 1500, seed: 5 };

async function sampleLines(name: 'falcon-hosts.csv' | 'rollout-events.csv'): Promise<string[]> {
  return (await new Response(sampleByteStream(name, sampleOptions(SAMPLE))).text()).split('\n');
}

describe('incremental recompute after a small import', () => {
  let ws: Workspace;
  let full: ReturnType<typeof comparable>;
  let incremental: ReturnType<typeof comparable>;
  let scope: string | undefined;
  let before = 0;

  beforeAll(async () => {
    ws = await emptyWorkspace();
    await loadSample(ws, SAMPLE);
    before = ws.db.value<number>('SELECT COUNT(*) FROM devices')!;
    const events = await sampleLines('rollout-events.csv');
    const falcon = await sampleLines('falcon-hosts.csv');
    // Every 40th event again (crash counts and outcomes move), and 20 Falcon rows of machines reimaged under a new
    // name and AID (their serial joins them to the old record: supersede), all no later than the data time.
    const again = [events[0]!, ...events.slice(1).filter((l, i) => l && i % 40 === 7)].join('\n');
    const reimaged = [
      falcon[0]!,
      ...falcon
        .slice(1, 21)
        .map((l) =>
          l
            .replace(/^([A-Z]{3}-[A-Z]+-)0/, '$19')
            .replace(/,([0-9a-f]{32}),/, (_m, a: string) => `,${[...a].reverse().join('')},`),
        ),
    ].join('\n');
    const enc = new TextEncoder();
    await importFiles(ws, [
      inputFromBytes('falcon-reimaged.csv', enc.encode(reimaged)),
      inputFromBytes('events-again.csv', enc.encode(again)),
    ]);
    scope = meta(ws, 'analysis.scope');
    incremental = comparable(ws);
    recompute(ws);
    full = comparable(ws);
  }, 240_000);

  it('took the incremental path, and the import changed states and added records', () => {
    expect(scope).toBe('incremental');
    expect(incremental.devices.length).toBe(before + 20);
    const stale = ws.db.value<number>(
      `SELECT COUNT(*) FROM devices WHERE id > ${before} AND superseded_by IS NOT NULL`,
    );
    expect(stale).toBe(20);
  });

  it('gives the states per device, summary tables, summary and review list of the full recompute', () => {
    expect(meta(ws, 'analysis.scope')).toBe('full');
    expect(incremental).toEqual(full);
  });

  it('falls back to the full recompute when an import moves the data time', async () => {
    const events = await sampleLines('rollout-events.csv');
    const asOf = Number(meta(ws, 'analysis.as_of'));
    const later = new Date(asOf + 86_400_000).toISOString().slice(0, 19) + 'Z';
    // A check-in (not a content receipt, which could move the derived window): only the data time moves.
    const line = events.find((l) => l.endsWith(',online,,'))!.replace(/^[^,]+/, later);
    await importFiles(ws, [inputFromBytes('events-later.csv', new TextEncoder().encode(`${events[0]}\n${line}\n`))]);
    expect(meta(ws, 'analysis.scope')).toBe('full');
    expect(Number(meta(ws, 'analysis.as_of'))).toBe(asOf + 86_400_000);
  });
});
