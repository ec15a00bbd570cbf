// The full pass's evidence folded in JavaScript gives temp._ev and temp._evt as the GROUP BY gives them, value and
// type, on facts of every class, kind, time (NULL and tied ones too); and declines, leaving it to SQL, what it cannot
// hold exactly.
import { describe, expect, it } from 'vitest';
import * as evidence from '../../../../core/store/evidence.js';
import type { Workspace } from '../../../../core/workspace.js';
import { T } from '../analysis/fixtures.js';
import { open } from './open-workspace.js';

const BAD = '291-bad';

/** A small seeded generator (mulberry32), so a failure replays. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/**
 * Devices 1-60 and 900 (ids with a gap), facts of every stored class and events of every kind, source, detail and
 * version, their times from a few values (ties) and NULL for stored facts; some devices with nothing, or only facts
 * the evidence does not read (a ring, a version).
 */
async function fleet(seed: number): Promise<Workspace> {
  const ws = await open();
  const db = ws.db;
  const r = random(seed);
  const ids = [...Array.from({ length: 60 }, (_, i) => i + 1), 900];
  db.run(`INSERT INTO devices(id, hostname, host_key) VALUES ${ids.map((i) => `(${i}, 'D${i}', 'D${i}')`).join(', ')}`);
  const times = [null, T('03:00'), T('04:30'), T('04:30'), T('05:10'), T('06:00'), T('06:00') + 1];
  const types: Record<string, string[]> = {
    ring: ['autopatch ring'],
    version: ['sensor'],
    update: ['status'],
    seen: ['check-in', 'last_seen'],
    content: ['installed', 'received'],
    crash: ['bugcheck', 'crash'],
    restart: ['unclean', 'clean'],
    outcome: ['recovered', 'fixed', 'reimage', 'other'],
    result: ['fixed', 'failed'],
  };
  for (let i = 0; i < 700; i++) {
    const cls = pick(r, Object.keys(types));
    db.run('INSERT INTO stored_facts(device_id, class, type, value, ts, source) VALUES (?, ?, ?, ?, ?, ?)', [
      r() < 0.05 ? null : pick(r, ids),
      cls,
      pick(r, types[cls]!),
      pick(r, [null, BAD, '292-good']),
      pick(r, times),
      'x',
    ]);
  }
  for (let i = 0; i < 900; i++)
    db.run('INSERT INTO events(device_id, ts, kind, source, version, detail, as_of) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      r() < 0.05 ? null : pick(r, ids.slice(0, 50)),
      pick(r, times.slice(1)),
      pick(r, ['received', 'installed', 'crashed', 'rebooted', 'recovered', 'failed', 'fixed', 'online', 'offered']),
      pick(r, ['falcon', 'autopatch', 'wufb', 'configmgr', 'manual']),
      pick(r, [null, BAD, '292-good']),
      pick(r, [null, 'unclean restart (41)', 'unexpected shutdown (6008)', 'Reimaged by desk', 'ok']),
      pick(r, [0, 1]),
    ]);
  // Device 55 has only a ring fact, 56 only an outcome of no kind the rules read (k 0), 57 nothing.
  db.run('DELETE FROM stored_facts WHERE device_id IN (55, 56, 57)');
  db.run(`INSERT INTO stored_facts(device_id, class, type, value, ts, source) VALUES
    (55, 'ring', 'autopatch ring', 'Ring 1', ${T('07:00')}, 'x'), (56, 'outcome', 'other', NULL, ${T('02:00')}, 'x')`);
  return ws;
}

/** Every column of temp._ev with its type, and temp._evt's time with its type. */
function evidenceOf(ws: Workspace): unknown[][] {
  const cols = ws.db.all<{ name: string }>("SELECT name FROM pragma_table_info('_ev', 'temp')").map((c) => c.name);
  const sql = `SELECT ${cols.map((c) => `${c}, typeof(${c})`).join(', ')} FROM temp._ev ORDER BY device_id`;
  const ev = ws.db.all<Record<string, unknown>>(sql).map((r) => Object.values(r));
  const evt = ws.db.all<Record<string, unknown>>('SELECT t, typeof(t) FROM temp._evt').map((r) => Object.values(r));
  return [...ev, ['_evt', ...evt.flat()]];
}

/** The full pass's scan, folded (or not), and what it wrote. */
function scanned(ws: Workspace, fold: boolean): { folded: boolean; out: unknown[][] } {
  const folded = evidence.scan(ws.db, BAD, false, fold);
  return { folded, out: evidenceOf(ws) };
}

describe('the evidence fold', () => {
  it.each([1, 2, 3, 4])('gives what the GROUP BY gives (seed %i)', async (seed) => {
    const ws = await fleet(seed);
    const grouped = scanned(ws, false);
    const folded = scanned(ws, true);
    expect(grouped.folded).toBe(false);
    expect(folded.folded).toBe(true);
    expect(folded.out).toEqual(grouped.out);
    // The fleet has what the comparison is meant to cover: devices with and without evidence, NULL times, ties.
    const ids = folded.out.map((r) => r[0]);
    expect(ids).toContain(56);
    expect(ids).not.toContain(55);
    expect(ids).not.toContain(57);
    expect(folded.out.length).toBeGreaterThan(45);
  });

  it('gives a device of a kind no rule reads a row of NULLs and zeros; the latest time counts stored facts alone', async () => {
    const ws = await fleet(5);
    // An event later than every stored fact: its time is the data time's through facts.events_max_ts, not _evt's.
    ws.db.run(`INSERT INTO events(device_id, ts, kind, source) VALUES (1, ${T('23:00')}, 'online', 'falcon')`);
    const { out } = scanned(ws, true);
    const row56 = out.find((r) => r[0] === 56)!;
    expect(row56.filter((v, i) => i % 2 === 0 && i > 0 && v !== null && v !== 0)).toEqual([]);
    expect(out.at(-1)).toEqual(['_evt', T('07:00'), 'integer']);
  });

  it.each([
    ['a float time', 'seen', '1.5'],
    ['a text time', 'crash', "'soon'"],
    ['a time past 2^53', 'content', String(2n ** 60n)],
    ['a float time of a fact only the latest time reads', 'ring', '1721372400000.5'],
  ])('declines %s, and the GROUP BY gives the same evidence as ever', async (_, cls, ts) => {
    const ws = await fleet(6);
    ws.db.run(`UPDATE stored_facts SET ts = ${ts}
      WHERE id = (SELECT MIN(id) FROM stored_facts WHERE class = '${cls}' AND device_id IS NOT NULL)`);
    const grouped = scanned(ws, false);
    const tried = scanned(ws, true);
    expect(tried.folded).toBe(false);
    expect(tried.out).toEqual(grouped.out);
  });

  it('passes over an event of no kind of evidence, whatever its time or device, and folds the rest', async () => {
    const ws = await fleet(8);
    ws.db.run('PRAGMA foreign_keys = OFF');
    // An offer, a failure naming no reimage, an OS update report as of its export: no evidence, so neither their text
    // or float time nor a device id past the devices table's stops the fold (SQL's GROUP BY never sees them either).
    ws.db.run(`INSERT INTO events(device_id, ts, kind, source, detail, as_of) VALUES
      (1, 'soon', 'offered', 'falcon', NULL, 0), (2, 1.5, 'failed', 'manual', 'no luck', 0),
      (5000, ${T('05:00')}, 'installed', 'autopatch', NULL, 1)`);
    const grouped = scanned(ws, false);
    const folded = scanned(ws, true);
    expect(folded.folded).toBe(true);
    expect(folded.out).toEqual(grouped.out);
    // An event with evidence and a text time: declined, as before.
    ws.db.run(`INSERT INTO events(device_id, ts, kind, source) VALUES (1, 'soon', 'crashed', 'falcon')`);
    const tried = scanned(ws, true);
    expect(tried.folded).toBe(false);
    expect(tried.out).toEqual(scanned(ws, false).out);
  });

  it('declines a device id past the largest the devices table holds', async () => {
    const ws = await fleet(7);
    ws.db.run('PRAGMA foreign_keys = OFF');
    ws.db.run(`INSERT INTO stored_facts(device_id, class, type, ts, source) VALUES (5000, 'seen', 'x', 1, 'x')`);
    const grouped = scanned(ws, false);
    const tried = scanned(ws, true);
    expect(tried.folded).toBe(false);
    expect(tried.out).toEqual(grouped.out);
  });
});
