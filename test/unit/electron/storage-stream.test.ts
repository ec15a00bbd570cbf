// The snapshot streamed from sql.js into the temp file: export()'s bytes exactly, and all or nothing on disk.
import { promises as fsp, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { Db, type ExportSink } from '../../../core/store/db.js';
import { openWorkspace } from '../../../core/workspace.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { WorkspaceStorage, type StorageFs } from '../../../electron/storage.js';
import { HARNESS_KEY } from '../../durability/shared.js';

let SQL: SqlJsStatic;
let root: string;
beforeAll(async () => {
  SQL = await loadSqlJs();
  root = mkdtempSync(path.join(os.tmpdir(), 'ringside-stream-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A workspace of about 24 MiB: three times SQLite's default page cache, so the backup spills pages as it goes. */
async function big() {
  const ws = await openWorkspace({ SQL, keyMaterial: HARNESS_KEY, now: () => 1 });
  ws.db.tx(() =>
    ws.db.run(`WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 60000)
      INSERT INTO devices(id, hostname, host_key, user) SELECT n, printf('PC-%06d', n), printf('PC-%06d', n),
        hex(randomblob(150)) FROM c`),
  );
  return ws;
}

describe('the streamed snapshot', () => {
  test('holds the bytes export() gives for the same database, on disk and through any sink', async () => {
    const ws = await big();
    const want = ws.db.export();
    expect(want.byteLength).toBeGreaterThan(20 << 20);
    const file = path.join(root, 'a.ringside');
    await new WorkspaceStorage().save(file, ws.db, 0);
    expect(Buffer.compare(readFileSync(file), Buffer.from(want))).toBe(0);

    // An in-memory sink: the writes land where export() has them, and the length is the image's.
    const out = new Uint8Array(want.byteLength + 4096);
    const sink: ExportSink = {
      write: (b, p) => out.set(b, p),
      read: (b, p) => {
        const s = out.subarray(p, p + b.byteLength);
        b.set(s);
        return s.byteLength;
      },
    };
    expect(ws.db.exportTo(sink)).toBe(want.byteLength);
    expect(Buffer.compare(Buffer.from(out.subarray(0, want.byteLength)), Buffer.from(want))).toBe(0);
    // The database is still open and writable afterwards, as after export().
    ws.db.run("INSERT INTO devices(hostname, host_key) VALUES ('LATE', 'LATE')");
    expect(ws.db.value('SELECT COUNT(*) FROM devices')).toBe(60001);
    expect(() => ws.db.tx(() => ws.db.exportTo(sink))).toThrow(/write transaction/);
    ws.db.close();
  });

  test('a file system without descriptors gets the same bytes whole', async () => {
    const ws = await big();
    const want = ws.db.export();
    const file = path.join(root, 'b.ringside');
    // Handles stripped of their descriptor, as a test's simulated file system has none.
    const fs: StorageFs = {
      open: (async (p: string, flags?: string | number, m?: number) => {
        const h = await fsp.open(p, flags, m);
        return { writeFile: (d: Uint8Array) => h.writeFile(d), sync: () => h.sync(), close: () => h.close() };
      }) as unknown as StorageFs['open'],
      rename: fsp.rename,
      rm: fsp.rm,
      readFile: fsp.readFile,
      stat: fsp.stat,
      copyFile: fsp.copyFile,
      readdir: (d) => fsp.readdir(d),
    };
    await new WorkspaceStorage({ fs }).save(file, ws.db, 0);
    expect(Buffer.compare(readFileSync(file), Buffer.from(want))).toBe(0);
    ws.db.close();
  });

  test('a snapshot that fails half way leaves the previous one and no temp file', async () => {
    const ws = await big();
    const file = path.join(root, 'c.ringside');
    const storage = new WorkspaceStorage();
    await storage.save(file, ws.db, 0);
    const before = readFileSync(file);
    ws.db.run("INSERT INTO devices(hostname, host_key) VALUES ('NEXT', 'NEXT')");
    // The export writes its first pages, then fails (as a full disk would).
    class Failing extends Db {
      override exportTo(sink: ExportSink): number {
        let n = 0;
        return super.exportTo({
          write: (b, p) => {
            if (++n > 100) throw new Error('ENOSPC: no space left on device');
            sink.write(b, p);
          },
          read: (b, p) => sink.read(b, p),
        });
      }
    }
    await expect(storage.save(file, new Failing(ws.db.raw), 1)).rejects.toThrow(/ENOSPC/);
    expect(Buffer.compare(readFileSync(file), before)).toBe(0);
    expect(readdirSync(path.dirname(file)).filter((n) => n.includes('.tmp-'))).toEqual([]);
    // The database is usable after the failed export, and the next save writes it whole.
    expect(ws.db.value("SELECT COUNT(*) FROM devices WHERE hostname = 'NEXT'")).toBe(1);
    await storage.save(file, ws.db, 1);
    expect(Buffer.compare(readFileSync(file), Buffer.from(ws.db.export()))).toBe(0);
    ws.db.close();
  });
});
