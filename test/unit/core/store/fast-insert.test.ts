// RowInsert: rows bound through sqlite's C API are stored exactly as sql.js's own Statement.run stores them.
import { describe, expect, it } from 'vitest';
import { Db } from '../../../../core/store/db.js';
import { RowInsert } from '../../../../core/store/fast-insert.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const TABLE = 'CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT NOT NULL, c TEXT, d INTEGER, e REAL)';
const ROWS: (string | number | null)[][] = [
  [1721599477000, 'café', null, 7, 1.5],
  [2147483647, '', 'Zürich — 東京 😀', -1, 0],
  [2147483648, 'x'.repeat(5000), 'PAR-LT-00000', null, -2.25],
  ['x', 'cut \ud83d', 'mid \ude00 low', 3, 4.5],
  [null, 'O\'Brien "q", a\nb', '', 0, 1e21],
];

async function open(): Promise<Db> {
  const db = Db.open(await loadSqlJs());
  db.run(TABLE);
  return db;
}

const dump = (db: Db) =>
  db
    .all<{ q: string }>(
      `SELECT quote(a)||'|'||typeof(a)||'|'||quote(b)||'|'||quote(c)||'|'||typeof(d)||quote(d)||'|'||typeof(e)||quote(e) AS q FROM t ORDER BY id`,
    )
    .map((r) => r.q);

describe('RowInsert', () => {
  it('binds through the C API and stores what the values are', async () => {
    const db = await open();
    const ins = new RowInsert(db, 'INSERT INTO t(a, b, c, d, e) VALUES (?,?,?,?,?)', 5);
    expect(ins.direct).toBe(true);
    for (const r of ROWS) ins.run(r);
    ins.free();
    const rows = dump(db);
    // By hand: ms times and ints past 32 bits stay integers, null stays null, text round-trips, 1.5 stays real.
    expect(rows[0]).toBe("1721599477000|integer|'café'|NULL|integer7|real1.5");
    expect(rows[1]).toBe("2147483647|integer|''|'Zürich — 東京 😀'|integer-1|real0.0");
    expect(rows[2]).toBe(`2147483648|integer|'${'x'.repeat(5000)}'|'PAR-LT-00000'|nullNULL|real-2.25`);
    expect(rows[4]).toBe("NULL|null|'O''Brien \"q\", a\nb'|''|integer0|real1.0e+21");
    expect(db.value('SELECT length(c) FROM t WHERE id = 2')).toBe(13);
  });

  it('stores byte for byte what sql.js run() stores', async () => {
    const a = await open();
    const b = await open();
    const fast = new RowInsert(a, 'INSERT INTO t(a, b, c, d, e) VALUES (?,?,?,?,?)', 5);
    const slow = b.prepare('INSERT INTO t(a, b, c, d, e) VALUES (?,?,?,?,?)');
    for (let i = 0; i < 3; i++)
      for (const r of ROWS) {
        fast.run(r);
        slow.run(r);
      }
    fast.free();
    slow.free();
    expect(dump(a)).toEqual(dump(b));
    expect(dump(a)).toHaveLength(15);
  });

  it("fails with sqlite's message and leaves the statement usable", async () => {
    const db = await open();
    const ins = new RowInsert(db, 'INSERT INTO t(a, b) VALUES (?,?)', 2);
    expect(() => ins.run([1, null])).toThrow('NOT NULL constraint failed: t.b');
    ins.run([2, 'ok']);
    ins.free();
    expect(db.all('SELECT a, b FROM t')).toEqual([{ a: 2, b: 'ok' }]);
  });

  it('falls back to run() without the C API', async () => {
    const db = await open();
    db.sql = null;
    const ins = new RowInsert(db, 'INSERT INTO t(a, b) VALUES (?,?)', 2);
    expect(ins.direct).toBe(false);
    ins.run([3, 'slow']);
    ins.free();
    expect(db.all('SELECT a, b FROM t')).toEqual([{ a: 3, b: 'slow' }]);
  });
});
