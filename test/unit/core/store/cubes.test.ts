// The summary tables built by the one-scan fold: hand-derived cells, equal to SQL's GROUP BYs on varied devices, the
// SQL fallback for times JavaScript cannot do SQLite's arithmetic on, and a patch of changed devices equal to a rebuild.
import { beforeEach, describe, expect, it } from 'vitest';
import * as cubes from '../../../../core/store/cubes.js';
import { foldCubes } from '../../../../core/store/cube-fold.js';
import type { Db } from '../../../../core/store/db.js';
import { emptyWorkspace } from '../analysis/fixtures.js';

const CUBES = ['an_counts', 'an_suspected', 'an_crash', 'an_burn', 'an_ttr'];
const ALL = [...CUBES, 'an_critical', 'an_dev'];
const H = 3600_000;
const Q = 15 * 60_000;
const T0 = Date.UTC(2024, 6, 19, 4, 0);

interface Dev {
  id: number;
  ring?: string | null;
  override?: string | null;
  site?: string | null;
  platform?: string | null;
  tags?: string;
  type?: string | null;
  state: string;
  certainty?: string;
  crashed?: number | null;
  recovered?: number | null;
  fixed?: number | null;
  supersededBy?: number | null;
}

function insert(db: Db, d: Dev): void {
  db.run(
    `INSERT INTO devices(id, hostname, host_key, ring, ring_override, site, platform, tags, device_type, state, certainty,
       crashed_at, recovered_at, fixed_at, superseded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      d.id,
      `H${d.id}`,
      `H${d.id}`,
      d.ring ?? null,
      d.override ?? null,
      d.site ?? null,
      d.platform ?? null,
      d.tags ?? '',
      d.type ?? null,
      d.state,
      d.certainty ?? 'confirmed',
      d.crashed ?? null,
      d.recovered ?? null,
      d.fixed ?? null,
      d.supersededBy ?? null,
    ],
  );
}

const table = (db: Db, t: string) =>
  db
    .all(`SELECT * FROM ${t}`)
    .map((r) => JSON.stringify(r))
    .sort();
const snapshot = (db: Db) => Object.fromEntries(ALL.map((t) => [t, table(db, t)]));

function rebuild(db: Db): void {
  cubes.rebuildDevices(db);
  cubes.rebuildCubes(db);
  cubes.rebuildCritical(db);
}

/** The five cubes by SQL's GROUP BYs alone (the fallback), with the zero rows a rebuild removes left out. */
function bySql(db: Db): Record<string, string[]> {
  for (const t of CUBES) db.run(`DELETE FROM ${t}`);
  cubes.groupCubes(db, 'an_dev', 1);
  db.run('DELETE FROM an_burn WHERE delta = 0');
  return Object.fromEntries(CUBES.map((t) => [t, table(db, t)]));
}

/** A deterministic spread of devices (insert in reverse: a stale one points at the next id) with every case, several per cell. */
function varied(count: number): Dev[] {
  const states = ['not_exposed', 'exposed_healthy', 'crashed', 'self_recovered', 'needs_fix', 'fixed', 'unknown'];
  const tags = ['', 'falcongroupingtags/server', 'a,b', 'a, b', 'kiosk,"quoted"', 'x\u001fy', 'zürich', 'clinical'];
  const out: Dev[] = [];
  for (let i = 1; i <= count; i++) {
    const state = states[(i * 5) % states.length]!;
    const crashed = ['crashed', 'self_recovered', 'needs_fix', 'fixed'].includes(state)
      ? // Crashes on and around bucket edges, and a few before 1970 (integer division truncates toward zero).
        i % 13 === 0
        ? -((i * 104_729) % (3 * H))
        : T0 + ((i * 7919) % (5 * H)) - (i % 4 === 0 ? (i % 3) * Q : 0)
      : null;
    out.push({
      id: i,
      ring: i % 11 === 0 ? null : ['Test', 'Fast', 'Broad'][i % 3],
      override: i % 17 === 0 ? 'First' : null,
      site: i % 9 === 0 ? null : ['LON', 'NYC', 'ZRH'][(i >> 1) % 3],
      platform: i % 23 === 0 ? null : ['windows', 'mac'][(i >> 2) % 2],
      // Some tag lists occur on one device only (so in one cell only).
      tags: i % 97 === 0 ? `unique-${i},kiosk` : tags[(i >> 3) % tags.length]!,
      type: ['workstation', 'server', 'dc', null][(i >> 4) % 4],
      state,
      certainty: i % 5 === 0 ? 'suspected' : 'confirmed',
      crashed,
      // Back before the crash sometimes (time to recovery counts as 0), and days later others.
      recovered: state === 'self_recovered' && crashed !== null ? crashed + ((i * 611) % (9 * H)) - H : null,
      fixed: state === 'fixed' && crashed !== null ? crashed + ((i * 3571) % (80 * H)) : null,
      supersededBy: i % 29 === 0 && i < count ? i + 1 : null,
    });
  }
  return out;
}

describe('summary tables from one scan', () => {
  let db: Db;
  beforeEach(async () => {
    db = (await emptyWorkspace()).db;
  });

  it('gives the cells derived by hand', () => {
    // Two devices in one cell (ring override wins), one in another (no site), one stale (left out).
    insert(db, {
      id: 1,
      ring: 'Broad',
      override: 'Fast',
      site: 'LON',
      platform: 'windows',
      tags: 'a,b',
      state: 'fixed',
      crashed: T0 + 14 * 60_000,
      fixed: T0 + 2 * H + 30 * 60_000,
    });
    insert(db, {
      id: 2,
      ring: 'Fast',
      site: 'LON',
      platform: 'windows',
      tags: 'a,b',
      state: 'self_recovered',
      certainty: 'suspected',
      crashed: T0 + 16 * 60_000,
      recovered: T0 + 10 * 60_000,
    });
    insert(db, { id: 3, ring: 'Fast', platform: 'mac', state: 'crashed', crashed: T0 + 61 * 60_000 });
    insert(db, { id: 4, ring: 'Fast', site: 'LON', state: 'crashed', crashed: T0, supersededBy: 3 });
    rebuild(db);
    const cell = ['Fast', 'LON', 'windows', 'a,b'];
    const other = ['Fast', '', 'mac', ''];
    expect(db.all('SELECT * FROM an_counts ORDER BY state').map(Object.values)).toEqual([
      [...other, 'crashed', 1],
      [...cell, 'fixed', 1],
      [...cell, 'self_recovered', 1],
    ]);
    expect(db.all('SELECT * FROM an_suspected').map(Object.values)).toEqual([[...cell, 'self_recovered', 1]]);
    // 04:14 and 04:16 fall in the 04:00 and 04:15 quarters; 05:01 in 05:00.
    expect(db.all('SELECT * FROM an_crash ORDER BY bucket').map(Object.values)).toEqual([
      [...cell, T0, 1],
      [...cell, T0 + Q, 1],
      [...other, T0 + H, 1],
    ]);
    // Cell: both down in the 04:00 hour (+2), device 2 back in the same hour (-1), device 1 fixed at 06:30 (-1).
    expect(db.all('SELECT * FROM an_burn ORDER BY bucket, ring').map(Object.values)).toEqual([
      [...cell, T0, 1],
      [...other, T0 + H, 1],
      [...cell, T0 + 2 * H, -1],
    ]);
    // Device 1: 2 h 16 min (hour 2); device 2: back before its crash, 0 ms (hour 0).
    expect(db.all('SELECT * FROM an_ttr ORDER BY hours').map(Object.values)).toEqual([
      [...cell, 0, 1, 0],
      [...cell, 2, 1, 2 * H + 16 * 60_000],
    ]);
  });

  it('equals SQL GROUP BYs over varied devices, and SQL takes over for a REAL time', () => {
    for (const d of varied(600).reverse()) insert(db, d);
    rebuild(db);
    const folded = Object.fromEntries(CUBES.map((t) => [t, table(db, t)]));
    expect(folded.an_ttr!.length).toBeGreaterThan(20);
    expect(folded.an_crash!.some((r) => r.includes('"bucket":-'))).toBe(true);
    expect(bySql(db)).toEqual(folded);
    // More cells than the fold keeps in memory: it declines, writing nothing.
    const cells = db.value<number>('SELECT COUNT(*) FROM (SELECT DISTINCT ring, site, platform, tags FROM an_dev)')!;
    for (const t of CUBES) db.run(`DELETE FROM ${t}`);
    expect(foldCubes(db, 'an_dev', 1, cubes.CRASH_BUCKET_MS, cubes.BURN_BUCKET_MS, cells - 1)).toBe(false);
    for (const t of CUBES) expect(table(db, t)).toEqual([]);
    expect(foldCubes(db, 'an_dev', 1, cubes.CRASH_BUCKET_MS, cubes.BURN_BUCKET_MS, cells)).toBe(true);
    db.run('DELETE FROM an_burn WHERE delta = 0');
    expect(Object.fromEntries(CUBES.map((t) => [t, table(db, t)]))).toEqual(folded);
    // Read through sql.js's Statement.get (another sql.js build, without the C API the fold reads with): the same.
    const sqlJs = db.sql;
    db.sql = null;
    for (const t of CUBES) db.run(`DELETE FROM ${t}`);
    expect(foldCubes(db, 'an_dev', 1, cubes.CRASH_BUCKET_MS, cubes.BURN_BUCKET_MS)).toBe(true);
    db.sql = sqlJs;
    db.run('DELETE FROM an_burn WHERE delta = 0');
    expect(Object.fromEntries(CUBES.map((t) => [t, table(db, t)]))).toEqual(folded);
    // The critical list: every device whose type or tag list ranks, by the rank expression run on each device.
    const critical = db.all(`SELECT device_id AS id, rank FROM an_critical ORDER BY 1`);
    expect(critical.length).toBeGreaterThan(100);
    expect(critical).toEqual(
      db.all(
        `SELECT id, ${cubes.CRITICAL_RANK} AS rank FROM an_dev WHERE ${cubes.CRITICAL_RANK} IS NOT NULL ORDER BY 1`,
      ),
    );
    expect(db.value(`SELECT COUNT(*) FROM an_critical WHERE tags LIKE '%clinical%' AND rank = 3`)).toBeGreaterThan(0);
    expect(db.value(`SELECT COUNT(*) FROM an_critical WHERE tags LIKE 'unique-%'`)).toBe(6);
    // Without the counts of these devices to take the tag lists from, every device is ranked.
    db.run('DELETE FROM an_critical');
    db.run('DELETE FROM an_counts');
    cubes.rebuildCritical(db);
    expect(db.all(`SELECT device_id AS id, rank FROM an_critical ORDER BY 1`)).toEqual(critical);

    // A REAL crash time divides as a float in SQLite: the fold declines, writing nothing, and SQL gives the tables.
    db.run(
      `UPDATE an_dev SET crashed_at = crashed_at + 0.5 WHERE id = (SELECT MIN(id) FROM an_dev WHERE crashed_at > 0)`,
    );
    for (const t of CUBES) db.run(`DELETE FROM ${t}`);
    expect(foldCubes(db, 'an_dev', 1, cubes.CRASH_BUCKET_MS, cubes.BURN_BUCKET_MS)).toBe(false);
    for (const t of CUBES) expect(table(db, t)).toEqual([]);
    // So does a whole-number REAL (SQLite divides it as a float too), which only a column without INTEGER affinity keeps.
    db.run(`CREATE TEMP TABLE _real AS SELECT id, ring, site, platform, tags, state, certainty, resolved_at,
      CAST(round(crashed_at) AS REAL) AS crashed_at FROM an_dev`);
    expect(db.value(`SELECT COUNT(*) FROM temp._real WHERE typeof(crashed_at) = 'real'`)).toBeGreaterThan(0);
    expect(foldCubes(db, 'temp._real', 1, cubes.CRASH_BUCKET_MS, cubes.BURN_BUCKET_MS)).toBe(false);
    for (const t of CUBES) expect(table(db, t)).toEqual([]);
    cubes.rebuildCubes(db);
    const fallback = Object.fromEntries(CUBES.map((t) => [t, table(db, t)]));
    expect(fallback.an_crash).not.toEqual(folded.an_crash);
    expect(bySql(db)).toEqual(fallback);
  });

  it.each([
    ['grouped in SQL (a small set)', undefined],
    ['folded (a large set)', 0],
  ])('patches a changed device set, %s, to exactly what a full rebuild gives', (_, foldFrom) => {
    const devs = varied(600);
    for (const d of [...devs].reverse()) insert(db, d);
    rebuild(db);
    // States, times, certainty, ring overrides, sites, tags and supersessions move for every 5th device.
    const ids = devs.filter((d) => d.id % 5 === 3).map((d) => d.id);
    cubes.markChanged(db, ids);
    db.run(
      `UPDATE devices SET state = CASE id % 3 WHEN 0 THEN 'fixed' WHEN 1 THEN 'needs_reimage' ELSE 'not_exposed' END,
         crashed_at = CASE WHEN id % 3 = 2 THEN NULL ELSE COALESCE(crashed_at, ${T0} + id * 60000) END,
         fixed_at = CASE WHEN id % 3 = 0 THEN COALESCE(crashed_at, ${T0}) + 5 * ${H} END,
         certainty = CASE WHEN id % 2 = 0 THEN 'suspected' ELSE 'confirmed' END,
         ring_override = CASE WHEN id % 5 = 0 THEN 'Test' ELSE ring_override END,
         site = CASE WHEN id % 4 = 0 THEN 'PAR' ELSE site END,
         tags = CASE WHEN id % 6 = 0 THEN 'new,tag' ELSE tags END,
         superseded_by = CASE WHEN id % 8 = 0 THEN NULL ELSE superseded_by END
       WHERE id IN (SELECT id FROM temp._ids)`,
    );
    // Their old contributions include recoveries (time to recovery comes out too), and stale records.
    expect(db.value('SELECT COUNT(*) FROM temp._old WHERE resolved_at IS NOT NULL')).toBeGreaterThan(5);
    cubes.patch(db, foldFrom);
    cubes.dropTemps(db);
    const patched = snapshot(db);
    expect(patched.an_counts).toContainEqual(expect.stringContaining('"PAR"'));
    rebuild(db);
    expect(patched).toEqual(snapshot(db));
  });
});
