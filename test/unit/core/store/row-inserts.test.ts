// RowInserts: many rows to a statement store what one statement per row stores, in the same order and ids.
import { describe, expect, it } from 'vitest';
import { Db } from '../../../../core/store/db.js';
import { DirectStatement } from '../../../../core/store/fast-insert.js';
import { RowInserts } from '../../../../core/store/row-inserts.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const TABLE =
  'CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT NOT NULL, c TEXT, k INTEGER NOT NULL DEFAULT 0)';

async function open(): Promise<Db> {
  const db = Db.open(await loadSqlJs());
  db.run(TABLE);
  return db;
}

const dump = (db: Db) =>
  db
    .all<{ q: string }>(`SELECT id||'|'||quote(a)||'|'||quote(b)||'|'||quote(c)||'|'||k AS q FROM t ORDER BY id`)
    .map((r) => r.q);

/** Row i: an int, an emoji every 7th row, a lone surrogate in row 11 (sql.js binds that statement), a null every 3rd. */
const row = (i: number): (string | number | null)[] => [
  i * 1_000_003,
  i === 11 ? `cut \ud83d ${i}` : i % 7 === 0 ? `Zürich 😀 ${i}` : `row-${i}`,
  i % 3 === 0 ? null : `c${'x'.repeat(i % 5)}`,
];

describe('RowInserts', () => {
  it('stores, row for row and id for id, what one statement per row stores; the tail goes in at flush', async () => {
    const a = await open();
    const b = await open();
    const many = new RowInserts(a, 'INSERT INTO t(a, b, c, k)', '(?,?,?,42)', 3, 4);
    const one = new DirectStatement(b, 'INSERT INTO t(a, b, c, k) VALUES (?,?,?,42)', 3);
    // 14 rows at 4 a statement: three full statements, then 2 rows left for flush().
    for (let i = 0; i < 14; i++) {
      many.add(row(i));
      one.run(row(i));
    }
    expect(a.value('SELECT COUNT(*) FROM t')).toBe(12);
    many.flush();
    many.flush();
    many.free();
    one.free();
    expect(dump(a)).toEqual(dump(b));
    // By hand: 14 rows, ids 1..14 in the order added, the constant written into the tuple on every row.
    expect(dump(a)).toHaveLength(14);
    expect(dump(a)[0]).toBe("1|0|'Zürich 😀 0'|NULL|42");
    expect(dump(a)[7]).toBe("8|7000021|'Zürich 😀 7'|'cxx'|42");
    expect(dump(a)[13]).toBe("14|13000039|'row-13'|'cxxx'|42");
  });

  it('flushes any number of waiting rows in halving statements, row for row what one statement per row stores', async () => {
    for (const perRun of [1, 2, 5, 8, 64]) {
      for (let pending = 0; pending < perRun; pending++) {
        const a = await open();
        const b = await open();
        const many = new RowInserts(a, 'INSERT INTO t(a, b, c, k)', '(?,?,?,7)', 3, perRun);
        const one = new DirectStatement(b, 'INSERT INTO t(a, b, c, k) VALUES (?,?,?,7)', 3);
        // One full statement, then `pending` rows for flush(); flushed twice, then more rows and a second flush.
        const total = perRun + pending;
        for (let i = 0; i < total; i++) {
          many.add(row(i));
          one.run(row(i));
        }
        expect(a.value('SELECT COUNT(*) FROM t')).toBe(perRun);
        many.flush();
        many.flush();
        for (let i = total; i < total + 3; i++) {
          many.add(row(i));
          one.run(row(i));
        }
        many.flush();
        many.free();
        one.free();
        expect(dump(a), `${perRun} a statement, ${pending} waiting`).toEqual(dump(b));
        expect(dump(a)).toHaveLength(total + 3);
      }
    }
  });

  it('copies the values it is given (the caller reuses its array) and drops unflushed rows when freed', async () => {
    const db = await open();
    const ins = new RowInserts(db, 'INSERT INTO t(a, b)', '(?,?)', 2, 3);
    const params: (string | number | null)[] = [0, ''];
    for (let i = 0; i < 5; i++) {
      params[0] = i;
      params[1] = `v${i}`;
      ins.add(params);
    }
    ins.free();
    // By hand: one full statement of 3 rows went in; the 2 rows still waiting were never inserted.
    expect(db.all('SELECT a, b FROM t ORDER BY id')).toEqual([
      { a: 0, b: 'v0' },
      { a: 1, b: 'v1' },
      { a: 2, b: 'v2' },
    ]);
  });

  it("fails a statement with sqlite's message, and the rows of a failed statement are not inserted", async () => {
    const db = await open();
    const ins = new RowInserts(db, 'INSERT INTO t(a, b)', '(?,?)', 2, 2);
    ins.add([1, 'ok']);
    expect(() => ins.add([2, null])).toThrow('NOT NULL constraint failed: t.b');
    ins.add([3, 'three']);
    ins.flush();
    ins.free();
    expect(db.all('SELECT a FROM t ORDER BY id')).toEqual([{ a: 3 }]);
  });
});

describe('DirectStatement buffer', () => {
  it('keeps the cells already encoded when a later cell of the same row needs a larger buffer', async () => {
    const db = await open();
    const ins = new DirectStatement(db, 'INSERT INTO t(a, b, c) VALUES (?,?,?)', 3);
    // Longer than any value bound before in this process: the buffer grows between cell b and cell c.
    const big = `é${'q'.repeat(3_000_000)}`;
    ins.run([1, 'first cell, before the growth', big]);
    ins.run([2, 'after', 'small']);
    ins.free();
    expect(db.value('SELECT b FROM t WHERE a = 1')).toBe('first cell, before the growth');
    expect(db.value('SELECT length(c) FROM t WHERE a = 1')).toBe(3_000_001);
    expect(db.value('SELECT c = ? FROM t WHERE a = 1', [big])).toBe(1);
    expect(db.all('SELECT b, c FROM t WHERE a = 2')).toEqual([{ b: 'after', c: 'small' }]);
  });

  it('binds blobs beside text in the same buffer, a blob past its size growing it, an empty blob as a blob', async () => {
    const db = Db.open(await loadSqlJs());
    db.run('CREATE TABLE g(id INTEGER PRIMARY KEY, a TEXT, b BLOB, c BLOB)');
    const ins = new RowInserts(db, 'INSERT INTO g(a, b, c)', '(?,?,?)', 3, 2);
    const big = new Uint8Array(5_000_000).map((_, i) => (i * 7) & 0xff);
    const rows: (string | Uint8Array | null)[][] = [
      ['text before', new Uint8Array([1, 2, 3]), null],
      ['ü after a blob', big, new Uint8Array(0)],
      ['last', new Uint8Array([0, 255]), new Uint8Array([9])],
    ];
    for (const r of rows) ins.add(r);
    ins.flush();
    ins.free();
    const got = db.all<{ a: string; b: Uint8Array; c: Uint8Array | null; tc: string }>(
      'SELECT a, b, c, typeof(c) AS tc FROM g ORDER BY id',
    );
    expect(got.map((r) => [r.a, r.tc])).toEqual([
      ['text before', 'null'],
      ['ü after a blob', 'blob'],
      ['last', 'blob'],
    ]);
    expect(Array.from(got[0]!.b)).toEqual([1, 2, 3]);
    // Compared whole in one call: toEqual walks 5 M elements one by one (a minute under load).
    expect(got[1]!.b.byteLength).toBe(big.byteLength);
    expect(Buffer.compare(got[1]!.b, big)).toBe(0);
    expect(Array.from(got[2]!.b)).toEqual([0, 255]);
    expect(Array.from(got[2]!.c!)).toEqual([9]);
  });
});
