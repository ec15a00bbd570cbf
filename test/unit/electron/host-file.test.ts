// The working database and SQLite's temp files on disk (host files behind sql.js's MEMFS): same results, no image in memory.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database, SqlJsStatic } from 'sql.js';
import { importFiles } from '../../../core/ingest/pipeline.js';
import { fileChunks, SAMPLE_EXPORTS } from '../../../core/sample/index.js';
import type { HostFile } from '../../../core/store/db.js';
import { backedDatabase } from '../../../core/store/db.js';
import { openWorkspace, type Workspace } from '../../../core/workspace.js';
import { fileInput } from '../../../electron/cli/import.js';
import { backTempFiles, descriptorFile, removeStaleWorkDirs, WorkDir } from '../../../electron/node/host-file.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { WorkspaceStorage } from '../../../electron/storage.js';

const KEY = new Uint8Array(32).fill(7);
const now = () => Date.UTC(2024, 6, 22);
const base = mkdtempSync(path.join(os.tmpdir(), 'ringside-host-file-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let SQL: SqlJsStatic;
let work: WorkDir;
/** What went through the temp-file factory: files made, bytes written to them. */
const temps = { files: 0, written: 0 };
beforeAll(async () => {
  SQL = await loadSqlJs();
  work = WorkDir.create(base);
  const make = work.tempFile.bind(work);
  work.tempFile = () => {
    const f = make();
    temps.files++;
    return { ...f, write: (b, p) => (f.write(b, p), (temps.written += b.byteLength), undefined) };
  };
  backTempFiles(SQL, work);
});
afterAll(() => work.dispose());

const memoryBytes = (raw: Database) => (raw as Database & { ringsideMemoryBytes(): number }).ringsideMemoryBytes();

/** The sample's four files on disk, opened as the CLI opens them. */
async function sampleInputs(devices: number) {
  const dir = mkdtempSync(path.join(base, 'sample-'));
  return Promise.all(
    SAMPLE_EXPORTS.map(async (name) => {
      mkdirSync(path.join(dir, name));
      const file = path.join(dir, name, name);
      writeFileSync(file, [...fileChunks(name, { devices, seed: 1907 })].join(''));
      return fileInput(file);
    }),
  );
}

/** Every table's rows, but for what differs from run to run (random ids, nonces, a migration's clock time). */
function stored(ws: Workspace): string {
  const tables = ws.db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  const hex = (_k: string, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v);
  const skip: Record<string, string[]> = { schema_migrations: ['applied_at'], key_chunks: ['nonce', 'sealed'] };
  return JSON.stringify({
    schema: ws.db.all('SELECT type, name, sql FROM sqlite_master ORDER BY type, name'),
    rows: tables.map((t) => {
      const rows = ws.db.all<Record<string, unknown>>(
        t.name === 'meta'
          ? "SELECT * FROM meta WHERE key NOT IN ('audit_anchor', 'workspace_id')"
          : t.name === 'audit'
            ? 'SELECT seq, action FROM audit'
            : `SELECT * FROM "${t.name}"`,
      );
      for (const row of rows) for (const c of skip[t.name] ?? []) delete row[c];
      return [t.name, rows.map((r) => JSON.stringify(r, hex)).sort()];
    }),
  });
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('a workspace kept in a working file on disk', () => {
  test('imports the sample, saves and reopens with every table as the in-memory import has it', async () => {
    const inMemory = await openWorkspace({ SQL, keyMaterial: KEY, now });
    await importFiles(inMemory, await sampleInputs(1500));
    const expected = stored(inMemory);
    inMemory.db.close();
    expect(expected).toMatch(/PC-|LT-|WS-/);

    const before = { ...temps };
    const backed = await openWorkspace({ SQL, keyMaterial: KEY, now, backing: work.newDatabase() });
    await importFiles(backed, await sampleInputs(1500));
    expect(stored(backed)).toBe(expected);
    // The image is in the working file, none of it in sql.js's memory; SQLite's temp files went to disk too.
    const pages = backed.db.value<number>('PRAGMA page_count')! * backed.db.value<number>('PRAGMA page_size')!;
    expect(pages).toBeGreaterThan(3 << 20);
    expect(memoryBytes(backed.db.raw)).toBe(0);
    const [dbFile] = readdirSync(work.dir);
    expect(statSync(path.join(work.dir, dbFile!)).size).toBe(pages);
    expect(statSync(path.join(work.dir, dbFile!)).mode & 0o777).toBe(0o600);
    expect(statSync(work.dir).mode & 0o777).toBe(0o700);
    expect(temps.files).toBeGreaterThan(before.files);
    expect(temps.written).toBeGreaterThan(before.written);

    const file = path.join(base, 'incident.ringside');
    const storage = new WorkspaceStorage({ work });
    await storage.save(file, backed.db, 0);
    backed.db.close();
    // Closed: the working file is gone (temp files were unlinked when opened).
    expect(readdirSync(work.dir)).toEqual([]);

    const reopened = await storage.recover(file, { SQL, keyMaterial: KEY, now });
    try {
      expect(reopened.source).toBe('snapshot');
      expect(memoryBytes(reopened.ws.db.raw)).toBe(0);
      expect(readdirSync(work.dir)).toHaveLength(1);
      expect(stored(reopened.ws)).toBe(expected);
      expect(reopened.ws.db.value('PRAGMA integrity_check')).toBe('ok');
    } finally {
      reopened.ws.db.close();
    }
    expect(readdirSync(work.dir)).toEqual([]);
  }, 120_000);

  test('a sort that spills and a savepoint sub-journal go to host temp files, not memory', () => {
    const main = work.newDatabase();
    const raw = backedDatabase(SQL, null, main);
    try {
      raw.run('CREATE TABLE t(a INTEGER, b TEXT)');
      raw.run('BEGIN');
      const ins = raw.prepare('INSERT INTO t VALUES (?, ?)');
      for (let i = 0; i < 20_000; i++) ins.run([i, `${'x'.repeat(100)}${(i * 7919) % 20_000}`]);
      ins.free();
      raw.run('COMMIT');
      let before = { ...temps };
      raw.run('PRAGMA cache_size = 10');
      expect(raw.exec('SELECT count(*) FROM (SELECT b FROM t ORDER BY b DESC)')[0]!.values[0]![0]).toBe(20_000);
      expect(temps.files).toBeGreaterThan(before.files);
      expect(temps.written).toBeGreaterThan(1 << 20);
      // Every page the savepoint changes is first copied to its sub-journal: about the whole table.
      before = { ...temps };
      raw.run('BEGIN; INSERT INTO t VALUES (-1, NULL); SAVEPOINT s; UPDATE t SET b = b || 1; RELEASE s; COMMIT');
      expect(temps.written - before.written).toBeGreaterThan(1 << 20);
      expect(raw.exec("SELECT count(*) FROM t WHERE b LIKE '%1'")[0]!.values[0]![0]).toBe(20_000);
      expect(memoryBytes(raw)).toBe(0);
    } finally {
      raw.close();
    }
  });

  test('a shrinking VACUUM truncates the working file', () => {
    const main = work.newDatabase();
    const sizes: number[] = [];
    const raw = backedDatabase(SQL, null, { ...main, truncate: (n) => (sizes.push(n), main.truncate(n)) });
    try {
      raw.run('CREATE TABLE t(a INTEGER, b TEXT)');
      raw.run(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
               INSERT INTO t SELECT i, printf('%.500c', 'y') FROM n`);
      const full = main.size();
      expect(full).toBeGreaterThan(2 << 20);
      raw.run('DELETE FROM t WHERE a > 10');
      raw.run('VACUUM');
      const pages = Number(raw.exec('PRAGMA page_count')[0]!.values[0]![0]) * 4096;
      expect(pages).toBeLessThan(full / 10);
      expect(main.size()).toBe(pages);
      expect(sizes).toContain(pages);
      expect(raw.exec('SELECT count(*) FROM t')[0]!.values[0]![0]).toBe(10);
      expect(raw.exec('PRAGMA integrity_check')[0]!.values[0]![0]).toBe('ok');
    } finally {
      raw.close();
    }
  });

  test('a disk that fills up fails the import with a clear error; the workspace file is untouched', async () => {
    const file = path.join(base, 'full.ringside');
    const ws = await openWorkspace({ SQL, keyMaterial: KEY, now });
    await new WorkspaceStorage({ work }).save(file, ws.db, 0);
    ws.db.close();
    const before = sha(file);

    let full = false;
    const openCopy = work.openCopy.bind(work);
    const failing = Object.create(work) as WorkDir;
    failing.openCopy = (f: string, remove: boolean): HostFile => {
      const h = openCopy(f, remove);
      return {
        ...h,
        write: (b, p) => {
          if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          h.write(b, p);
        },
      };
    };
    const storage = new WorkspaceStorage({ work: failing });
    const rec = await storage.recover(file, { SQL, keyMaterial: KEY, now });
    try {
      const devices = rec.ws.db.value<number>('SELECT count(*) FROM devices');
      full = true;
      await expect(importFiles(rec.ws, await sampleInputs(1500))).rejects.toThrow(/disk is full/);
      full = false;
      // Rolled back: the working database is what it was, and it still works.
      expect(rec.ws.db.value('SELECT count(*) FROM devices')).toBe(devices);
      expect(rec.ws.db.value('PRAGMA integrity_check')).toBe('ok');
      expect(sha(file)).toBe(before);
    } finally {
      rec.ws.db.close();
    }
    expect(sha(file)).toBe(before);
  }, 120_000);
});

describe('gathered writes', () => {
  test.runIf(existsSync('/dev/full'))(
    'a gathered write that fails is reported at the commit (its fsync), and by every later call',
    () => {
      // /dev/full takes every write with ENOSPC: nothing reaches it, and SQLite must not believe otherwise.
      const raw = backedDatabase(SQL, null, descriptorFile(openSync('/dev/full', 'r+')));
      try {
        expect(() => raw.run('CREATE TABLE t(a)')).toThrow(/disk I\/O error|disk is full/);
        expect(() => raw.run('CREATE TABLE t(a)')).toThrow(/disk I\/O error|disk is full/);
      } finally {
        raw.close();
      }
      const f = descriptorFile(openSync('/dev/full', 'r+'));
      f.write(new Uint8Array(8), 0);
      expect(() => f.sync!()).toThrow(/ENOSPC/);
      expect(() => f.read(new Uint8Array(8), 0)).toThrow(/ENOSPC/);
      expect(() => f.write(new Uint8Array(8), 8)).toThrow(/ENOSPC/);
      expect(() => f.close()).toThrow(/ENOSPC/);
    },
  );
});

describe('the work directory', () => {
  test("a temp file has no name on disk; a crashed process's directory is removed at start-up, a live one kept", () => {
    const t = work.tempFile();
    try {
      expect(readdirSync(work.dir)).toEqual([]);
      t.write(new Uint8Array([1, 2, 3]), 5);
      const back = new Uint8Array(10);
      expect(t.read(back, 0)).toBe(8);
      expect([...back.subarray(5, 8)]).toEqual([1, 2, 3]);
      t.truncate(2);
      expect(t.size()).toBe(2);
    } finally {
      t.close();
    }
    const dir = mkdtempSync(path.join(base, 'stale-'));
    // Pids above the kernel's pid_max never run.
    mkdirSync(path.join(dir, 'ringside-work-4194999-abc'));
    mkdirSync(path.join(dir, `ringside-work-${process.pid}-def`));
    mkdirSync(path.join(dir, `ringside-work-${process.ppid}-ghi`));
    mkdirSync(path.join(dir, 'something-else'));
    expect(removeStaleWorkDirs(dir)).toEqual(['ringside-work-4194999-abc']);
    expect(readdirSync(dir).sort()).toEqual(
      [`ringside-work-${process.pid}-def`, `ringside-work-${process.ppid}-ghi`, 'something-else'].sort(),
    );
  });
});
