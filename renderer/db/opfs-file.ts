// The database worker's files in the Origin Private File System: the open workspace's database and SQLite's temp files on disk, not in the worker's memory.
import type { SqlJsStatic } from 'sql.js';
import type { HostFile } from '../../core/store/db.js';
import { gatherWrites } from '../../core/store/gather-writes.js';

/** What this file uses of a FileSystemSyncAccessHandle (dedicated workers only, so not in TypeScript's DOM lib). */
export interface SyncHandle {
  read(into: Uint8Array, opts: { at: number }): number;
  write(bytes: Uint8Array, opts: { at: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}

/** What this file uses of a FileSystemDirectoryHandle. */
export interface OpfsDir {
  getFileHandle(name: string, opts?: { create?: boolean }): Promise<{ createSyncAccessHandle(): Promise<SyncHandle> }>;
  removeEntry(name: string): Promise<void>;
  keys(): AsyncIterable<string>;
}

/** What this file uses of the origin's root directory (navigator.storage.getDirectory()). */
export interface OpfsRoot {
  getDirectoryHandle(name: string, opts: { create: boolean }): Promise<OpfsDir>;
}

/**
 * Above this mean call time (microseconds) the origin's private files are not on disk but in the browser process's
 * memory behind a message per call (measured: about 1,100 µs in an incognito context against 5-20 µs on disk, at a
 * load of 9-11 on two cores): the database stays in the worker's memory, which is faster and costs the same.
 */
export const SLOW_CALL_MICROS = 250;

/** The app's folder in the origin's private file system; every file in it belongs to one live worker or none. */
export const OPFS_DIR = 'ringside-work';
/** Sync access handles opened at start-up for SQLite's temp files (opening one is async, SQLite's open is not). */
export const POOL_SIZE = 8;

/**
 * A QuotaExceededError (a DOMException whose numeric code, 22, the sql.js patch would read as an I/O error) as the
 * patch's full-disk error (code ENOSPC), so SQLite reports SQLITE_FULL and rolls the transaction back.
 */
export function diskError(err: unknown): unknown {
  if ((err as { name?: unknown } | null)?.name !== 'QuotaExceededError') return err;
  return Object.assign(new Error(`the browser's storage for this app is full (${(err as Error).message})`), {
    code: 'ENOSPC',
  });
}

/** A host file over a sync access handle; `release` runs on the first close(). */
export function handleFile(h: SyncHandle, release: () => void): HostFile {
  let open = true;
  return {
    read(into, position) {
      let done = 0;
      while (done < into.byteLength) {
        const n = h.read(into.subarray(done), { at: position + done });
        if (n <= 0) break;
        done += n;
      }
      return done;
    },
    write(bytes, position) {
      try {
        for (let done = 0; done < bytes.byteLength;) {
          const n = h.write(bytes.subarray(done), { at: position + done });
          if (n <= 0) throw new Error('the browser wrote nothing to a working file');
          done += n;
        }
      } catch (err) {
        throw diskError(err);
      }
    },
    truncate(size) {
      try {
        h.truncate(size);
      } catch (err) {
        throw diskError(err);
      }
    },
    size: () => h.getSize(),
    close() {
      if (!open) return;
      open = false;
      release();
    },
  };
}

/**
 * SQLite's temp files (sub-journals, sort spills, the temp database, rollback journals) on handles opened ahead:
 * take() is the synchronous factory sql.js calls when SQLite creates one; when all are out it returns null and that
 * file stays in memory, which is correct, only not smaller.
 */
export class TempPool {
  private readonly free: SyncHandle[];
  /** Temp files given a handle, refused one (all out), and the largest one has grown to, in bytes. */
  served = 0;
  declined = 0;
  largest = 0;

  constructor(handles: readonly SyncHandle[]) {
    this.free = [...handles];
  }

  get available(): number {
    return this.free.length;
  }

  take = (): HostFile | null => {
    for (let h = this.free.pop(); h; h = this.free.pop()) {
      try {
        h.truncate(0);
      } catch {
        // A handle the browser no longer lets us use is dropped from the pool.
        continue;
      }
      this.served++;
      return gatherWrites(handleFile(h, () => this.give(h)));
    }
    this.declined++;
    return null;
  };

  /** Closes the free handles and keeps none (the pool then refuses every temp file). */
  drain(): void {
    for (const h of this.free.splice(0))
      try {
        h.close();
      } catch {
        // already closed
      }
  }

  private give(h: SyncHandle): void {
    try {
      this.largest = Math.max(this.largest, h.getSize());
      // Emptied at once: a closed temp file's bytes are worthless, and the quota counts them.
      h.truncate(0);
      this.free.push(h);
    } catch {
      // dropped, as in take()
    }
  }
}

/** sql.js's module with the patch's directory backing. */
type BackableSql = SqlJsStatic & {
  ringsideBackDir?: (path: string, f: ((name: string) => HostFile | null) | null) => void;
};

/** What the worker's files are, for its diagnostics (no names, no contents). */
export interface StorageInfo {
  mode: 'opfs' | 'memory';
  /** Why memory (OPFS missing, refused, full), when it is. */
  reason?: string;
  /** The open database's file in OPFS, bytes. */
  databaseBytes: number;
  /** A 4 KiB call's time at start-up, microseconds. */
  opMicros?: number;
  pool: { size: number; available: number; served: number; declined: number; largest: number };
}

/** The worker's OPFS folder: the working database of the open workspace and the temp-file pool. */
export class OpfsStore {
  private database: { name: string; handle: SyncHandle } | null = null;
  private count = 0;
  private readonly backed = new WeakSet<SqlJsStatic>();

  private constructor(
    private readonly dir: OpfsDir,
    private readonly id: string,
    readonly pool: TempPool,
    private readonly poolSize: number,
  ) {}

  /**
   * Opens the folder, removes what no live worker holds (a crashed or closed window's files: a file another worker
   * holds refuses a second handle, so it is left), and opens the temp-file pool. Throws when OPFS is not there.
   */
  static async start(root: OpfsRoot, poolSize = POOL_SIZE): Promise<OpfsStore> {
    const work = await root.getDirectoryHandle(OPFS_DIR, { create: true });
    await removeStale(work);
    const id = crypto.randomUUID();
    const handles: SyncHandle[] = [];
    for (let i = 0; i < poolSize; i++) {
      try {
        handles.push(await (await work.getFileHandle(`tmp-${id}-${i}`, { create: true })).createSyncAccessHandle());
      } catch (err) {
        if (i === 0) throw err;
        break;
      }
    }
    const store = new OpfsStore(work, id, new TempPool(handles), handles.length);
    store.opMicros = callMicros(handles[0]!);
    return store;
  }

  /** What one 4 KiB write or read of a pooled file took at start-up, microseconds (see callMicros). */
  opMicros = 0;

  /** Closes and removes the pool's files (the store is not used: see SLOW_CALL_MICROS). */
  async dispose(): Promise<void> {
    this.pool.drain();
    for (let i = 0; i < this.poolSize; i++) await this.dir.removeEntry(`tmp-${this.id}-${i}`).catch(() => undefined);
  }

  /** Sends SQLite's temp files and rollback journals in this sql.js to the pool (once per module). */
  backTempFiles(SQL: SqlJsStatic): void {
    if (this.backed.has(SQL)) return;
    const mod = SQL as BackableSql;
    if (!mod.ringsideBackDir) throw new Error('this sql.js cannot keep its files in a host file (patch not applied)');
    mod.ringsideBackDir('/tmp', this.pool.take);
    // sql.js keeps its databases at the root: a transaction's rollback journal sits beside them.
    mod.ringsideBackDir('/', (name) => (name.endsWith('-journal') ? this.pool.take() : null));
    this.backed.add(SQL);
  }

  /**
   * A fresh working file holding `image` (or empty, for a new workspace). Closing it (the database's close) removes
   * it. A failure (the quota) closes and removes it before it is thrown.
   */
  async newDatabase(image: Uint8Array | null): Promise<HostFile> {
    const name = `db-${this.id}-${++this.count}`;
    const handle = await (await this.dir.getFileHandle(name, { create: true })).createSyncAccessHandle();
    const entry = { name, handle };
    const file = handleFile(handle, () => this.drop(entry));
    try {
      handle.truncate(0);
      if (image && image.byteLength > 0) file.write(image, 0);
    } catch (err) {
      file.close();
      throw err;
    }
    this.database = entry;
    return gatherWrites(file);
  }

  private drop(entry: { name: string; handle: SyncHandle }): void {
    if (this.database === entry) this.database = null;
    try {
      entry.handle.close();
    } catch {
      // already closed
    }
    // Not awaited (sql.js closes synchronously); what is left is removed at the next start-up.
    this.dir.removeEntry(entry.name).catch(() => undefined);
  }

  info(): StorageInfo {
    let databaseBytes = 0;
    try {
      databaseBytes = this.database?.handle.getSize() ?? 0;
    } catch {
      // closed meanwhile
    }
    const p = this.pool;
    return {
      mode: 'opfs',
      opMicros: this.opMicros,
      databaseBytes,
      pool: { size: this.poolSize, available: p.available, served: p.served, declined: p.declined, largest: p.largest },
    };
  }
}

/**
 * The time of a 4 KiB write or read inside `h` (left empty), microseconds: a few where the handle is a file on disk,
 * hundreds or more where every call is a message to the browser process (Chromium's in-memory OPFS of an incognito or
 * other off-the-record profile), which makes SQLite several times slower there and saves no memory overall. The least
 * of several timed batches: a busy machine's preemption only lengthens some of them.
 */
export function callMicros(h: SyncHandle, batches = 16, calls = 16): number {
  const page = new Uint8Array(4096);
  // Sized first: growing a file asks the browser process for quota, a message even where the file is on disk.
  h.truncate(calls * 4096);
  let least = Infinity;
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i += 2) {
      h.write(page, { at: i * 4096 });
      h.read(page, { at: (i + 1) * 4096 });
    }
    least = Math.min(least, performance.now() - t0);
  }
  h.truncate(0);
  return (least * 1000) / calls;
}

/** Removes each entry no live worker holds open; a held one refuses a handle (NoModificationAllowedError). */
async function removeStale(dir: OpfsDir): Promise<void> {
  const names: string[] = [];
  for await (const name of dir.keys()) names.push(name);
  for (const name of names) {
    try {
      const h = await (await dir.getFileHandle(name)).createSyncAccessHandle();
      h.close();
      await dir.removeEntry(name);
    } catch {
      // held by a live worker (or not a file, or gone meanwhile): left alone
    }
  }
}
