// DirectStatement: rows bound through sqlite's C API are stored and read as sql.js's own Statement does.
import { describe, expect, it } from 'vitest';
import { Db } from '../../../../core/store/db.js';
import { DirectStatement } from '../../../../core/store/fast-insert.js';
import { TextIds } from '../../../../core/store/text-ids.js';
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

describe('DirectStatement inserts', () => {
  it('binds through the C API and stores what the values are', async () => {
    const db = await open();
    const ins = new DirectStatement(db, 'INSERT INTO t(a, b, c, d, e) VALUES (?,?,?,?,?)', 5);
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
    const fast = new DirectStatement(a, 'INSERT INTO t(a, b, c, d, e) VALUES (?,?,?,?,?)', 5);
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
    const ins = new DirectStatement(db, 'INSERT INTO t(a, b) VALUES (?,?)', 2);
    expect(() => ins.run([1, null])).toThrow('NOT NULL constraint failed: t.b');
    ins.run([2, 'ok']);
    ins.free();
    expect(db.all('SELECT a, b FROM t')).toEqual([{ a: 2, b: 'ok' }]);
  });

  it('falls back to run() without the C API', async () => {
    const db = await open();
    db.sql = null;
    const ins = new DirectStatement(db, 'INSERT INTO t(a, b) VALUES (?,?)', 2);
    expect(ins.direct).toBe(false);
    ins.run([3, 'slow']);
    ins.free();
    expect(db.all('SELECT a, b FROM t')).toEqual([{ a: 3, b: 'slow' }]);
  });
});

describe('DirectStatement', () => {
  it('reads a row as sql.js get() reads it, and null past the last row', async () => {
    const db = await open();
    const ins = new DirectStatement(db, 'INSERT INTO t(a, b, c, d, e) VALUES (?,?,?,?,?)', 5);
    for (const r of ROWS) ins.run(r);
    ins.free();
    db.run("UPDATE t SET c = x'00ff10' WHERE id = 1");
    const sel = 'SELECT a, b, c, d, e, id FROM t WHERE id = ?';
    const read = new DirectStatement(db, sel, 1);
    expect(read.direct).toBe(true);
    const slow = db.prepare(sel);
    for (let id = 1; id <= ROWS.length; id++) {
      slow.bind([id]);
      slow.step();
      expect(read.row([id])).toEqual(slow.get());
      slow.reset();
    }
    slow.free();
    // By hand: an int past 32 bits, text with an emoji, a blob, a null and a real come back as they were stored.
    expect(read.row([1])).toEqual([1721599477000, 'café', new Uint8Array([0, 255, 16]), 7, 1.5, 1]);
    expect(read.row([2])![2]).toBe('Zürich — 東京 😀');
    expect(read.row([99])).toBeNull();
    read.free();
  });

  it('interleaves statements on one scratch buffer and counts the rows a run changed', async () => {
    const db = await open();
    const ins = new DirectStatement(db, 'INSERT INTO t(a, b) VALUES (?,?)', 2);
    const upd = new DirectStatement(db, 'UPDATE t SET b = ? WHERE b = ?', 2);
    const read = new DirectStatement(db, 'SELECT b FROM t WHERE a = ?', 1);
    for (let i = 0; i < 50; i++) {
      ins.run([i % 5, `row-${i}-${'y'.repeat(i * 40)}`]);
      // A longer value grows the buffer the next statement writes into.
      upd.run([`long-${i}-${'z'.repeat(i * 90)}`, `row-${i}-${'y'.repeat(i * 40)}`]);
      expect(upd.changes()).toBe(1);
    }
    upd.run(['none', 'no such value']);
    expect(upd.changes()).toBe(0);
    expect(read.row([4])).toEqual([`long-4-${'z'.repeat(4 * 90)}`]);
    expect(db.value("SELECT COUNT(*) FROM t WHERE b LIKE 'long-%'")).toBe(50);
    ins.free();
    upd.free();
    read.free();
  });

  it('without the C API reads and counts through sql.js', async () => {
    const db = await open();
    db.run("INSERT INTO t(a, b) VALUES (1, 'one'), (1, 'uno')");
    db.sql = null;
    const upd = new DirectStatement(db, "UPDATE t SET c = 'x' WHERE a = ?", 1);
    const read = new DirectStatement(db, 'SELECT b, c FROM t WHERE b = ?', 1);
    expect(upd.direct).toBe(false);
    upd.run([1]);
    expect(upd.changes()).toBe(2);
    expect(read.row(['uno'])).toEqual(['uno', 'x']);
    expect(read.row(['dos'])).toBeNull();
    upd.free();
    read.free();
  });

  it('walks every row of a query, stops when told, and reads the same with and without the C API', async () => {
    const walk = (db: Db, stopAt = Infinity) => {
      const st = new DirectStatement(db, 'SELECT id, a, b, c FROM t WHERE id > ? ORDER BY id', 1);
      const seen: unknown[][] = [];
      st.each([1], (col, n) => {
        seen.push([n, col(0), col(3), col(1)]);
        return seen.length < stopAt;
      });
      // The walk resets the statement: it runs again from the first row.
      const again: number[] = [];
      st.each([3], (col) => void again.push(col(0) as number));
      st.free();
      return { seen, again };
    };
    const fill = async () => {
      const db = await open();
      db.run(
        "INSERT INTO t(a, b, c) VALUES (10, 'x', NULL), (2147483648, 'y', 'Zürich'), (-5, 'z', x'01'), (0, 'w', '')",
      );
      return db;
    };
    const fast = await fill();
    const slow = await fill();
    slow.sql = null;
    // By hand: ids 2..4, four columns each, the blob as bytes, columns read out of order.
    const want = [
      [4, 2, 'Zürich', 2147483648],
      [4, 3, new Uint8Array([1]), -5],
      [4, 4, '', 0],
    ];
    expect(walk(fast)).toEqual({ seen: want, again: [4] });
    expect(walk(slow)).toEqual({ seen: want, again: [4] });
    expect(walk(fast, 2).seen).toEqual(want.slice(0, 2));
    expect(walk(slow, 1).seen).toEqual(want.slice(0, 1));
  });

  it('reads short ASCII text from the heap and other text through UTF8ToString, the same strings either way', async () => {
    const db = await open();
    const texts = [
      '',
      'a',
      'PAR-LT-00042',
      'n'.repeat(47),
      'n'.repeat(48), // the longest read in JS
      'n'.repeat(49),
      'x\u0000y', // a NUL inside (bound with its length, read back with it)
      '\u007f',
      'café',
      `${'n'.repeat(46)}é`, // 48 bytes, past ASCII at the last two
      'é',
      '東京 😀',
      'x'.repeat(5000),
    ];
    const ins = new DirectStatement(db, 'INSERT INTO t(a, b) VALUES (?, ?)', 2);
    texts.forEach((t, i) => ins.run([i, t]));
    ins.free();
    const mod = db.sql as unknown as { UTF8ToString: (...a: unknown[]) => string; ringsideHeapU8?: () => Uint8Array };
    expect(typeof mod.ringsideHeapU8).toBe('function');
    const decode = mod.UTF8ToString;
    const decoded: number[] = [];
    mod.UTF8ToString = (...a: unknown[]) => (decoded.push(a[1] as number), decode(...a));
    const heap = mod.ringsideHeapU8!;
    const read = (db: Db) => {
      const st = new DirectStatement(db, 'SELECT b FROM t ORDER BY id', 0);
      const got: unknown[] = [];
      st.each([], (col) => void got.push(col(0)));
      st.free();
      return got;
    };
    try {
      expect(read(db)).toEqual(texts);
      // By hand: the byte lengths of the texts past 48 bytes or past ASCII, in order; nothing else was decoded.
      expect(decoded).toEqual([49, 5, 48, 2, 11, 5000]);
      // A module without the heap (another sql.js build): every text through UTF8ToString, the same strings.
      decoded.length = 0;
      delete mod.ringsideHeapU8;
      expect(read(db)).toEqual(texts);
      expect(decoded.length).toBe(texts.length);
    } finally {
      mod.UTF8ToString = decode;
      mod.ringsideHeapU8 = heap;
    }
  });

  it('leaves the statement usable after the walk throws', async () => {
    const db = await open();
    db.run("INSERT INTO t(a, b) VALUES (1, 'a'), (2, 'b')");
    const st = new DirectStatement(db, 'SELECT b FROM t ORDER BY id', 0);
    expect(() =>
      st.each([], () => {
        throw new Error('stop');
      }),
    ).toThrow('stop');
    const got: unknown[] = [];
    st.each([], (col) => void got.push(col(0)));
    st.free();
    expect(got).toEqual(['a', 'b']);
  });
});

describe('TextIds', () => {
  /** FNV-1a as TextIds hashes (seeded with the length): to find two texts of one hash. */
  const fnv = (b: Uint8Array) => {
    let h = 0x811c9dc5 ^ b.length;
    for (const x of b) h = Math.imul(h ^ x, 0x01000193);
    return h;
  };
  /** Two different 6-byte texts with the same hash (a birthday search: about 2^16 tries; found once). */
  let pair: [string, string] | undefined;
  function collision(): [string, string] {
    return (pair ??= search());
  }
  function search(): [string, string] {
    const seen = new Map<number, string>();
    for (let i = 0; ; i++) {
      const t = `k${i.toString(36).padStart(5, '0')}`;
      const h = fnv(new TextEncoder().encode(t));
      const other = seen.get(h);
      if (other !== undefined) return [other, t];
      seen.set(h, t);
    }
  }

  it('numbers texts by their bytes: equal bytes one id, different bytes (one hash too) apart', () => {
    const [a, b] = collision();
    expect(a).not.toBe(b);
    const enc = (t: string) => new TextEncoder().encode(t);
    expect(fnv(enc(a))).toBe(fnv(enc(b)));
    const ids = new TextIds();
    // Each text at another place of a larger "heap", as a column's text lies in the module's memory.
    const at = (t: string, pad: number) => {
      const heap = new Uint8Array(pad + 64);
      heap.set(enc(t), pad);
      return ids.idOfBytes(heap, pad, enc(t).length, () => t);
    };
    expect([at(a, 3), at(b, 9), at(a, 20), at(b, 0), at('', 5), at('', 1)]).toEqual([0, 1, 0, 1, 2, 2]);
    expect([at('é', 2), at('e', 2), at('東京', 7), at('é', 30)]).toEqual([3, 4, 5, 3]);
    expect(ids.size).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map((i) => ids.text(i))).toEqual([a, b, '', 'é', 'e', '東京']);
    // Without the module's memory: by the text itself.
    const byText = new TextIds();
    expect([byText.idOf(a), byText.idOf(b), byText.idOf(a), byText.idOf('')]).toEqual([0, 1, 0, 2]);
  });

  it('reads a column through the C API: the same ids as by text, -1 for NULL, numbers as their text', async () => {
    const db = await open();
    const [a, b] = collision();
    const texts = [a, b, 'café', a, 'n'.repeat(60), 'café', b, 'n'.repeat(60), ''];
    db.run('CREATE TABLE u(id INTEGER PRIMARY KEY, v)');
    texts.forEach((t, i) => db.run('INSERT INTO u VALUES (?, ?)', [i, t]));
    db.run('INSERT INTO u VALUES (100, NULL), (101, 42), (102, 1.5)');
    const st = new DirectStatement(db, 'SELECT v FROM u ORDER BY id', 0);
    expect(st.direct).toBe(true);
    const ids = new TextIds();
    const got: number[] = [];
    st.each([], () => void got.push(st.textId(0, ids)));
    st.free();
    expect(got).toEqual([0, 1, 2, 0, 3, 2, 1, 3, 4, -1, 5, 6]);
    expect(Array.from({ length: ids.size }, (_, i) => ids.text(i))).toEqual([
      a,
      b,
      'café',
      'n'.repeat(60),
      '',
      '42',
      '1.5',
    ]);
  });
});
