// A bulk batch's foreign keys are checked once at its end: the same rows as row-by-row checks, a bad row still fails it.
import { describe, expect, it } from 'vitest';
import { importFiles } from '../../../../core/ingest/pipeline.js';
import { SAMPLE_EXPORTS, sampleImportInput, sampleOptions } from '../../../../core/sample/index.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { deferForeignKeys, restoreForeignKeys } from '../../../../core/store/foreign-keys.js';
import { dumpAnalysis } from '../analysis/analysis-dump.js';

const open = async () =>
  openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => Date.UTC(2024, 6, 22) });

const files = (devices: number, seed = 11) =>
  SAMPLE_EXPORTS.map((name) => sampleImportInput(name, sampleOptions({ devices, seed })));

const fkOn = (ws: Workspace) => ws.db.value<number>('PRAGMA foreign_keys');

/** Every table's row count and the analysis' results (key_chunks' sealed bytes have random nonces: counted only). */
function state(ws: Workspace) {
  const tables = ws.db
    .all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .map((t) => t.name)
    .sort();
  return {
    counts: tables.map((t) => [t, ws.db.value<number>(`SELECT COUNT(*) FROM "${t}"`)]),
    analysis: dumpAnalysis(ws),
    sources: ws.db.all('SELECT id, device_id, import_id, source, line, native_id FROM device_sources ORDER BY id'),
    facts: ws.db.all('SELECT * FROM stored_facts ORDER BY id'),
  };
}

describe('foreign keys in a bulk batch', () => {
  it('are off while the batch runs and on after, with the results of a batch that checks every row', async () => {
    const bulk = await open();
    const seen: number[] = [];
    await importFiles(bulk, files(1500), { onProgress: () => void seen.push(fkOn(bulk)!) });
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([0]));
    expect(fkOn(bulk)).toBe(1);

    // The same batch inside an open transaction keeps them on (SQLite ignores the pragma there).
    const checked = await open();
    const seenOn: number[] = [];
    await checked.db.txAsync(() =>
      importFiles(checked, files(1500), { onProgress: () => void seenOn.push(fkOn(checked)!) }),
    );
    expect(new Set(seenOn)).toEqual(new Set([1]));
    expect(state(bulk)).toEqual(state(checked));
  });

  it('fails the whole batch on a row whose parent is missing, leaving the workspace as it was', async () => {
    const ws = await open();
    await importFiles(ws, files(300, 3));
    const before = state(ws);
    let planted = false;
    const done = importFiles(ws, files(1500), {
      onProgress: (p) => {
        // A writer's bug, as it would look: an event naming a device that does not exist.
        if (planted || !p.phase.includes('rollout')) return;
        planted = true;
        ws.db.run("INSERT INTO events(device_id, kind, ts, source, import_id) VALUES (99999999, 'crashed', 0, 'x', 1)");
      },
    });
    await expect(done).rejects.toThrow(/events row \d+ refers to a devices row that does not exist/);
    expect(planted).toBe(true);
    expect(state(ws)).toEqual(before);
    expect(fkOn(ws)).toBe(1);
  });

  it('stay on for a small batch into a larger workspace', async () => {
    const ws = await open();
    await importFiles(ws, files(1500));
    const seen: number[] = [];
    await importFiles(ws, files(40, 5), { onProgress: () => void seen.push(fkOn(ws)!) });
    expect(new Set(seen)).toEqual(new Set([1]));
  });

  it('are deferred only for a batch of at least a quarter of what the workspace holds, and never inside a transaction', async () => {
    const ws = await open();
    await importFiles(ws, files(300, 3));
    const held = ['devices', 'device_sources', 'stored_facts', 'events', 'keys']
      .map((t) => ws.db.value<number>(`SELECT MAX(rowid) FROM ${t}`)!)
      .reduce((a, b) => a + b);
    expect(deferForeignKeys(ws.db, held / 4 - 1, 0)).toBe(false);
    expect(fkOn(ws)).toBe(1);
    expect(deferForeignKeys(ws.db, held / 4, held)).toBe(false);
    ws.db.tx(() => expect(deferForeignKeys(ws.db, held, 0)).toBe(false));
    expect(deferForeignKeys(ws.db, held / 4, 0)).toBe(true);
    expect(fkOn(ws)).toBe(0);
    restoreForeignKeys(ws.db);
    expect(fkOn(ws)).toBe(1);
  });
});
