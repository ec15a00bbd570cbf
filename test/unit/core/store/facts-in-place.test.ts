// Migration 35 (event facts read from the events in place): an image with the copied event facts opens and analyses
// the same, nothing counted twice; the per-device reads of the facts view go through the two tables' device indexes.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { handlers as h } from '../../../../core/api/handlers.js';
import { importFile, importFiles } from '../../../../core/ingest/index.js';
import { recompute } from '../../../../core/analysis/recompute.js';
import { sampleImportInput } from '../../../../core/sample/index.js';
import type { Workspace } from '../../../../core/workspace.js';
import { day1Files, day2Files, population } from '../../../fixtures/published/exports.js';
import { dumpAnalysis, rows } from '../analysis/analysis-dump.js';
import { addDevice, addEvent, emptyWorkspace, T } from '../analysis/fixtures.js';
import { firstFactId } from '../../../../core/store/facts.js';
import { open } from './open-workspace.js';
import { storedFleetFacts } from './stored-fleet-facts.js';

/** The event fact copy as store/facts.ts did it before migration 35 (at 7216c6a), by hand: the old image's rows. */
const OS = "source IN ('autopatch', 'wufb', 'configmgr')";
const REIMAGE = "lower(COALESCE(detail, '')) LIKE '%reimage%'";
const RECEIPT_CLASS = `CASE WHEN ${OS} THEN CASE WHEN as_of THEN 'update' ELSE 'seen' END ELSE 'content' END`;
const RECEIPT_TYPE = `CASE WHEN ${OS} THEN 'update_status' ELSE kind END`;
const OLD_COPY = `INSERT INTO facts(device_id, class, type, value, ts, as_of, import_id, line, source, event_id)
  SELECT device_id,
    CASE kind WHEN 'crashed' THEN 'crash' WHEN 'installed' THEN ${RECEIPT_CLASS} WHEN 'received' THEN ${RECEIPT_CLASS}
      WHEN 'rebooted' THEN 'restart' WHEN 'online' THEN 'seen' WHEN 'recovered' THEN 'outcome' WHEN 'fixed' THEN 'outcome'
      WHEN 'failed' THEN CASE WHEN ${REIMAGE} THEN 'outcome' END END,
    CASE kind WHEN 'crashed' THEN CASE WHEN detail LIKE 'BugCheck 0x%' THEN 'bugcheck' ELSE 'crash' END
      WHEN 'rebooted' THEN CASE WHEN (detail LIKE 'unclean restart%' OR detail LIKE 'unexpected shutdown%')
        THEN 'unclean' ELSE 'reboot' END
      WHEN 'installed' THEN ${RECEIPT_TYPE} WHEN 'received' THEN ${RECEIPT_TYPE} WHEN 'failed' THEN 'reimage' ELSE kind END,
    CASE WHEN kind IN ('received', 'installed') THEN version ELSE detail END, ts, as_of, import_id, line, source, id
  FROM events WHERE kind IN ('received', 'installed', 'crashed', 'rebooted', 'recovered', 'fixed', 'online')
    OR (kind = 'failed' AND ${REIMAGE}) ORDER BY id`;

/**
 * The workspace's image as migration 34 left it: one facts table with a copy of every event's fact (after the fleet
 * facts, as a sync at the batch end wrote them), and the devices decided by an event naming its copy.
 */
function oldImage(ws: Workspace): Uint8Array {
  const db = ws.db;
  // The fleet facts stored as well (migration 40 undone first).
  storedFleetFacts(ws);
  db.run('DROP VIEW facts');
  db.run('DROP VIEW event_facts');
  db.run('ALTER TABLE stored_facts RENAME TO facts');
  db.run(OLD_COPY);
  db.run(`UPDATE devices SET decided_by = (SELECT f.id FROM facts f WHERE f.event_id = devices.decided_by - 1e15
    AND f.class <> 'ring') WHERE decided_by >= 1e15`);
  db.run('DELETE FROM schema_migrations WHERE version = 35');
  return db.export();
}

async function roundTrip(ws: Workspace): Promise<void> {
  const dump = dumpAnalysis(ws);
  const stored = ws.db.value<number>('SELECT COUNT(*) FROM stored_facts')!;
  const byEvent = ws.db.value<number>("SELECT COUNT(*) FROM devices WHERE decided_by >= 1e15 AND state <> 'unknown'")!;
  // Devices decided by an event's fact: the repointing below has work to do.
  expect(byEvent).toBeGreaterThan(0);
  const image = oldImage(ws);
  const old = await open(image);
  expect(old.db.value('SELECT COUNT(*) FROM schema_migrations WHERE version = 35')).toBe(1);
  expect(old.db.value('PRAGMA integrity_check')).toBe('ok');
  // The copies moved out, nothing counted twice; before any recompute every decision names the same fact.
  expect(old.db.value('SELECT COUNT(*) FROM stored_facts')).toBe(stored);
  expect(dumpAnalysis(old)).toEqual(dump);
  recompute(old);
  expect({ ...dumpAnalysis(old), summary: '' }).toEqual({ ...dump, summary: '' });
}

describe('event facts in place (migration 035)', () => {
  it('an image with the copied event facts opens and analyses the same: the sample', async () => {
    const ws = await open();
    for (const name of ['falcon-hosts.csv', 'intune-devices.csv', 'rollout-events.csv'] as const)
      await importFile(ws, sampleImportInput(name, { devices: 400, seed: 35 }));
    await roundTrip(ws);
  }, 120_000);

  it('an image with the copied event facts opens and analyses the same: update-ring reports and event logs', async () => {
    const ws = await open();
    const pop = population();
    for (const files of [day1Files(pop), day2Files(pop)])
      await importFiles(
        ws,
        files.map((f) => inputFromBytes(f.name, f.data)),
      );
    // The ring facts of the Autopatch report stay stored, beside the event facts read in place.
    expect(
      ws.db.value("SELECT COUNT(*) FROM stored_facts WHERE class = 'ring' AND event_id IS NOT NULL"),
    ).toBeGreaterThan(0);
    await roundTrip(ws);
  }, 120_000);

  it('an event is a fact with its own kind of evidence, its file line and the device it has now', async () => {
    const ws = await emptyWorkspace();
    const a = addDevice(ws, { hostname: 'A', lastSeen: T('06:00') });
    addEvent(ws, a, 'installed', T('04:31'), { version: '291-bad' });
    addEvent(ws, a, 'rebooted', T('04:40'), { detail: 'unclean restart (41)' });
    addEvent(ws, a, 'offered', T('04:10'));
    addEvent(ws, a, 'failed', T('05:00'), { detail: 'agent crashed' });
    addEvent(ws, a, 'failed', T('05:10'), { detail: 'Reimaged by desk' });
    const events = rows(ws, 'SELECT id FROM events ORDER BY id').map((r) => r[0] as number);
    // By hand: installed from falcon = a content receipt; an unclean restart; no fact for offered or a plain failure.
    expect(rows(ws, 'SELECT id, class, type, value FROM facts WHERE event_id IS NOT NULL ORDER BY ts')).toEqual([
      [1e15 + events[0]!, 'content', 'installed', '291-bad'],
      [1e15 + events[1]!, 'restart', 'unclean', 'unclean restart (41)'],
      [1e15 + events[4]!, 'outcome', 'reimage', 'Reimaged by desk'],
    ]);
    // An orphan event (no device yet) gets its device in the view the moment the event does: no fact to update.
    ws.db.run('INSERT INTO events(device_id, ts, kind, source) VALUES (NULL, ?, ?, ?)', [T('04:50'), 'crashed', 'x']);
    const orphan = ws.db.value<number>('SELECT MAX(id) FROM events')!;
    expect(ws.db.value('SELECT device_id FROM facts WHERE id = ?', [1e15 + orphan])).toBeNull();
    ws.db.run('UPDATE events SET device_id = ? WHERE id = ?', [a, orphan]);
    expect(ws.db.value('SELECT device_id FROM facts WHERE id = ?', [1e15 + orphan])).toBe(a);
  });

  it('derived facts point at their evidence; the device chain lists an event log’s restarts, read in place', async () => {
    const ws = await emptyWorkspace();
    const falcon = [
      'Hostname,Host ID,Platform,Sensor Version,First Seen,Last Seen',
      `PC-1,${'a'.repeat(32)},Windows,7.16.18605.0,2024-06-01T08:00:00Z,2024-07-19T04:20:00Z`,
      // PC-2: last seen in the window and not since (PC-3 is, at 09:00): a suspected crash from silence.
      `PC-2,${'b'.repeat(32)},Windows,7.16.18605.0,2024-06-01T08:00:00Z,2024-07-19T04:25:00Z`,
      `PC-3,${'c'.repeat(32)},Windows,7.16.18605.0,2024-06-01T08:00:00Z,2024-07-19T09:00:00Z`,
    ].join('\r\n');
    // Get-WinEvent | Export-Csv: three 41s without a stop code within minutes, from inside the window.
    const props = '"System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"';
    const row = (t: string) =>
      `"The system has rebooted without cleanly shutting down first.",41,Microsoft-Windows-Kernel-Power,PC-1,${t},${props}`;
    const events = [
      'Message,Id,ProviderName,MachineName,TimeCreated,Properties',
      row('2024-07-19T04:31:00Z'),
      row('2024-07-19T04:34:00Z'),
      row('2024-07-19T04:38:00Z'),
    ].join('\r\n');
    await importFiles(ws, [inputFromBytes('falcon.csv', falcon), inputFromBytes('events.csv', events)]);
    const id = ws.db.value<number>("SELECT id FROM devices WHERE hostname = 'PC-1'")!;
    const chain = h.deviceDetail(ws, id)!.evidence!;
    const fromEvents = chain.facts.filter((f) => f.file === 'events.csv');
    // By hand: the three restarts (file lines 2-4, read from the events in place), then the loop derived from them,
    // which points at the first restart's line; the loop is the crash that decided the state.
    expect(fromEvents.map((f) => [f.class, f.type, f.line, f.ts, f.derived])).toEqual([
      ['restart', 'unclean', 2, T('04:31'), false],
      ['crash', 'boot_loop', 2, T('04:31'), true],
      ['restart', 'unclean', 3, T('04:34'), false],
      ['restart', 'unclean', 4, T('04:38'), false],
    ]);
    expect(fromEvents.filter((f) => !f.derived).every((f) => f.id > 1e15)).toBe(true);
    expect(chain.facts.find((f) => f.deciding)).toMatchObject({ type: 'boot_loop', line: 2 });
    // The silence rests on PC-2's check-in, a stored fleet fact: falcon.csv line 3.
    const pc2 = ws.db.value<number>("SELECT id FROM devices WHERE hostname = 'PC-2'")!;
    expect(h.deviceDetail(ws, pc2)!.evidence!.facts.find((f) => f.deciding)).toMatchObject({
      type: 'stopped_reporting',
      file: 'falcon.csv',
      line: 3,
      ts: T('04:25'),
    });
  });

  it('per-device reads go through each table’s device index; the full evidence pass scans', async () => {
    const ws = await open();
    ws.db.run('CREATE TEMP TABLE _st(id INTEGER PRIMARY KEY, dclass TEXT, dts INTEGER, decided INTEGER)');
    const plan = (sql: string) =>
      rows(ws, `EXPLAIN QUERY PLAN ${sql}`)
        .map((r) => String(r[3]))
        .join('\n');
    // The deciding fact, correlated with the device: the view itself would be indexed whole (an automatic index).
    const decided = plan(
      `UPDATE temp._st SET decided = ${firstFactId('_st.id', 'class = _st.dclass AND ts = _st.dts')}`,
    );
    expect(decided).toContain('ix_facts_device (device_id=? AND class=? AND ts=?)');
    expect(decided).toContain('ix_events_device_ts (device_id=? AND ts=?)');
    expect(decided).not.toContain('AUTOMATIC');
    // One device's chain: a constant term, which SQLite pushes into each arm of the view.
    const chain = plan('SELECT id FROM facts WHERE device_id = 7 ORDER BY ts');
    expect(chain).toContain('ix_facts_device (device_id=?)');
    expect(chain).toContain('ix_events_device_ts (device_id=?)');
    const scan = plan(
      "SELECT device_id, ts FROM facts WHERE +device_id IS NOT NULL AND derived = 0 AND class = 'crash'",
    );
    expect(scan).toMatch(/SCAN stored_facts\b(?! USING)/);
    expect(scan).toMatch(/SCAN events\b(?! USING)/);
  });
});
