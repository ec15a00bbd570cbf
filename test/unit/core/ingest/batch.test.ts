// An import batch reports what it changed, logs it in the change log, and groups identical rejection reasons.
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../../core/contract/jobs.js';
import { changeLog } from '../../../../core/analysis/change-log.js';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importBatch } from '../../../../core/ingest/batch.js';
import { importFiles } from '../../../../core/ingest/index.js';
import { sampleImportInput } from '../../../../core/sample/index.js';
import { openWorkspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const HEADER =
  'Hostname,Host ID,Serial Number,Platform,OS Version,OS Build,Product Type,Sensor Version,First Seen,Last Seen,Site,Host Groups,Tags,Last Logged In User,Status';
const row = (host: string, aid: string) =>
  `${host},${aid},SN-${host},Windows,Windows 11,22631,Workstation,7.16.18605.0,2024-01-02T00:00:00Z,2024-07-23T10:00:00Z,LON,"Ring - Broad",,alice,Online`;

describe('import batches', () => {
  it('day 1 then day 2: devices added, states changed and the data time, each batch in the change log', async () => {
    const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(3) });
    const SAMPLE = { devices: 200, seed: 5 };
    const day1 = await importBatch(ws, [sampleImportInput('falcon-hosts.csv', SAMPLE)]);
    const live = () => ws.db.value<number>('SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL')!;
    expect(day1.changes.devicesBefore).toBe(0);
    expect(day1.changes.devicesAdded).toBe(live());
    expect(day1.changes.dataTime.before).toBeNull();

    const states = new Map(
      ws.db.all<{ id: number; state: string }>('SELECT id, state FROM devices').map((r) => [r.id, r.state]),
    );
    const t1 = day1.changes.dataTime.after;
    const day2 = await importBatch(ws, [sampleImportInput('rollout-events.csv', SAMPLE)]);
    const moved = ws.db
      .all<{ id: number; state: string }>('SELECT id, state FROM devices WHERE superseded_by IS NULL')
      .filter((r) => states.get(r.id) !== r.state).length;
    expect(day2.changes.devicesAdded).toBe(0);
    expect(day2.changes.statesChanged).toBe(moved);
    expect(Object.values(day2.changes.byNewState).reduce((a, b) => a + b, 0)).toBe(moved);
    expect(day2.changes.dataTime.before).toBe(t1);
    expect(day2.changes.dataTime.after).toBe(ws.db.value<number>('SELECT MAX(ts) FROM events'));

    const log = changeLog(ws);
    expect(log.map((e) => e.label)).toEqual([
      'import of 1 file: rollout-events.csv',
      'import of 1 file: falcon-hosts.csv',
    ]);
    expect(log[0]!.changes.statesChanged).toBe(moved);
  });

  it('groups rows rejected for the same reason, whatever their values, with the first lines', async () => {
    const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(3) });
    const text = [HEADER, ...Array.from({ length: 7 }, (_, i) => row(`BAD-${i}`, `nope-${i}`))].join('\r\n');
    const { reports } = await importBatch(ws, [inputFromBytes('bad.csv', text)]);
    const r = reports[0]!;
    expect(r.rejected).toBe(7);
    expect(r.reasons).toHaveLength(1);
    expect(r.reasons[0]).toMatchObject({ field: 'Host ID', count: 7, lines: [2, 3, 4, 5, 6] });
  });

  it("runs a batch's analysis in the batch's transaction with no savepoint of its own; a cancel after it undoes it", async () => {
    const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(3) });
    const SAMPLE = { devices: 300, seed: 9 };
    await importBatch(ws, [sampleImportInput('falcon-hosts.csv', SAMPLE)]);
    const before = ws.db.raw.export();
    // Every statement sql.js runs for the Db (its transactions and savepoints among them), with the phase it ran in.
    const raw = ws.db.raw as unknown as { run: (sql: string, p?: unknown) => unknown };
    const run = raw.run.bind(raw);
    let phase = '';
    const savepoints: string[] = [];
    raw.run = (sql, p) => {
      if (/^\s*SAVEPOINT/i.test(sql)) savepoints.push(phase);
      return run(sql, p);
    };
    const ctrl = new AbortController();
    await expect(
      importFiles(ws, [sampleImportInput('rollout-events.csv', SAMPLE)], {
        signal: ctrl.signal,
        onProgress: (p) => {
          phase = p.phase;
          // Cancelled once the analysis has begun: checked when it has written every state.
          if (p.phase === 'analyse') ctrl.abort();
        },
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    raw.run = run;
    // The file's own savepoint, and none from the analysis.
    expect(savepoints.length).toBeGreaterThan(0);
    expect(savepoints.filter((x) => x === 'analyse')).toEqual([]);
    expect(ws.db.inTransaction).toBe(false);
    expect(ws.db.raw.export()).toEqual(before);
  });
});
