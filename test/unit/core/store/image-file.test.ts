// A workspace image is checked and its id read where its bytes are: no copy in sql.js's memory, nothing written.
import { createHash } from 'node:crypto';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { backedDatabase } from '../../../../core/store/db.js';
import { checkImage, imageFile, imageWorkspaceId } from '../../../../core/store/image.js';

let SQL: SqlJsStatic;
let image: Uint8Array;
const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

beforeAll(async () => {
  SQL = await initSqlJs();
  // A plain image with a meta table and enough rows to span many pages (the reads must reach past the first).
  const db = new SQL.Database();
  db.run('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)');
  db.run("INSERT INTO meta VALUES ('workspace_id', ?)", [ID]);
  db.run('CREATE TABLE t (n INTEGER, pad TEXT)');
  db.run(
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5000) INSERT INTO t SELECT n, printf('%0200d', n) FROM c",
  );
  image = db.export();
  db.close();
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const memoryBytes = (db: Database) => (db as Database & { ringsideMemoryBytes(): number }).ringsideMemoryBytes();

describe('imageFile', () => {
  it('serves every page from the bytes: the database file holds none of them in memory', () => {
    expect(image.byteLength).toBeGreaterThan(100 * 4096);
    const db = backedDatabase(SQL, null, imageFile(image));
    try {
      expect(db.exec('SELECT count(*), sum(n) FROM t')[0]!.values[0]).toEqual([5000, (5000 * 5001) / 2]);
      expect(memoryBytes(db)).toBe(0);
    } finally {
      db.close();
    }
  });

  it('refuses writes and leaves the bytes as they were', () => {
    const before = sha(image);
    const db = backedDatabase(SQL, null, imageFile(image));
    try {
      expect(() => db.run('DELETE FROM t')).toThrow(/disk I\/O error/);
    } finally {
      db.close();
    }
    expect(sha(image)).toBe(before);
  });

  it('checkImage and imageWorkspaceId read the image in place', () => {
    const before = sha(image);
    expect(checkImage(SQL, image)).toBeNull();
    expect(imageWorkspaceId(SQL, image)).toBe(ID);
    expect(sha(image)).toBe(before);
  });

  it("a damaged or foreign image is still refused with SQLite's reason", () => {
    const torn = image.slice();
    torn.fill(0xa5, 4096, 3 * 4096);
    expect(checkImage(SQL, torn)).toMatch(/malformed|corrupt|integrity_check/i);
    expect(checkImage(SQL, new TextEncoder().encode('Hostname,Site\nPC1,LON\n'.repeat(300)))).toMatch(/not a database/);
    expect(checkImage(SQL, new Uint8Array(0))).toBe('the file is empty');
    expect(() => imageWorkspaceId(SQL, new TextEncoder().encode('x'.repeat(8192)))).toThrow(/not a database/);
  });
});
