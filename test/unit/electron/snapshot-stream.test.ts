// The desktop save streamed from the database worker: chunks in order into a temp file, renamed only when complete.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { streamExport } from '../../../core/store/export-stream.js';
import { openWorkspace, type Workspace } from '../../../core/workspace.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { WorkspaceStorage, type StorageFs } from '../../../electron/storage.js';
import { headlessHost } from '../../durability/desktop-host.js';
import { HARNESS_KEY } from '../../durability/shared.js';

let SQL: SqlJsStatic;
let root: string;
let big: Workspace;
beforeAll(async () => {
  SQL = await loadSqlJs();
  root = mkdtempSync(path.join(os.tmpdir(), 'ringside-snapstream-'));
  // About 24 MiB: several times SQLite's page cache and many chunks of 1 MiB.
  big = await openWorkspace({ SQL, keyMaterial: HARNESS_KEY, now: () => 1 });
  big.db.tx(() =>
    big.db.run(`WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 60000)
      INSERT INTO devices(id, hostname, host_key, user) SELECT n, printf('PC-%06d', n), printf('PC-%06d', n),
        hex(randomblob(150)) FROM c`),
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MiB = 2 ** 20;

/** A desktop host over a fresh directory, with one workspace created (its first snapshot on disk). */
async function setup(fs?: StorageFs) {
  const dir = mkdtempSync(path.join(root, 'h-'));
  const storage = new WorkspaceStorage(fs ? { fs } : {});
  const host = headlessHost(dir, storage);
  const ws = await host.createWorkspace('Incident');
  const file = ws.ref.location;
  const before = readFileSync(file);
  const temps = () => readdirSync(dir).filter((n) => n.includes('.tmp-'));
  return { dir, host, id: ws.ref.id, file, before, temps };
}

describe('a streamed desktop save', () => {
  test('writes, chunk by chunk, the bytes export() gives for the same database, and keeps the old one as .prev', async () => {
    const { host, id, file, before, temps } = await setup();
    const want = big.db.export();
    const sid = await host.snapshotBegin(id, 0);
    const sizes: number[] = [];
    const head = await streamExport(
      big.db,
      async (position, bytes) => {
        sizes.push(bytes.byteLength);
        await host.snapshotChunk(sid, position, bytes);
      },
      MiB,
    );
    // Nothing replaces the old snapshot before the end: the temp file holds the chunks so far.
    expect(Buffer.compare(readFileSync(file), before)).toBe(0);
    expect(temps()).toHaveLength(1);
    await host.snapshotEnd(sid, head);
    expect(sizes.length).toBeGreaterThan(20);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MiB);
    expect(Buffer.compare(readFileSync(file), Buffer.from(want))).toBe(0);
    expect(Buffer.compare(readFileSync(`${file}.prev`), before)).toBe(0);
    expect(temps()).toEqual([]);
  });

  test('cancelled midway, or failing on disk midway, leaves the old snapshot and no temp file', async () => {
    const { host, id, file, before, temps } = await setup();
    const sid = await host.snapshotBegin(id, 0);
    let sent = 0;
    await expect(
      streamExport(
        big.db,
        async (position, bytes) => {
          if (++sent === 4) throw new Error('the worker was cancelled');
          await host.snapshotChunk(sid, position, bytes);
        },
        MiB,
      ),
    ).rejects.toThrow(/cancelled/);
    expect(temps()).toHaveLength(1);
    await host.snapshotEnd(sid, null);
    expect(Buffer.compare(readFileSync(file), before)).toBe(0);
    expect(temps()).toEqual([]);

    // The disk fills up on the third chunk: the main process drops the save itself.
    let writes = 0;
    const real = await import('node:fs');
    const failing: StorageFs = {
      open: (async (...a: Parameters<typeof real.promises.open>) => {
        const handle = await real.promises.open(...a);
        if (!String(a[0]).includes('.tmp-')) return handle;
        const write = handle.write.bind(handle) as (...w: unknown[]) => Promise<unknown>;
        return Object.assign(handle, {
          write: (...w: unknown[]) =>
            ++writes === 3
              ? Promise.reject(Object.assign(new Error('ENOSPC: no space'), { code: 'ENOSPC' }))
              : write(...w),
        });
      }) as StorageFs['open'],
      rename: real.promises.rename,
      rm: real.promises.rm,
      readFile: real.promises.readFile,
      stat: real.promises.stat,
      copyFile: real.promises.copyFile,
      readdir: (d) => real.promises.readdir(d),
    };
    const b = await setup(failing);
    const sid2 = await b.host.snapshotBegin(b.id, 0);
    await expect(streamExport(big.db, (p, bytes) => b.host.snapshotChunk(sid2, p, bytes), MiB)).rejects.toThrow(
      /ENOSPC/,
    );
    expect(b.temps()).toEqual([]);
    expect(Buffer.compare(readFileSync(b.file), b.before)).toBe(0);
    // The dropped save takes nothing more.
    await expect(b.host.snapshotEnd(sid2, new Uint8Array(4096))).rejects.toThrow(/no such snapshot save/);
  });

  test('refuses a chunk out of order, oversized, before the first page, or after the end, and drops the save', async () => {
    const { host, id, file, before, temps } = await setup();
    const chunks: [number, Uint8Array][] = [];
    const head = await streamExport(big.db, async (p, bytes) => void chunks.push([p, bytes]), MiB);
    const [first, second, third] = chunks;

    const refused = async (why: RegExp, feed: (sid: string) => Promise<unknown>) => {
      const sid = await host.snapshotBegin(id, 0);
      await host.snapshotChunk(sid, first![0], first![1]);
      await expect(feed(sid)).rejects.toThrow(why);
      // The save is gone: even a correct chunk is refused now, and nothing is left on disk.
      await expect(host.snapshotChunk(sid, second![0], second![1])).rejects.toThrow(/no such snapshot save/);
      expect(temps()).toEqual([]);
      expect(Buffer.compare(readFileSync(file), before)).toBe(0);
    };
    await refused(/out of order/, (sid) => host.snapshotChunk(sid, third![0], third![1]));
    await refused(/out of order/, (sid) => host.snapshotChunk(sid, first![0], first![1]));
    await refused(/outside 1\.\./, (sid) => host.snapshotChunk(sid, second![0], new Uint8Array(8 * MiB + 1)));
    await refused(/not a complete SQLite image/, (sid) => host.snapshotEnd(sid, head));

    const sid = await host.snapshotBegin(id, 0);
    await expect(host.snapshotChunk(sid, 100, first![1])).rejects.toThrow(/not after a page/);

    // After a finished save, a late chunk is refused and the saved file stays as it is.
    const done = await host.snapshotBegin(id, 0);
    for (const [p, bytes] of chunks) await host.snapshotChunk(done, p, bytes);
    await host.snapshotEnd(done, head);
    const saved = readFileSync(file);
    await expect(host.snapshotChunk(done, first![0], first![1])).rejects.toThrow(/no such snapshot save/);
    expect(Buffer.compare(readFileSync(file), saved)).toBe(0);
    expect(Buffer.compare(saved, Buffer.from(big.db.export()))).toBe(0);
  });

  test('a second save drops the first: its later chunks never reach the new one', async () => {
    const { host, id, file, temps } = await setup();
    const chunks: [number, Uint8Array][] = [];
    const head = await streamExport(big.db, async (p, bytes) => void chunks.push([p, bytes]), MiB);
    const one = await host.snapshotBegin(id, 0);
    await host.snapshotChunk(one, chunks[0]![0], chunks[0]![1]);
    const two = await host.snapshotBegin(id, 0);
    expect(temps()).toHaveLength(1);
    await expect(host.snapshotChunk(one, chunks[1]![0], chunks[1]![1])).rejects.toThrow(/no such snapshot save/);
    for (const [p, bytes] of chunks) await host.snapshotChunk(two, p, bytes);
    await host.snapshotEnd(two, head);
    expect(Buffer.compare(readFileSync(file), Buffer.from(big.db.export()))).toBe(0);
    expect(temps()).toEqual([]);
  });
});
