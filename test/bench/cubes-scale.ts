// `npx tsx test/bench/cubes-scale.ts [--devices 1000000] [--patch 1000]`: the summary tables' full rebuild and a patch
// of a changed device set at a million devices without a 15-minute import: the device table is filled by one SQL
// statement (states, rings, overrides, sites, platforms, tags, crash and recovery times), then each step is timed and
// the patched tables are checked against a full rebuild of the same devices.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import initSqlJs from 'sql.js';
import * as cubes from '../../core/store/cubes.js';
import { openWorkspace } from '../../core/workspace.js';
import { rss, time } from './measure.js';

const { values } = parseArgs({
  options: { devices: { type: 'string' }, patch: { type: 'string' }, keep: { type: 'string' } },
});
const n = Number(values.devices ?? 1_000_000);
const changed = Number(values.patch ?? 1000);
if (!Number.isInteger(n) || n < 1) throw new Error(`--devices must be a positive integer, not '${values.devices}'`);
if (!Number.isInteger(changed) || changed < 1 || changed > n)
  throw new Error(`--patch must be an integer from 1 to --devices, not '${values.patch}'`);

const say = (what: string, t: { ms: number; cpu: number }) =>
  console.log(`${what}: ${t.ms.toFixed(0)} ms (CPU ${t.cpu} ms), peak RSS ${rss()} MiB`);

const SQL = await initSqlJs();
const ws = await openWorkspace({ SQL, keyMaterial: new Uint8Array(32).fill(7), actor: 'bench' });
const db = ws.db;

// Everything derives from the row number (two multiplicative hashes), so every run fills the same table. Shapes
// like a large fleet's: 4 rings (Broad most), 1 % overridden, 60 sites, 3 platforms, 24 tag lists (most devices none),
// states in the proportions of a day into the outage, crashes over 80 minutes, recoveries over days, 0.5 % stale.
const TAGS = JSON.stringify([
  'falcongroupingtags/server',
  'falcongroupingtags/server,falcongroupingtags/critical-identity',
  'sensorgroupingtags/kiosk',
  'sensorgroupingtags/kiosk,falcongroupingtags/critical-payments',
  'falcongroupingtags/critical-clinical',
  'sensorgroupingtags/vdi',
  ...Array.from({ length: 18 }, (_, i) => `falcongroupingtags/dept-${i}, sensorgroupingtags/floor-${i % 4}`),
]);
const T0 = Date.UTC(2024, 6, 19, 4, 9);
const fill = time(() =>
  db.tx(() =>
    db.run(
      `WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ?1),
       h(n, a, b) AS (SELECT n, (n * 2654435761) % 4294967296, (n * 40503 + 977) % 4294967296 FROM c),
       s(n, a, b, st) AS (SELECT n, a, b, CASE WHEN b % 100 < 20 THEN 'not_exposed'
         WHEN b % 100 < 35 THEN 'exposed_healthy' WHEN b % 100 < 45 THEN 'crashed' WHEN b % 100 < 65 THEN 'self_recovered'
         WHEN b % 100 < 73 THEN 'needs_fix' WHEN b % 100 < 78 THEN 'fix_in_progress' WHEN b % 100 < 94 THEN 'fixed'
         WHEN b % 100 < 96 THEN 'needs_reimage' ELSE 'unknown' END FROM h)
       INSERT INTO devices(id, hostname, host_key, site, ring, ring_override, platform, device_type, tags, superseded_by,
         state, certainty, crashed_at, recovered_at, fixed_at)
       SELECT n, 'H' || n, 'H' || n, CASE WHEN a % 251 = 0 THEN NULL ELSE 'S' || (a / 7 % 60) END,
         CASE WHEN a % 241 = 0 THEN NULL WHEN a % 100 < 1 THEN 'Test' WHEN a % 100 < 2 THEN 'First'
           WHEN a % 100 < 11 THEN 'Fast' ELSE 'Broad' END,
         CASE WHEN n % 97 = 0 THEN 'First' END,
         CASE WHEN a / 11 % 100 < 89 THEN 'windows' WHEN a / 11 % 100 < 97 THEN 'mac' ELSE 'linux' END,
         CASE WHEN b / 13 % 1000 < 1 THEN 'dc' WHEN b / 13 % 1000 < 55 THEN 'server' ELSE 'workstation' END,
         CASE WHEN b / 17 % 100 < 70 THEN '' ELSE json_extract(?2, '$[' || (b / 101 % 24) || ']') END,
         CASE WHEN n % 200 = 0 AND n < ?1 THEN n + 1 END,
         st, CASE WHEN b / 19 % 10 = 0 THEN 'suspected' ELSE 'confirmed' END, crash,
         CASE WHEN st = 'self_recovered' THEN crash + b / 23 % 21600000 END,
         CASE WHEN st = 'fixed' THEN crash + 1800000 + b / 29 % 432000000 END
       FROM (SELECT *, CASE WHEN st IN ('crashed', 'self_recovered', 'needs_fix', 'fix_in_progress', 'fixed',
         'needs_reimage') THEN ${T0} + a / 3 % 4800000 END AS crash FROM s)`,
      [n, TAGS],
    ),
  ),
);
say(`fill ${n.toLocaleString('en-US')} devices`, fill);
const cells = db.value<number>(
  `SELECT COUNT(*) FROM (SELECT DISTINCT COALESCE(ring_override, ring, ''), COALESCE(site, ''), COALESCE(platform, ''),
    tags FROM devices WHERE superseded_by IS NULL)`,
);
console.log(`${cells} distinct (ring, site, platform, tags) cells`);

// The recompute runs its summary steps in one transaction with a 128 MiB page cache, as here.
const steps: Array<[string, () => void]> = [
  ['an_dev', () => cubes.rebuildDevices(db)],
  ['cubes', () => cubes.rebuildCubes(db)],
  ['critical', () => cubes.rebuildCritical(db)],
];
db.withCache(128, () =>
  db.tx(() => {
    let total = 0;
    for (const [name, fn] of steps) {
      const t = time(fn);
      total += t.ms;
      say(`full rebuild, ${name}`, t);
    }
    console.log(`full rebuild total: ${total.toFixed(0)} ms`);
  }),
);

// --keep FILE writes the rebuilt workspace out, for probing plans without filling it again.
if (values.keep) writeFileSync(values.keep, db.export());

// A field round's worth of changes: states, times, certainty, a ring override and tags move for spread-out devices,
// some of them stale records (their current device is redone with them).
const step = Math.floor(n / changed);
const ids = Array.from({ length: changed }, (_, i) => 1 + i * step);
const TABLES = ['an_dev', 'an_counts', 'an_suspected', 'an_crash', 'an_burn', 'an_ttr', 'an_critical'];
db.withCache(128, () =>
  db.tx(() => {
    const mark = time(() => cubes.markChanged(db, ids));
    db.run(
      `UPDATE devices SET state = CASE id % 3 WHEN 0 THEN 'fixed' WHEN 1 THEN 'needs_reimage' ELSE 'crashed' END,
         fixed_at = CASE WHEN id % 3 = 0 THEN COALESCE(crashed_at, ${T0}) + 7200000 END,
         crashed_at = COALESCE(crashed_at, ${T0} + id % 600000),
         certainty = CASE WHEN id % 5 = 0 THEN 'suspected' ELSE 'confirmed' END,
         ring_override = CASE WHEN id % 7 = 0 THEN 'Test' ELSE ring_override END,
         tags = CASE WHEN id % 11 = 0 THEN 'falcongroupingtags/server,falcongroupingtags/new-${n}' ELSE tags END
       WHERE id IN (SELECT id FROM temp._ids)`,
    );
    const patch = time(() => cubes.patch(db));
    say(`patch of ${changed} devices: mark`, mark);
    say(`patch of ${changed} devices: patch`, patch);
    for (const t of TABLES) db.run(`CREATE TEMP TABLE _p_${t} AS SELECT * FROM ${t}`);
    cubes.dropTemps(db);
    for (const [, fn] of steps) fn();
    const differ = TABLES.filter(
      (t) =>
        (db.value<number>(`SELECT COUNT(*) FROM (SELECT * FROM temp._p_${t} EXCEPT SELECT * FROM ${t})`) ?? 0) +
          (db.value<number>(`SELECT COUNT(*) FROM (SELECT * FROM ${t} EXCEPT SELECT * FROM temp._p_${t})`) ?? 0) >
        0,
    );
    console.log(
      differ.length
        ? `MISMATCH: patch differs from a full rebuild in ${differ.join(', ')}`
        : 'patch equals a full rebuild',
    );
    if (differ.length) process.exitCode = 1;
  }),
);
db.close();
