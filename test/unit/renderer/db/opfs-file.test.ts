// The browser worker's OPFS files (renderer/db/opfs-file.ts) over simulated sync access handles, with real sql.js.
import { beforeAll, describe, expect, test } from 'vitest';
import type { Database, SqlJsStatic } from 'sql.js';
import { backedDatabase } from '../../../../core/store/db.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import {
  handleFile,
  OPFS_DIR,
  OpfsStore,
  TempPool,
  type OpfsDir,
  type SyncHandle,
} from '../../../../renderer/db/opfs-file.js';

/** A file as OPFS keeps it: bytes, and whether a sync access handle holds it (one at a time, as in the browser). */
interface SimFile {
  bytes: Uint8Array;
  size: number;
  locked: boolean;
}

/** A sync access handle over a SimFile; `quota` makes writes past it fail as the browser's do; reads give <= `chunk`. */
function simHandle(f: SimFile, opts: { quota?: number; chunk?: number } = {}): SyncHandle {
  let closed = false;
  const live = () => {
    if (closed) throw new DOMException('the handle is closed', 'InvalidStateError');
  };
  const grow = (end: number) => {
    if (end > (opts.quota ?? Infinity)) throw new DOMException('Quota exceeded.', 'QuotaExceededError');
    if (end > f.bytes.byteLength) {
      const next = new Uint8Array(Math.max(end, f.bytes.byteLength * 2));
      next.set(f.bytes.subarray(0, f.size));
      f.bytes = next;
    }
  };
  return {
    read(into, { at }) {
      live();
      const n = Math.max(0, Math.min(into.byteLength, f.size - at, opts.chunk ?? Infinity));
      into.set(f.bytes.subarray(at, at + n));
      return n;
    },
    write(bytes, { at }) {
      live();
      grow(at + bytes.byteLength);
      f.bytes.set(bytes, at);
      f.size = Math.max(f.size, at + bytes.byteLength);
      return bytes.byteLength;
    },
    truncate(size) {
      live();
      grow(size);
      f.bytes.fill(0, size);
      f.size = size;
    },
    getSize() {
      live();
      return f.size;
    },
    flush() {},
    close() {
      closed = true;
      f.locked = false;
    },
  };
}

const simFile = (): SimFile => ({ bytes: new Uint8Array(0), size: 0, locked: false });

/** A directory of SimFiles whose handles lock their file, as Chromium's do. */
function simDir(files = new Map<string, SimFile>()): OpfsDir & { files: Map<string, SimFile> } {
  return {
    files,
    async getFileHandle(name, opts) {
      let f = files.get(name);
      if (!f) {
        if (!opts?.create) throw new DOMException(`${name} not found`, 'NotFoundError');
        files.set(name, (f = simFile()));
      }
      const file = f;
      return {
        async createSyncAccessHandle() {
          if (file.locked) throw new DOMException('Access Handles cannot be created', 'NoModificationAllowedError');
          file.locked = true;
          return simHandle(file);
        },
      };
    },
    async removeEntry(name) {
      if (files.get(name)?.locked) throw new DOMException('locked', 'NoModificationAllowedError');
      files.delete(name);
    },
    async *keys() {
      yield* [...files.keys()];
    },
  };
}

let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

describe('handleFile', () => {
  test('reads whole ranges through short reads, and stops short only at the end', () => {
    const f = simFile();
    const file = handleFile(simHandle(f, { chunk: 3 }), () => undefined);
    file.write(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 0);
    const into = new Uint8Array(8);
    // 8 bytes asked at 1 with 3 at a time: 2..9 in three reads.
    expect(file.read(into, 1)).toBe(8);
    expect([...into]).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    // Past the end: only the 2 bytes there are.
    expect(file.read(new Uint8Array(5), 8)).toBe(2);
    expect(file.size()).toBe(10);
  });

  test('a full quota reaches SQLite as a full disk, and the transaction is rolled back', () => {
    // 64 KiB: room for the empty database's pages, not for the 256 KiB blob.
    const f = simFile();
    const db: Database = backedDatabase(
      SQL,
      null,
      handleFile(simHandle(f, { quota: 64 << 10 }), () => undefined),
    );
    try {
      db.run('PRAGMA journal_mode = MEMORY');
      db.run('CREATE TABLE t (b BLOB)');
      db.run('INSERT INTO t VALUES (x)'.replace('x', "'small'"));
      expect(() => db.run('INSERT INTO t VALUES (zeroblob(262144))')).toThrow(/database or disk is full/);
      expect(db.exec('SELECT count(*) FROM t')[0]!.values[0]![0]).toBe(1);
    } finally {
      db.close();
    }
  });
});

describe('TempPool', () => {
  test('hands out emptied handles, refuses when all are out, and takes each back once, emptied', () => {
    const files = [simFile(), simFile()];
    files[0]!.size = 5;
    const pool = new TempPool(files.map((f) => simHandle(f)));
    const a = pool.take()!;
    const b = pool.take()!;
    expect(a.size()).toBe(0);
    expect(b.size()).toBe(0);
    expect(pool.take()).toBeNull();
    expect([pool.served, pool.declined, pool.available]).toEqual([2, 1, 0]);

    a.write(new Uint8Array(100), 0);
    a.close();
    a.close();
    // One handle back (not two), emptied; the largest a temp file grew to is kept.
    expect(pool.available).toBe(1);
    expect(pool.largest).toBe(100);
    expect(files.reduce((s, f) => s + f.size, 0)).toBe(0);
    const c = pool.take()!;
    expect(pool.take()).toBeNull();
    expect([pool.served, pool.declined]).toEqual([3, 2]);
    b.close();
    c.close();
    expect(pool.available).toBe(2);
  });

  test("SQLite's sort spills and temp database go to the pool, with the same results", async () => {
    const dir = simDir();
    const store = await OpfsStore.start({ getDirectoryHandle: async () => dir }, 4);
    const pool = store.pool;
    const files = [...dir.files.values()];
    store.backTempFiles(SQL);
    const mod = SQL as SqlJsStatic & { ringsideBackDir(p: string, f: ((n: string) => unknown) | null): void };
    const db = new SQL.Database();
    try {
      // A small page cache and file temp storage: the sort of 20,000 rows of 200 bytes spills to a temp file.
      db.run('PRAGMA cache_size = 20; PRAGMA temp_store = FILE');
      db.run('CREATE TABLE t (k INTEGER, pad TEXT)');
      db.run(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO t SELECT (i * 7919) % 20000, printf('%0200d', i) FROM n",
      );
      const rows = db.exec('SELECT k FROM t ORDER BY k, pad')[0]!.values.map((r) => r[0] as number);
      // (i * 7919) % 20000 for i in 1..20000 is a permutation of 0..19999 (7919 is prime to 20000).
      expect(rows).toHaveLength(20000);
      expect(rows.every((k, i) => k === i)).toBe(true);
      expect(pool.served).toBeGreaterThan(0);
      expect(pool.largest).toBeGreaterThan(1 << 20);
      // Every temp file closed went back to the pool, emptied.
      expect(pool.available).toBe(4);
      expect(files.every((f) => f.size === 0)).toBe(true);
    } finally {
      db.close();
      mod.ringsideBackDir('/tmp', null);
      mod.ringsideBackDir('/', null);
    }
  });
});

describe('OpfsStore', () => {
  test('start-up removes what no live worker holds, and a database file is removed when it closes', async () => {
    const dir = simDir();
    const root = { getDirectoryHandle: async (name: string) => (name === OPFS_DIR ? dir : simDir()) };
    // A crashed window's leftovers, and a file a live worker holds open.
    dir.files.set('db-crashed-1', { ...simFile(), size: 3 });
    dir.files.set('tmp-crashed-0', simFile());
    dir.files.set('db-live-1', { ...simFile(), locked: true });

    const store = await OpfsStore.start(root, 3);
    const names = [...dir.files.keys()];
    expect(names).not.toContain('db-crashed-1');
    expect(names).not.toContain('tmp-crashed-0');
    expect(names).toContain('db-live-1');
    // The pool's three files, held.
    expect(names.filter((n) => n.startsWith('tmp-'))).toHaveLength(3);
    expect(store.info().pool).toMatchObject({ size: 3, available: 3 });

    const image = new Uint8Array(5000).map((_, i) => i % 251);
    const file = await store.newDatabase(image);
    const dbName = [...dir.files.keys()].find((n) => n.startsWith('db-') && n !== 'db-live-1')!;
    expect(dir.files.get(dbName)!.bytes.subarray(0, 5000)).toEqual(image);
    expect(store.info().databaseBytes).toBe(5000);
    file.close();
    await Promise.resolve();
    expect(dir.files.has(dbName)).toBe(false);
    expect(store.info().databaseBytes).toBe(0);
  });

  test('a workspace opens from the working file and reads back the same', async () => {
    const dir = simDir();
    const store = await OpfsStore.start({ getDirectoryHandle: async () => dir }, 2);
    const src = new SQL.Database();
    src.run("CREATE TABLE t (a); INSERT INTO t VALUES (1), (2), ('three')");
    const image = src.export();
    src.close();
    const db = backedDatabase(SQL, null, await store.newDatabase(image));
    try {
      expect(db.exec('SELECT a FROM t ORDER BY rowid')[0]!.values).toEqual([[1], [2], ['three']]);
      expect((db as Database & { ringsideMemoryBytes(): number }).ringsideMemoryBytes()).toBe(0);
    } finally {
      db.close();
    }
  });
});
