// Migration 40 (fleet facts read from the source rows in place): an image with the stored fleet facts opens and analyses
// the same, nothing counted twice; a row's facts, their ids and order; a split row's facts go with it; the index reads.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { handlers as h } from '../../../../core/api/handlers.js';
import { importFile, importFiles } from '../../../../core/ingest/index.js';
import { resolveReview, reviewList } from '../../../../core/ingest/review.js';
import { recompute } from '../../../../core/analysis/recompute.js';
import { sampleImportInput } from '../../../../core/sample/index.js';
import type { Workspace } from '../../../../core/workspace.js';
import { day1Files, day2Files, population } from '../../../fixtures/published/exports.js';
import { dumpAnalysis, rows } from '../analysis/analysis-dump.js';
import { addEvent, emptyWorkspace, T } from '../analysis/fixtures.js';
import * as evidence from '../../../../core/store/evidence.js';
import { firstFactId, fleetCheckIn, lastFactId, latestSince } from '../../../../core/store/facts.js';
import { open } from './open-workspace.js';
import { storedFleetFacts } from './stored-fleet-facts.js';
import { fixtures } from '../../../fixtures/ingest/generate.js';

/** A fleet fact's id base, as an integer literal (5e14 in SQL is a float: its arithmetic would not be an id's). */
const FLEET = '500000000000000';

/** `decided`: some devices are decided by a fleet fact (a check-in), so the repointing has work to do. */
async function roundTrip(ws: Workspace, decided: boolean): Promise<void> {
  const dump = dumpAnalysis(ws);
  const stored = ws.db.value<number>('SELECT COUNT(*) FROM stored_facts')!;
  const fleet = ws.db.value<number>('SELECT COUNT(*) FROM source_facts')!;
  const byFleet = ws.db.value<number>('SELECT COUNT(*) FROM devices WHERE decided_by BETWEEN 5e14 AND 1e15')!;
  if (decided) expect(byFleet).toBeGreaterThan(0);
  storedFleetFacts(ws);
  expect(ws.db.value('SELECT COUNT(*) FROM stored_facts')).toBe(stored + fleet);
  const old = await open(ws.db.export());
  expect(old.db.value('SELECT COUNT(*) FROM schema_migrations WHERE version = 40')).toBe(1);
  expect(old.db.value('PRAGMA integrity_check')).toBe('ok');
  // The copies moved onto their source rows, nothing counted twice; before any recompute every decision names the
  // same fact, and its id is the fleet fact's.
  expect(old.db.value('SELECT COUNT(*) FROM stored_facts')).toBe(stored);
  expect(old.db.value('SELECT COUNT(*) FROM source_facts')).toBe(fleet);
  expect(old.db.value('SELECT COUNT(*) FROM devices WHERE decided_by BETWEEN 5e14 AND 1e15')).toBe(byFleet);
  expect(dumpAnalysis(old)).toEqual(dump);
  recompute(old);
  expect({ ...dumpAnalysis(old), summary: '' }).toEqual({ ...dump, summary: '' });
}

describe('fleet facts in place (migration 040)', () => {
  it('an image with the stored fleet facts opens and analyses the same: the sample', async () => {
    const ws = await open();
    for (const name of ['falcon-hosts.csv', 'intune-devices.csv', 'rollout-events.csv'] as const)
      await importFile(ws, sampleImportInput(name, { devices: 400, seed: 40 }));
    // Ring facts from the fleet files (read in place), which no device is decided by here.
    expect(ws.db.value("SELECT COUNT(*) FROM source_facts WHERE class = 'ring'")).toBeGreaterThan(0);
    await roundTrip(ws, false);
  }, 120_000);

  it('an image with the stored fleet facts opens and analyses the same: update-ring reports and event logs', async () => {
    const ws = await open();
    const pop = population();
    for (const files of [day1Files(pop), day2Files(pop)])
      await importFiles(
        ws,
        files.map((f) => inputFromBytes(f.name, f.data)),
      );
    // Stored ring facts (the Autopatch report's) beside the fleet facts read in place.
    expect(ws.db.value("SELECT COUNT(*) FROM stored_facts WHERE class = 'ring'")).toBeGreaterThan(0);
    await roundTrip(ws, true);
  }, 120_000);

  it('a fleet row makes a fact per value it has: check-in, sensor, OS, ring, in id order; none for an empty one', async () => {
    const ws = await emptyWorkspace();
    const falcon = [
      'Hostname,Host ID,Platform,OS Version,Sensor Version,First Seen,Last Seen,Sensor Update Policy',
      `PC-1,${'a'.repeat(32)},Windows,Windows 11,7.16.18605.0,2024-06-01T08:00:00Z,2024-07-19T04:20:00Z,Ring 1`,
      // No last seen, no sensor version: its OS and ring facts take the export's time (as of), nothing else.
      `PC-2,${'b'.repeat(32)},Windows,Windows 10,,2024-06-01T08:00:00Z,,`,
    ].join('\r\n');
    await importFiles(ws, [inputFromBytes('falcon.csv', falcon)]);
    const src = rows(ws, 'SELECT id, device_id FROM device_sources ORDER BY id');
    expect(src).toHaveLength(2);
    const [s1, d1] = src[0] as [number, number];
    const [s2, d2] = src[1] as [number, number];
    const facts = rows(ws, 'SELECT id, device_id, class, type, value, ts, as_of, line FROM facts ORDER BY id');
    const at = Date.parse('2024-07-19T04:20:00Z');
    // By hand: PC-1's four, its check-in first; PC-2 (no last seen) its OS version as of the export (PC-1's check-in,
    // the file's latest time) and no check-in, sensor or ring fact.
    expect(facts.filter((f) => f[1] === d1)).toEqual([
      [5e14 + s1 * 4, d1, 'seen', 'last_seen', 'Last Seen', at, 0, 2],
      [5e14 + s1 * 4 + 1, d1, 'version', 'sensor', '7.16.18605.0', at, 0, 2],
      [5e14 + s1 * 4 + 2, d1, 'version', 'os', 'Windows 11', at, 0, 2],
      ...facts.filter((f) => f[1] === d1 && f[2] === 'ring'),
    ]);
    const pc2 = facts.filter((f) => f[1] === d2 && f[2] !== 'ring');
    expect(pc2.map((f) => [f[0], f[2], f[3], f[4]])).toEqual([[5e14 + s2 * 4 + 2, 'version', 'os', 'Windows 10']]);
    // Every fleet fact's id is its row's and kind's, between the stored facts and the event facts.
    expect(
      ws.db.value(`SELECT COUNT(*) FROM source_facts f JOIN device_sources s ON s.id = (f.id - ${FLEET}) / 4
        WHERE s.device_id <> f.device_id OR s.line <> f.line`),
    ).toBe(0);
    expect(ws.db.value(`SELECT COUNT(*) FROM stored_facts WHERE id >= ${FLEET}`)).toBe(0);
    // Device detail lists them with their file and line.
    const chain = h.deviceDetail(ws, d1)!.evidence!.facts.filter((f) => !f.derived);
    expect(chain.map((f) => [f.class, f.type, f.file, f.line])).toEqual(
      facts.filter((f) => f[1] === d1).map((f) => [f[2], f[3], 'falcon.csv', 2]),
    );
  });

  it('the batch mark covers the fleet facts: one written after it moves the latest time since', async () => {
    const ws = await emptyWorkspace();
    const file = (host: string, aid: string, seen: string) =>
      inputFromBytes(
        'falcon.csv',
        ['Hostname,Host ID,Platform,Sensor Version,Last Seen', `${host},${aid},Windows,7.16.18605.0,${seen}`].join(
          '\r\n',
        ),
      );
    await importFiles(ws, [file('PC-1', 'a'.repeat(32), '2024-07-19T04:20:00Z')]);
    const mark = lastFactId(ws.db);
    expect(latestSince(ws.db, mark)).toBe(0);
    await importFiles(ws, [file('PC-2', 'b'.repeat(32), '2024-07-19T09:00:00Z')]);
    expect(latestSince(ws.db, mark)).toBe(Date.parse('2024-07-19T09:00:00Z'));
  });

  it('back online: a later fleet file’s check-in after the crash, looked up on the source rows', async () => {
    const ws = await emptyWorkspace();
    const falcon = (seen: string) =>
      [
        'Hostname,Host ID,Platform,Sensor Version,Last Seen',
        `PC-1,${'a'.repeat(32)},Windows,7.16.18605.0,${seen}`,
      ].join('\r\n');
    await importFiles(ws, [inputFromBytes('falcon-1.csv', falcon('2024-07-19T04:20:00Z'))]);
    const id = ws.db.value<number>("SELECT id FROM devices WHERE hostname = 'PC-1'")!;
    addEvent(ws, id, 'installed', T('04:31'), { version: '291-bad' });
    addEvent(ws, id, 'crashed', T('04:33'), { detail: 'BugCheck 0x50' });
    // Its first check-in (04:20) came before the crash: the one after it is looked up, and it is the second file's.
    await importFiles(ws, [inputFromBytes('falcon-2.csv', falcon('2024-07-19T09:00:00Z'))]);
    recompute(ws);
    expect(ws.db.get('SELECT state, recovered_at FROM devices WHERE id = ?', [id])).toEqual({
      state: 'self_recovered',
      recovered_at: T('09:00'),
    });
    expect(h.deviceDetail(ws, id)!.evidence!.facts.find((f) => f.deciding)).toMatchObject({
      class: 'seen',
      file: 'falcon-2.csv',
      line: 2,
    });
  });

  it('a version fact’s time as of the export counts towards the latest time, folded or grouped', async () => {
    const ws = await emptyWorkspace();
    const given = Date.UTC(2024, 6, 20, 10, 30);
    const falcon = ['Hostname,Host ID,Platform,Sensor Version', `PC-1,${'a'.repeat(32)},Windows,7.16.18605.0`].join(
      '\r\n',
    );
    await importFiles(ws, [inputFromBytes('falcon.csv', falcon)], { asOfEach: [given] });
    // A later export whose row has no value a fact is made of: its time is no fact's, and counts for nothing.
    const bare = ['Hostname,Host ID,Platform', `PC-2,${'b'.repeat(32)},Windows`].join('\r\n');
    await importFiles(ws, [inputFromBytes('falcon-bare.csv', bare)], { asOfEach: [given + 3_600_000] });
    expect(ws.db.value('SELECT COUNT(*) FROM device_sources')).toBe(2);
    expect(ws.db.value('SELECT MAX(ts) FROM source_facts')).toBe(given);
    expect(ws.db.value('SELECT COUNT(*) FROM source_facts WHERE class = ?', ['seen'])).toBe(0);
    for (const fold of [true, false]) {
      expect(evidence.scan(ws.db, '291-bad', false, fold)).toBe(fold);
      expect(evidence.latest(ws.db)).toBe(given);
    }
  });

  it('a split row takes its facts to its own device', async () => {
    const ws = await open();
    const OPTS = { devices: 400, seed: 778 };
    await importFile(ws, sampleImportInput('falcon-hosts.csv', OPTS));
    // An Intune row whose serial differs from Falcon's joins by name alone: a review item.
    const intune = fixtures(OPTS).find((f) => f.format === 'intune' && f.name.endsWith('.csv'))!;
    const lines = new TextDecoder().decode(intune.bytes).split('\n');
    const serialCol = lines[0]!.split(',').findIndex((c) => /^serial ?number$/i.test(c.replace(/^\uFEFF/, '')));
    const i = lines.findIndex((l, n) => n > 0 && !l.includes('"') && l.length > 0);
    const cells = lines[i]!.split(',');
    cells[serialCol] = 'NOMATCH';
    lines[i] = cells.join(',');
    await importFile(ws, inputFromBytes('intune-changed.csv', new TextEncoder().encode(lines.join('\n'))));
    const item = reviewList(ws)[0];
    expect(item).toBeDefined();
    const src = ws.db.get<{ id: number }>('SELECT source_id AS id FROM identity_review WHERE id = ?', [item!.id])!;
    const before = rows(ws, `SELECT id FROM source_facts WHERE (id - ${FLEET}) / 4 = ${src.id} ORDER BY id`);
    expect(before.length).toBeGreaterThan(0);
    const r = await resolveReview(ws, item!.id, 'split');
    expect(rows(ws, `SELECT id FROM facts WHERE device_id = ${r.newDeviceId} AND derived = 0 ORDER BY id`)).toEqual(
      before,
    );
    expect(
      ws.db.value(`SELECT COUNT(*) FROM facts WHERE device_id = ${r.deviceId} AND (id - ${FLEET}) / 4 = ${src.id}`),
    ).toBe(0);
  });

  it('per-device reads go through the source rows’ device index', async () => {
    const ws = await open();
    ws.db.run('CREATE TEMP TABLE _st(id INTEGER PRIMARY KEY, dclass TEXT, dts INTEGER, decided INTEGER)');
    const plan = (sql: string) =>
      rows(ws, `EXPLAIN QUERY PLAN ${sql}`)
        .map((r) => String(r[3]))
        .join('\n');
    const decided = plan(
      `UPDATE temp._st SET decided = ${firstFactId('_st.id', 'class = _st.dclass AND ts = _st.dts')}`,
    );
    expect(decided).toContain('ix_device_sources_device (device_id=?)');
    expect(decided).not.toContain('AUTOMATIC');
    // The states' own lookup reads a check-in from the rows' columns, through the same index.
    const checkIn = plan(`UPDATE temp._st SET decided = ${fleetCheckIn('_st.id', "_st.dclass = 'seen'", '_st.dts')}`);
    expect(checkIn).toContain('ix_device_sources_device (device_id=?)');
    const chain = plan('SELECT id FROM facts WHERE device_id = 7 ORDER BY ts');
    expect(chain).toContain('ix_device_sources_device (device_id=?)');
  });
});
