// Storage durability: I/O-error sweeps over every write call, Windows rename/fsync semantics, recovery speed, move-aside, export-after-commit.
import { promises as fsp, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import type { JournalEntry } from '../../../core/contract/host.js';
import { applyJournalEntry } from '../../../core/session.js';
import { openWorkspace } from '../../../core/workspace.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { checkImage, previousPath, WorkspaceStorage, type StorageFs } from '../../../electron/storage.js';
import { HARNESS_KEY, harnessAction } from '../../durability/shared.js';

let SQL: SqlJsStatic;
let root: string;
beforeAll(async () => {
  SQL = await loadSqlJs();
  root = mkdtempSync(path.join(os.tmpdir(), 'ringside-storage-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCounter = 0;
async function seeded(): Promise<string> {
  const dir = path.join(root, `w${++dirCounter}`);
  await fsp.mkdir(dir);
  const file = path.join(dir, 'incident.ringside');
  const ws = await openWorkspace({ SQL, keyMaterial: HARNESS_KEY, now: () => 1 });
  for (let i = 1; i <= 8; i++)
    ws.db.run('INSERT INTO devices(id, hostname, host_key) VALUES (?,?,?)', [i, `PC-${i}`, `PC-${i}`]);
  await new WorkspaceStorage().save(file, ws.db, 0);
  ws.db.close();
  return file;
}

type Mode = 'once' | 'continuous';
function errnoError(code: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: injected`) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}

/** A real filesystem whose k-th write-type call (open for writing, write, fsync, close, rename, rm, truncate) fails. */
function faultyFs(failAt: number, code: string, mode: Mode, log: string[] = []) {
  let calls = 0;
  const tick = (what: string) => {
    calls++;
    log.push(what);
    if (calls === failAt || (mode === 'continuous' && calls > failAt)) throw errnoError(code);
  };
  const fs: StorageFs = {
    open: (async (p: string, flags?: string | number, m?: number) => {
      if (flags !== 'r') tick(`open ${path.basename(p)}`);
      const h = await fsp.open(p, flags, m);
      const wrap = Object.create(h) as typeof h;
      wrap.writeFile = (async (d: Parameters<typeof h.writeFile>[0]) => {
        tick('write');
        return h.writeFile(d);
      }) as typeof h.writeFile;
      wrap.sync = async () => {
        tick('fsync');
        return h.sync();
      };
      wrap.truncate = async (n?: number) => {
        tick('truncate');
        return h.truncate(n);
      };
      wrap.close = () => h.close();
      wrap.stat = ((o?: object) => h.stat(o as never)) as typeof h.stat;
      return wrap;
    }) as StorageFs['open'],
    rename: async (a, b) => {
      tick(`rename ${path.basename(String(a))}`);
      return fsp.rename(a, b);
    },
    rm: async (p, o) => {
      tick('rm');
      return fsp.rm(p, o);
    },
    readFile: fsp.readFile,
    stat: fsp.stat,
    copyFile: fsp.copyFile,
    readdir: (d) => fsp.readdir(d),
  };
  return { fs, calls: () => calls };
}

/** Appends 6 actions with two snapshot saves in between, like a user session; returns the acknowledged seqs. */
async function session(file: string, storage: WorkspaceStorage): Promise<number[]> {
  const acked: number[] = [];
  let rec;
  try {
    rec = await storage.recover(file, { SQL, keyMaterial: HARNESS_KEY });
  } catch {
    return acked;
  }
  const { ws } = rec;
  try {
    for (let seq = rec.lastSeq + 1; seq <= rec.lastSeq + 6; seq++) {
      const entry: JournalEntry = { seq, action: harnessAction(seq) };
      try {
        await storage.appendJournal(file, entry);
      } catch {
        continue; // not acknowledged: the UI shows the error and the user retries
      }
      acked.push(seq);
      await applyJournalEntry(ws, entry);
      if (seq % 3 === 0) await storage.save(file, ws.db, seq).catch(() => undefined);
    }
  } finally {
    ws.db.close();
  }
  return acked;
}

async function verify(file: string, acked: number[]): Promise<void> {
  // The previous good image is always on disk and readable, at the file or (mid-save) at file.prev.
  const main = existsSync(file) ? checkImage(SQL, readFileSync(file)) : 'missing';
  const prev = existsSync(previousPath(file)) ? checkImage(SQL, readFileSync(previousPath(file))) : 'missing';
  expect(main === null || prev === null, `main: ${main}, prev: ${prev}`).toBe(true);
  const rec = await new WorkspaceStorage().recover(file, { SQL, keyMaterial: HARNESS_KEY });
  try {
    expect(rec.quarantined).toEqual([]);
    expect(rec.ws.db.value('PRAGMA integrity_check')).toBe('ok');
    const present = new Set(rec.ws.db.all<{ at: number }>('SELECT at FROM results').map((r) => r.at));
    for (const s of acked) expect(present.has(s), `acknowledged seq ${s} lost`).toBe(true);
  } finally {
    rec.ws.db.close();
  }
}

describe('I/O error sweep', () => {
  test('ENOSPC, EIO and EPERM at every write call, once and continuously: nothing acknowledged is lost', async () => {
    const probe = await seeded();
    const counter = faultyFs(Number.MAX_SAFE_INTEGER, 'EIO', 'once');
    await session(probe, new WorkspaceStorage({ fs: counter.fs }));
    const K = counter.calls();
    expect(K).toBeGreaterThan(20);
    let scenarios = 0;
    let failedOps = 0;
    for (const code of ['ENOSPC', 'EIO', 'EPERM'])
      for (const mode of ['once', 'continuous'] as const)
        for (let k = 1; k <= K; k++) {
          const file = await seeded();
          const f = faultyFs(k, code, mode);
          const acked = await session(file, new WorkspaceStorage({ fs: f.fs, platform: 'linux' }));
          if (acked.length < 6) failedOps++;
          await verify(file, acked);
          scenarios++;
        }
    console.log(
      `I/O error sweep: ${K} write calls per session, ${scenarios} scenarios, ${failedOps} with refused appends, 0 acknowledged actions lost`,
    );
  }, 180_000);
});

describe('Windows semantics', () => {
  function flakyRename(times: number, code: string) {
    let left = times;
    const fs: StorageFs = {
      open: fsp.open,
      rename: async (a, b) => {
        if (left-- > 0) throw errnoError(code);
        return fsp.rename(a, b);
      },
      rm: fsp.rm,
      readFile: fsp.readFile,
      stat: fsp.stat,
      copyFile: fsp.copyFile,
      readdir: (d) => fsp.readdir(d),
    };
    return fs;
  }

  test.each(['EPERM', 'EBUSY', 'EACCES'])('rename held by a scanner (%s) is retried on win32', async (code) => {
    const file = path.join(root, `win-${code}.bin`);
    writeFileSync(file, 'old');
    const s = new WorkspaceStorage({ fs: flakyRename(3, code), platform: 'win32', retryDelayMs: 1 });
    await s.writeAtomic(file, new TextEncoder().encode('new'));
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readFileSync(previousPath(file), 'utf8')).toBe('old');
  });

  test('the retry is bounded, and other platforms do not retry', async () => {
    const file = path.join(root, 'win-bounded.bin');
    writeFileSync(file, 'old');
    const bounded = new WorkspaceStorage({
      fs: flakyRename(100, 'EBUSY'),
      platform: 'win32',
      renameRetries: 3,
      retryDelayMs: 1,
    });
    await expect(bounded.writeAtomic(file, new TextEncoder().encode('new'))).rejects.toThrow(/EBUSY/);
    expect(readFileSync(file, 'utf8')).toBe('old');
    const linux = new WorkspaceStorage({ fs: flakyRename(1, 'EPERM'), platform: 'linux' });
    await expect(linux.writeAtomic(file, new TextEncoder().encode('new'))).rejects.toThrow(/EPERM/);
    expect(readFileSync(file, 'utf8')).toBe('old');
  });

  test('directory fsync EPERM is tolerated on win32 only', async () => {
    const dirEperm: StorageFs = {
      open: (async (p: string, flags?: string | number, m?: number) => {
        if (flags === 'r') throw errnoError('EPERM');
        return fsp.open(p, flags, m);
      }) as StorageFs['open'],
      rename: fsp.rename,
      rm: fsp.rm,
      readFile: fsp.readFile,
      stat: fsp.stat,
      copyFile: fsp.copyFile,
      readdir: (d) => fsp.readdir(d),
    };
    const file = path.join(root, 'dirsync.bin');
    await new WorkspaceStorage({ fs: dirEperm, platform: 'win32' }).writeAtomic(file, new Uint8Array([1]));
    await expect(
      new WorkspaceStorage({ fs: dirEperm, platform: 'linux' }).writeAtomic(file, new Uint8Array([2])),
    ).rejects.toThrow(/EPERM/);
  });
});

describe('recovery', () => {
  test('10,000 journaled actions replay fast', async () => {
    const file = await seeded();
    const storage = new WorkspaceStorage();
    const lines: string[] = [];
    for (let seq = 1; seq <= 10_000; seq++) lines.push(JSON.stringify({ seq, action: harnessAction(seq) }));
    // A torn last line, as a crash mid-append leaves it.
    writeFileSync(`${file}.journal`, `${lines.join('\n')}\n{"seq":10001,"act`);
    const t0 = performance.now();
    const rec = await storage.recover(file, { SQL, keyMaterial: HARNESS_KEY });
    const ms = performance.now() - t0;
    console.log(`recovery: 10,000 journaled actions replayed and re-snapshotted in ${ms.toFixed(0)} ms`);
    expect(rec.replayed).toBe(10_000);
    expect(rec.lastSeq).toBe(10_000);
    expect(rec.ws.db.value('SELECT count(*) FROM results')).toBe(10_000);
    rec.ws.db.close();
    expect(ms).toBeLessThan(10_000);
    // The replay was snapshotted: reopening applies nothing twice.
    const again = await storage.recover(file, { SQL, keyMaterial: HARNESS_KEY });
    expect(again.replayed).toBe(0);
    expect(again.ws.db.value('SELECT count(*) FROM results')).toBe(10_000);
    again.ws.db.close();
  });

  test('a snapshot that will not open is moved aside, never deleted, and the user is told', async () => {
    const file = await seeded();
    const storage = new WorkspaceStorage();
    const rec = await storage.recover(file, { SQL, keyMaterial: HARNESS_KEY });
    for (let seq = 1; seq <= 4; seq++) {
      const entry = { seq, action: harnessAction(seq) };
      await storage.appendJournal(file, entry);
      await applyJournalEntry(rec.ws, entry);
      if (seq === 2) await storage.save(file, rec.ws.db, seq);
    }
    rec.ws.db.close();
    const garbage = new TextEncoder().encode('SQLite format 3\0 but then the disk went bad'.repeat(100));
    writeFileSync(file, garbage);
    const after = await new WorkspaceStorage().recover(file, { SQL, keyMaterial: HARNESS_KEY });
    expect(after.quarantined).toHaveLength(1);
    expect(readFileSync(after.quarantined[0]!)).toEqual(Buffer.from(garbage));
    expect(after.notice).toMatch(/moved aside, not deleted/);
    expect(after.source).toBe('previous');
    expect(after.ws.db.value('SELECT count(*) FROM results')).toBe(4);
    after.ws.db.close();
  });

  test('a save waits for an open write transaction to commit, then includes it', async () => {
    const file = await seeded();
    const storage = new WorkspaceStorage();
    const rec = await storage.recover(file, { SQL, keyMaterial: HARNESS_KEY });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = rec.ws.db.txAsync(async () => {
      rec.ws.db.run("INSERT INTO devices(hostname, host_key) VALUES ('MID-TX', 'MID-TX')");
      await gate;
    });
    expect(() => rec.ws.db.export()).toThrow(/transaction/);
    let saved = false;
    const save = storage.save(file, rec.ws.db, 0).then(() => (saved = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(saved).toBe(false);
    release();
    await tx;
    await save;
    rec.ws.db.close();
    const reopened = await storage.recover(file, { SQL, keyMaterial: HARNESS_KEY });
    expect(reopened.ws.db.value("SELECT count(*) FROM devices WHERE hostname = 'MID-TX'")).toBe(1);
    reopened.ws.db.close();
  });
});
