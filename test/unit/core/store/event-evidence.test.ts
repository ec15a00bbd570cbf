// The evidence pass and the receipts behind the exposure window read the events by their own columns, not through the
// facts view: for every kind, source, as-of flag, detail, version and time, they find what the view's facts give.
import { describe, expect, it } from 'vitest';
import * as evidence from '../../../../core/store/evidence.js';
import { receiptFacts } from '../../../../core/store/exposure.js';
import { EVENT_CONTENT, EVENT_SEEN, REIMAGE, UNCLEAN, firstFactId } from '../../../../core/store/facts.js';
import type { Workspace } from '../../../../core/workspace.js';
import { T } from '../analysis/fixtures.js';
import { open } from './open-workspace.js';

const CFG = { badVersion: '291-bad', windowStart: T('04:09'), windowEnd: T('05:27'), burstCount: 3, burstMs: 600_000 };

/** Every row of a statement, as arrays. */
function rows(ws: Workspace, sql: string, params: Record<string, number | string> | (string | number)[] = []) {
  const st = ws.db.prepare(sql);
  const out: unknown[][] = [];
  try {
    st.bind(params);
    while (st.step()) out.push(st.get());
  } finally {
    st.free();
  }
  return out;
}

const list = (xs: readonly (string | number | null)[]) =>
  xs.map((x) => (x === null ? 'NULL' : typeof x === 'number' ? String(x) : `'${x}'`)).join(', ');

/**
 * One device per event, an event of every combination: each kind the schema names, each source (an OS update report
 * or not), as of the export or not, each detail a rule reads, the bad version or another, and times before, inside
 * and just after the window (inside the boot-loop rule's range).
 */
async function everyEvent(): Promise<Workspace> {
  const ws = await open();
  const axes = {
    kind: ['received', 'installed', 'crashed', 'rebooted', 'recovered', 'failed', 'fixed', 'online', 'offered'],
    source: ['falcon', 'autopatch', 'wufb', 'configmgr', 'manual'],
    as_of: [0, 1],
    detail: [null, 'unclean restart (41)', 'unexpected shutdown (6008)', 'BugCheck 0x50', 'Reimaged by desk', 'ok'],
    version: [null, '291-bad', '292-good'],
    ts: [T('03:00'), T('04:30'), T('05:30')],
  };
  const cte = Object.entries(axes)
    .map(([k, v]) => `${k}(${k}) AS (VALUES ${v.map((x) => `(${list([x])})`).join(', ')})`)
    .join(', ');
  const db = ws.db;
  db.run(`CREATE TEMP TABLE combos AS WITH ${cte}
    SELECT ROW_NUMBER() OVER () AS n, * FROM kind, source, as_of, detail, version, ts`);
  db.run(`INSERT INTO devices(id, hostname, host_key) SELECT n, 'D' || n, 'D' || n FROM temp.combos`);
  db.run(`INSERT INTO events(device_id, ts, kind, source, version, detail, as_of)
    SELECT n, ts, kind, source, version, detail, as_of FROM temp.combos`);
  // A device of two events, one of each of two devices above, and a stored check-in beside them.
  db.run(`INSERT INTO devices(id, hostname, host_key) VALUES (100000, 'TWO', 'TWO')`);
  db.run(`INSERT INTO events(device_id, ts, kind, source, version, detail, as_of) VALUES
    (100000, ${T('04:20')}, 'installed', 'falcon', '291-bad', NULL, 0),
    (100000, ${T('04:40')}, 'rebooted', 'falcon', NULL, 'unclean restart (41)', 0)`);
  db.run(`INSERT INTO stored_facts(device_id, class, type, value, ts, source) VALUES
    (100000, 'seen', 'check-in', NULL, ${T('04:50')}, 'falcon')`);
  return ws;
}

/** The evidence per device as the pass took it before (at defcf12): every fact through the facts view. */
const THROUGH_VIEW = `SELECT device_id,
    MIN(CASE WHEN k = 1 THEN ts END), MIN(CASE WHEN k = 3 THEN ts END), SUM(k = 3),
    MAX(CASE WHEN k IN (3, 4, 9) THEN ts END), MIN(CASE WHEN k = 5 THEN ts END), MIN(CASE WHEN k = 6 THEN ts END),
    MIN(CASE WHEN k = 7 THEN ts END), SUM(k IN (1, 2)), MAX(CASE WHEN k = 8 THEN ts END), SUM(k = 9)
  FROM (SELECT device_id, ts, CASE class
      WHEN 'crash' THEN 3
      WHEN 'restart' THEN CASE WHEN type = 'unclean' AND ts BETWEEN $ws AND $we + $bm THEN 9 ELSE 4 END
      WHEN 'seen' THEN 8
      WHEN 'content' THEN CASE WHEN value = $bad AND ts BETWEEN $ws AND $we THEN 1 ELSE 2 END
      WHEN 'outcome' THEN CASE type WHEN 'recovered' THEN 5 WHEN 'fixed' THEN 6 WHEN 'reimage' THEN 7 ELSE 0 END
    END AS k
    FROM facts WHERE device_id IS NOT NULL AND derived = 0 AND class IN ('content', 'crash', 'restart', 'outcome', 'seen')
      AND (device_id IN (SELECT id FROM temp._ids) OR NOT $partial))
  GROUP BY device_id ORDER BY device_id`;

const PASS = `SELECT device_id, bad_at, first_crash, crashes, last_loop, rec_ev, fix_ev, reimage_at, roll_ev, seen_at,
  unclean FROM temp._ev ORDER BY device_id`;

describe("an event's kind of evidence", () => {
  /** EVENT_EVIDENCE as the terms tested one after the other (as the evidence pass tested them before, at 7a73fe5). */
  const TERMS = `CASE WHEN kind = 'crashed' THEN 3
    WHEN kind = 'rebooted' THEN CASE WHEN ${UNCLEAN} THEN 9 ELSE 4 END
    WHEN ${EVENT_SEEN} THEN 8
    WHEN ${EVENT_CONTENT} THEN CASE WHEN version = $bad THEN 1 ELSE 2 END
    WHEN kind = 'recovered' THEN 5 WHEN kind = 'fixed' THEN 6 WHEN kind = 'failed' AND ${REIMAGE} THEN 7 END`;

  it('is the terms tested one by one, for any kind, source, as-of flag, version and detail (odd ones too)', async () => {
    const ws = await open();
    const axes = {
      kind: [
        'crashed',
        'rebooted',
        'online',
        'received',
        'installed',
        'recovered',
        'fixed',
        'failed',
        'offered',
        'Crashed',
        'RECEIVED',
        'installed ',
        '',
        null,
      ],
      source: ['falcon', 'autopatch', 'wufb', 'configmgr', 'manual', 'Autopatch', 'wufb ', '', null],
      as_of: [0, 1, 2, null, 'x'],
      version: ['291-bad', '292-good', '', null, 291],
      detail: [null, '', 'unclean restart (41)', 'Unexpected Shutdown', 'reimage', 'Needs REIMAGE', 'ok', 'é'],
    };
    const cte = Object.entries(axes)
      .map(([k, v]) => `${k}(${k}) AS (VALUES ${v.map((x) => `(${list([x])})`).join(', ')})`)
      .join(', ');
    // A table of its own: the events table's NOT NULL kind and source would refuse the NULLs.
    ws.db.run(`CREATE TEMP TABLE ev AS WITH ${cte} SELECT * FROM kind, source, as_of, version, detail`);
    for (const bad of ['291-bad', '', '291']) {
      const counts = rows(
        ws,
        `SELECT k, COUNT(*), SUM(k IS NOT t) FROM (SELECT (${evidence.EVENT_EVIDENCE}) AS k, (${TERMS}) AS t FROM temp.ev)
         GROUP BY k ORDER BY k`,
        { $bad: bad },
      );
      // Every kind of evidence and none occur (no version is the text '291': the integer 291 is not equal to it);
      // no row differs.
      const all = [null, 1, 2, 3, 4, 5, 6, 7, 8, 9];
      expect(counts.map((r) => r[0])).toEqual(bad === '291' ? all.filter((k) => k !== 1) : all);
      expect(counts.map((r) => r[2])).toEqual(counts.map(() => 0));
      expect(counts.reduce((n, r) => n + (r[1] as number), 0)).toBe(14 * 9 * 5 * 5 * 8);
    }
  });
});

describe('events read in place by the evidence pass', () => {
  it('gives each event the evidence its fact in the facts view gives, in a full pass and for some devices', async () => {
    const ws = await everyEvent();
    const params = { $bad: CFG.badVersion, $ws: CFG.windowStart, $we: CFG.windowEnd, $bm: CFG.burstMs };
    ws.db.run('CREATE TEMP TABLE _ids(id INTEGER PRIMARY KEY)');
    const expected = rows(ws, THROUGH_VIEW, { ...params, $partial: 0 });
    // By hand, a few of them: 9 kinds x 5 sources x 2 x 6 details x 3 versions x 3 times; a plain failure, an offer
    // and an OS update report as of its export make no fact read here, the two-event device has one row.
    expect(ws.db.value('SELECT COUNT(*) FROM events')).toBe(9 * 5 * 2 * 6 * 3 * 3 + 2);
    const noFact = 5 * 2 * 5 * 3 * 3 + 5 * 2 * 6 * 3 * 3 + 2 * (3 * 6 * 3 * 3);
    expect(expected.length).toBe(9 * 5 * 2 * 6 * 3 * 3 - noFact + 1);
    evidence.build(ws.db, CFG, false);
    expect(rows(ws, PASS)).toEqual(expected);
    // The device of two events: the bad content inside the window, an unclean restart in the rule's range, the
    // stored check-in after it.
    expect(rows(ws, `${PASS.replace('ORDER BY', 'WHERE device_id = 100000 ORDER BY')}`)).toEqual([
      [100000, T('04:20'), null, 0, T('04:40'), null, null, null, 1, T('04:50'), 1],
    ]);
    // Some devices (a small import's): the devices of every tenth combination.
    ws.db.run('INSERT INTO temp._ids SELECT id FROM devices WHERE id % 10 = 3 OR id = 100000');
    const some = rows(ws, THROUGH_VIEW, { ...params, $partial: 1 });
    expect(some.length).toBeGreaterThan(100);
    evidence.build(ws.db, CFG, true);
    expect(rows(ws, PASS)).toEqual(some);
  }, 60_000);

  it('finds the receipts of the bad content the facts view finds', async () => {
    const ws = await everyEvent();
    const r = receiptFacts(ws.db, CFG.badVersion);
    const [devices, first, last] = rows(
      ws,
      "SELECT COUNT(DISTINCT device_id), MIN(ts), MAX(ts) FROM facts WHERE class = 'content' AND value = ?",
      [CFG.badVersion],
    )[0]!;
    // By hand: received or installed from falcon or manual (not an OS update report), either as-of flag, every
    // detail and time: 2 x 2 x 2 x 6 x 3, and the two-event device.
    expect(devices).toBe(2 * 2 * 2 * 6 * 3 + 1);
    expect(r).toMatchObject({ devices, first, last });
    expect([first, last]).toEqual([T('03:00'), T('05:30')]);
  }, 60_000);

  it('back online: the first check-in after the last crash, of either table, an OS update report as of its export none', async () => {
    const ws = await open();
    const db = ws.db;
    db.run("INSERT INTO devices(id, hostname, host_key) VALUES (1, 'A', 'A'), (2, 'B', 'B'), (3, 'C', 'C')");
    const ev = (d: number, t: string, kind: string, source = 'falcon', asOf = 0) =>
      db.run('INSERT INTO events(device_id, ts, kind, source, as_of) VALUES (?, ?, ?, ?, ?)', [
        d,
        T(t),
        kind,
        source,
        asOf,
      ]);
    const seen = (d: number, t: string) =>
      db.run(
        `INSERT INTO stored_facts(device_id, class, type, value, ts, source) VALUES (?, 'seen', 'check-in', NULL, ?, 'x')`,
        [d, T(t)],
      );
    // A: crashed 04:30; an event check-in at 05:10, a stored one at 05:00 (the earlier: the stored table's).
    ev(1, '04:30', 'crashed');
    ev(1, '05:10', 'online');
    seen(1, '05:00');
    // B: crashed 04:30; a stored check-in at 05:20, an Autopatch report at 05:05 (a check-in: not as of its export).
    ev(2, '04:30', 'crashed');
    seen(2, '05:20');
    ev(2, '05:05', 'installed', 'autopatch', 0);
    // C: crashed 04:30; an Autopatch report as of its export at 04:50 (no check-in), a stored check-in at 05:40.
    ev(3, '04:30', 'crashed');
    ev(3, '04:50', 'received', 'autopatch', 1);
    seen(3, '05:40');
    evidence.build(db, CFG, false);
    expect(rows(ws, 'SELECT device_id, back_at FROM temp._ev ORDER BY device_id')).toEqual([
      [1, T('05:00')],
      [2, T('05:05')],
      [3, T('05:40')],
    ]);
  });

  it('the fix that closes the window: the first other receipt after the bad one, of either table', async () => {
    const ws = await open();
    const db = ws.db;
    db.run("INSERT INTO devices(id, hostname, host_key) VALUES (1, 'A', 'A'), (2, 'B', 'B')");
    const ev = (d: number, t: string, version: string, source = 'falcon') =>
      db.run("INSERT INTO events(device_id, ts, kind, source, version) VALUES (?, ?, 'installed', ?, ?)", [
        d,
        T(t),
        source,
        version,
      ]);
    ev(1, '04:10', '291-bad');
    ev(2, '04:20', '291-bad');
    // An OS update report after the bad content is no content receipt; A's stored receipt of the fix at 05:50 loses
    // to B's event receipt at 05:40.
    ev(1, '05:00', '292-good', 'wufb');
    ev(2, '05:40', '292-good');
    db.run(`INSERT INTO stored_facts(device_id, class, type, value, ts, source)
      VALUES (1, 'content', 'installed', '292-good', ${T('05:50')}, 'x')`);
    expect(receiptFacts(db, CFG.badVersion)).toEqual({
      devices: 2,
      first: T('04:10'),
      last: T('04:20'),
      fixAt: T('05:40'),
    });
    db.run(`UPDATE stored_facts SET ts = ${T('05:30')}`);
    expect(receiptFacts(db, CFG.badVersion).fixAt).toBe(T('05:30'));
  });

  it('back online after check-ins before the crash too: the first one after the last crash or restart', async () => {
    const ws = await open();
    const db = ws.db;
    db.run(
      "INSERT INTO devices(id, hostname, host_key) VALUES (1, 'A', 'A'), (2, 'B', 'B'), (3, 'C', 'C'), (4, 'D', 'D')",
    );
    const ev = (d: number, t: string, kind: string) =>
      db.run("INSERT INTO events(device_id, ts, kind, source) VALUES (?, ?, ?, 'falcon')", [d, T(t), kind]);
    const seen = (d: number, t: string) =>
      db.run("INSERT INTO stored_facts(device_id, class, type, ts, source) VALUES (?, 'seen', 'check-in', ?, 'x')", [
        d,
        T(t),
      ]);
    // A: a check-in at 04:00, crashed 04:30, restarted 04:45, event check-ins at 04:40 (inside its loop) and 05:15.
    seen(1, '04:00');
    ev(1, '04:30', 'crashed');
    ev(1, '04:40', 'online');
    ev(1, '04:45', 'rebooted');
    ev(1, '05:15', 'online');
    // B: an event check-in at 04:10, crashed 04:30, a stored check-in at 04:30 (not after it) and at 05:25.
    ev(2, '04:10', 'online');
    ev(2, '04:30', 'crashed');
    seen(2, '04:30');
    seen(2, '05:25');
    // C: check-ins at 04:10 and 04:20 only, crashed 04:30: not back.
    ev(3, '04:10', 'online');
    seen(3, '04:20');
    ev(3, '04:30', 'crashed');
    // D: its first check-in at the time of its crash (04:30, not after it), the next at 05:30.
    seen(4, '04:30');
    ev(4, '04:30', 'crashed');
    ev(4, '05:30', 'online');
    evidence.build(db, CFG, false);
    expect(rows(ws, 'SELECT device_id, back_at FROM temp._ev ORDER BY device_id')).toEqual([
      [1, T('05:15')],
      [2, T('05:25')],
      [3, null],
      [4, T('05:30')],
    ]);
  });

  it('the deciding fact: at one class and time, a stored fact before an event, events in file order', async () => {
    const ws = await open();
    const db = ws.db;
    db.run("INSERT INTO devices(id, hostname, host_key) VALUES (1, 'A', 'A')");
    const at = T('05:00');
    const online = () => {
      db.run("INSERT INTO events(device_id, ts, kind, source) VALUES (1, ?, 'online', 'falcon')", [at]);
      return db.value<number>('SELECT last_insert_rowid()')!;
    };
    const decided = () => db.value(`SELECT ${firstFactId('1', `class = 'seen' AND ts = ${at}`)}`);
    const first = online();
    online();
    // Two check-in events at one time: the first in the file (the lower event id), as a fact id.
    expect(decided()).toBe(1e15 + first);
    db.run(`INSERT INTO stored_facts(device_id, class, type, ts, source) VALUES (1, 'seen', 'check-in', ${at}, 'x')`);
    const stored = db.value<number>('SELECT last_insert_rowid()')!;
    // A stored check-in at the same time comes first, though written after the events.
    expect(decided()).toBe(stored);
    // Another class or time: neither.
    expect(db.value(`SELECT ${firstFactId('1', `class = 'crash' AND ts = ${at}`)}`)).toBeNull();
  });
});
