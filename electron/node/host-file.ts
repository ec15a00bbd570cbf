// Files on disk behind sql.js's in-memory file system (patches/sql.js+1.16.0.patch): the working database and SQLite's temp files, so the image lives on disk, not in the JS heap.
import {
  chmodSync,
  closeSync,
  constants as fsc,
  fstatSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type { HostFile } from '../../core/store/db.js';
import { gatherWrites } from '../../core/store/gather-writes.js';

/** What this module marks its directories with; a directory of a process that is gone is removed at start-up. */
const PREFIX = 'ringside-work-';

/**
 * A host file on an open descriptor; `onClose` runs after the descriptor is closed (removing the file). Writes are
 * held back and gathered into few system calls (core/store/gather-writes.ts: a statement journal rewrites the same
 * record, a commit or a cache spill writes pages close together), and a held-back write that fails fails every
 * later call.
 */
export function descriptorFile(fd: number, onClose?: () => void): HostFile {
  let open = true;
  return gatherWrites({
    read(into, position) {
      let done = 0;
      while (done < into.byteLength) {
        const n = readSync(fd, into, done, into.byteLength - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    },
    write(bytes, position) {
      for (let done = 0; done < bytes.byteLength;)
        done += writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
    },
    truncate(size) {
      ftruncateSync(fd, size);
    },
    size: () => fstatSync(fd).size,
    close() {
      if (!open) return;
      open = false;
      try {
        closeSync(fd);
      } finally {
        onClose?.();
      }
    },
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the work directories under `base` whose process is gone (a crash or a kill left them). */
export function removeStaleWorkDirs(base: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    rmSync(path.join(base, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * A private directory (0700) for one process's working databases and SQLite temp files (0600). A temp file is
 * unlinked as soon as it is open (where the OS allows; on Windows at close), a working database when closed; the
 * directory goes when the process exits, and a crashed process's directory at the next start-up.
 */
export class WorkDir {
  private counter = 0;
  private disposed = false;

  private constructor(readonly dir: string) {}

  /** `base`: RINGSIDE_WORK_DIR when set (use it where the temp directory is small, or in memory), else the OS's. */
  static create(base = process.env.RINGSIDE_WORK_DIR || os.tmpdir()): WorkDir {
    removeStaleWorkDirs(base);
    const dir = mkdtempSync(path.join(base, `${PREFIX}${process.pid}-`));
    chmodSync(dir, 0o700);
    return new WorkDir(dir);
  }

  private next(kind: string): string {
    if (this.disposed) throw new Error(`the work directory ${this.dir} is already removed`);
    return path.join(this.dir, `${kind}-${++this.counter}`);
  }

  private openNew(file: string): number {
    return openSync(file, fsc.O_RDWR | fsc.O_CREAT | fsc.O_EXCL | (fsc.O_NOFOLLOW ?? 0), 0o600);
  }

  /** An anonymous temp file (SQLite's sub-journals, sort spills, temp database). */
  tempFile(): HostFile {
    const file = this.next('temp');
    const fd = this.openNew(file);
    if (process.platform === 'win32') return descriptorFile(fd, () => rmSync(file, { force: true }));
    unlinkSync(file);
    return descriptorFile(fd);
  }

  /** A new, empty working database file; removed when closed. */
  newDatabase(): HostFile {
    const file = this.next('db');
    return descriptorFile(this.openNew(file), () => rmSync(file, { force: true }));
  }

  /**
   * A working copy of `source` (a workspace snapshot): the file copied by the OS, never read into memory. Returns
   * its path; open it with openCopy. Throws ENOENT when `source` does not exist.
   */
  async copyOf(source: string, copy: (from: string, to: string, mode: number) => Promise<void> = copyFile) {
    const file = this.next('db');
    try {
      // Excl so nothing planted at the name is written through; a clone where the file system offers one.
      await copy(source, file, fsc.COPYFILE_EXCL | fsc.COPYFILE_FICLONE);
      chmodSync(file, 0o600);
    } catch (err) {
      rmSync(file, { force: true });
      throw err;
    }
    return file;
  }

  /** Opens a working copy; `removeOnClose` deletes it when the database is closed. */
  openCopy(file: string, removeOnClose: boolean): HostFile {
    const fd = openSync(file, fsc.O_RDWR | (fsc.O_NOFOLLOW ?? 0));
    return descriptorFile(fd, removeOnClose ? () => rmSync(file, { force: true }) : undefined);
  }

  remove(file: string): void {
    rmSync(file, { force: true });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let shared: WorkDir | undefined;
const backedModules = new WeakSet<SqlJsStatic>();

/** The process's work directory, created on first use and removed at exit (backTempFiles sends SQLite's files there). */
export function workDir(): WorkDir {
  if (!shared) {
    const made = WorkDir.create();
    shared = made;
    process.once('exit', () => made.dispose());
  }
  return shared;
}

/** Backs `SQL`'s temp files (in its /tmp) and its databases' rollback journals with temp files in `dir`. */
export function backTempFiles(SQL: SqlJsStatic, dir: WorkDir): void {
  if (backedModules.has(SQL)) return;
  const mod = SQL as SqlJsStatic & {
    ringsideBackDir?: (p: string, f: ((name: string) => HostFile | null) | null) => void;
  };
  if (!mod.ringsideBackDir) throw new Error('this sql.js cannot keep its files on disk (patch not applied)');
  mod.ringsideBackDir('/tmp', () => dir.tempFile());
  // sql.js keeps its databases at the root: a transaction's rollback journal sits beside them.
  mod.ringsideBackDir('/', (name) => (name.endsWith('-journal') ? dir.tempFile() : null));
  backedModules.add(SQL);
}
