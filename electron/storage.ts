// Durable workspace storage on disk: atomic snapshots (temp, fsync, rename, keep previous) plus an fsync'd journal.
import { promises as fsp, constants as fsc, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type { JournalEntry } from '../core/contract/host.js';
import type { Db, HostFile } from '../core/store/db.js';
import { openSession } from '../core/session.js';
import { anchorsAgree, currentAnchor, type AuditAnchor } from '../core/store/audit.js';
import { checkImage } from '../core/store/image.js';
import type { Workspace } from '../core/workspace.js';
import { backTempFiles, workDir, type WorkDir } from './node/host-file.js';

export { checkImage };

export interface StorageFs {
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  rm: typeof fsp.rm;
  readFile: typeof fsp.readFile;
  stat: typeof fsp.stat;
  copyFile: typeof fsp.copyFile;
  readdir: (dir: string) => Promise<string[]>;
}

const realFs: StorageFs = {
  open: fsp.open,
  rename: fsp.rename,
  rm: fsp.rm,
  readFile: fsp.readFile,
  stat: fsp.stat,
  copyFile: fsp.copyFile,
  readdir: (dir) => fsp.readdir(dir),
};

/** A snapshot written by its producer straight into the temp file's descriptor, or (no descriptor) as bytes. */
export interface SnapshotSource {
  writeTo(fd: number): void;
  bytes(): Uint8Array;
}

const isSource = (b: Uint8Array | readonly Uint8Array[] | SnapshotSource): b is SnapshotSource =>
  typeof (b as SnapshotSource).writeTo === 'function';

/** A snapshot being written in pieces (see WorkspaceStorage.beginAtomic). */
export interface AtomicWriter {
  write(bytes: Uint8Array, position: number): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface StorageOptions {
  fs?: StorageFs;
  platform?: NodeJS.Platform;
  /** How often a Windows rename is retried on EPERM/EBUSY/EACCES (virus scanners, indexers hold files briefly). */
  renameRetries?: number;
  /** Base delay of the rename backoff in ms (tests shorten it). */
  retryDelayMs?: number;
  /** How long a save waits for an open write transaction to commit before giving up. */
  txWaitMs?: number;
  /**
   * Where an opened workspace's database lives while it is open: a working copy of the snapshot in this directory
   * (SQLite's temp files beside it), or null for memory. Default: the process's work directory with the real file
   * system, memory with an injected one (a test's simulated disk cannot back a working copy).
   */
  work?: WorkDir | null;
}

export interface RecoverOptions {
  SQL: SqlJsStatic;
  keyMaterial: Uint8Array | ((workspaceId: string) => Promise<Uint8Array>);
  actor?: string;
  now?: () => number;
  /** Create an empty workspace when there is no file yet (otherwise that is an error). */
  create?: boolean;
}

export interface Recovered {
  ws: Workspace;
  /** Highest journal seq contained in the opened state; the next action gets lastSeq + 1. */
  lastSeq: number;
  /** Journal entries applied on top of the snapshot. */
  replayed: number;
  /** Which image the state was built from. */
  source: 'snapshot' | 'previous' | 'new';
  /** Files that would not open and were moved aside (never deleted). */
  quarantined: string[];
  /** A sentence for the user when something had to be repaired; undefined when the open was clean. */
  notice?: string;
}

export const journalPath = (file: string) => `${file}.journal`;
export const previousPath = (file: string) => `${file}.prev`;
/** The snapshot's audit anchor: the head hash and count beside the image, where editing the image does not reach. */
export const anchorPath = (file: string) => `${file}.anchor`;
const TMP_MARK = '.tmp-';

function isCode(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Parses journal text; a line torn by a crash is skipped, and a torn line glued to a later append is split. */
export function parseJournal(text: string, afterSeq = 0): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let entry: JournalEntry | undefined;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch {
      // A crash mid-append leaves a partial line; if an append followed it, the complete entry is its tail.
      const at = line.lastIndexOf('{"seq":');
      if (at > 0) {
        try {
          entry = JSON.parse(line.slice(at)) as JournalEntry;
        } catch {
          entry = undefined;
        }
      }
    }
    if (entry && typeof entry.seq === 'number' && entry.action && entry.seq > afterSeq) out.push(entry);
  }
  return out;
}

export class WorkspaceStorage {
  private readonly fs: StorageFs;
  private readonly platform: NodeJS.Platform;
  private readonly renameRetries: number;
  private readonly retryDelayMs: number;
  private readonly txWaitMs: number;
  private readonly work: WorkDir | null | 'shared';
  /** Journal seq of the snapshot currently on disk per file: the journal keeps everything after the previous one. */
  private readonly snapshotSeq = new Map<string, number>();
  private tmpCounter = 0;

  constructor(opts: StorageOptions = {}) {
    this.fs = opts.fs ?? realFs;
    this.platform = opts.platform ?? process.platform;
    this.renameRetries = opts.renameRetries ?? 10;
    this.retryDelayMs = opts.retryDelayMs ?? 20;
    this.txWaitMs = opts.txWaitMs ?? 60_000;
    this.work = opts.work !== undefined ? opts.work : opts.fs ? null : 'shared';
  }

  /**
   * Writes bytes to `file` atomically: a fresh temp file is written and fsynced, the current file becomes
   * `file.prev`, the temp file is renamed over `file`, and the directory is fsynced. A crash at any point
   * leaves either the old or the new image complete on disk (as `file`, or as `file.prev` between renames).
   */
  async writeAtomic(
    file: string,
    bytes: Uint8Array | readonly Uint8Array[] | SnapshotSource,
    opts: { keepPrevious?: boolean } = {},
  ): Promise<void> {
    const keepPrevious = opts.keepPrevious ?? true;
    const tmp = `${file}${TMP_MARK}${process.pid}-${Date.now()}-${++this.tmpCounter}`;
    // 'wx' so a planted file or symlink at the temp name is never followed.
    const handle = await this.fs.open(tmp, 'wx', 0o600);
    try {
      // Parts (a large snapshot arrives over IPC in pieces) are written one after another, never joined in memory.
      if (isSource(bytes)) {
        // Streamed into the temp file through its descriptor; a handle without one (a test's file system) gets the
        // image whole.
        const fd = (handle as { fd?: unknown }).fd;
        if (typeof fd === 'number') bytes.writeTo(fd);
        else await handle.writeFile(bytes.bytes());
      } else for (const part of bytes instanceof Uint8Array ? [bytes] : bytes) await handle.writeFile(part);
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await this.fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    try {
      await handle.close();
    } catch (err) {
      await this.fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await this.publish(tmp, file, keepPrevious);
  }

  /**
   * writeAtomic for an image that arrives in pieces: each write lands at its position in a fresh temp file, and
   * only commit() (fsync, then the same renames) makes it `file`. abort(), or a failed write or commit, removes the
   * temp file and leaves `file` as it was.
   */
  async beginAtomic(file: string): Promise<AtomicWriter> {
    const tmp = `${file}${TMP_MARK}${process.pid}-${Date.now()}-${++this.tmpCounter}`;
    const handle = await this.fs.open(tmp, 'wx', 0o600);
    let state: 'open' | 'done' = 'open';
    const discard = async () => {
      state = 'done';
      await handle.close().catch(() => undefined);
      await this.fs.rm(tmp, { force: true }).catch(() => undefined);
    };
    const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
      if (state !== 'open') throw new Error('this save is already finished');
      try {
        return await fn();
      } catch (err) {
        await discard();
        throw err;
      }
    };
    return {
      write: (bytes, position) =>
        guard(async () => {
          for (let done = 0; done < bytes.byteLength;)
            done += (await handle.write(bytes, done, bytes.byteLength - done, position + done)).bytesWritten;
        }),
      commit: () =>
        guard(async () => {
          await handle.sync();
          await handle.close();
          state = 'done';
        }).then(() => this.publish(tmp, file, true)),
      abort: async () => {
        if (state === 'open') await discard();
      },
    };
  }

  /** Moves a complete, fsynced temp file over `file` (the current one kept as `.prev`) and fsyncs the directory. */
  private async publish(tmp: string, file: string, keepPrevious: boolean): Promise<void> {
    let movedToPrevious = false;
    try {
      if (keepPrevious && (await this.exists(file))) {
        await this.renameWithRetry(file, previousPath(file));
        movedToPrevious = true;
      }
      await this.renameWithRetry(tmp, file);
    } catch (err) {
      // Put the old image back where readers expect it; if even that fails, recovery finds it as .prev.
      if (movedToPrevious && !(await this.exists(file)))
        await this.renameWithRetry(previousPath(file), file).catch(() => undefined);
      await this.fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await this.syncDir(path.dirname(file));
  }

  /** Appends one journal line and fsyncs it; only then may the caller acknowledge the action. */
  async appendJournal(file: string, entry: JournalEntry): Promise<void> {
    const jp = journalPath(file);
    let handle;
    let created = false;
    try {
      handle = await this.fs.open(jp, fsc.O_WRONLY | fsc.O_APPEND, 0o600);
    } catch (err) {
      if (!isCode(err, 'ENOENT')) throw err;
      handle = await this.fs.open(jp, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT, 0o600);
      created = true;
    }
    let size: number | undefined;
    try {
      size = (await handle.stat()).size;
      await handle.writeFile(`${JSON.stringify(entry)}\n`);
      await handle.sync();
    } catch (err) {
      // Best effort: drop a line that may be half-written so a failed, unacknowledged append leaves no trace.
      if (size !== undefined) await handle.truncate(size).catch(() => undefined);
      await handle.close().catch(() => undefined);
      throw err;
    }
    await handle.close();
    // A new file's directory entry is durable only after the directory is fsynced (power-loss test found this).
    if (created) await this.syncDir(path.dirname(jp));
  }

  /** Reads the journal, skipping a torn line (a crash mid-append never acknowledged it). */
  async readJournal(file: string, afterSeq = 0): Promise<JournalEntry[]> {
    let text: string;
    try {
      text = await this.fs.readFile(journalPath(file), 'utf8');
    } catch (err) {
      if (isCode(err, 'ENOENT')) return [];
      throw err;
    }
    return parseJournal(text, afterSeq);
  }

  /** Rewrites the journal atomically with only the entries after `uptoSeq`. */
  async compactJournal(file: string, uptoSeq: number): Promise<void> {
    const rest = await this.readJournal(file, uptoSeq);
    const body = rest.map((e) => `${JSON.stringify(e)}\n`).join('');
    await this.writeAtomic(journalPath(file), new TextEncoder().encode(body), { keepPrevious: false });
  }

  async readSnapshot(file: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await this.fs.readFile(file));
    } catch (err) {
      if (isCode(err, 'ENOENT')) return null;
      throw err;
    }
  }

  /** Moves an unreadable workspace aside (never deletes it) and returns where it went. */
  async quarantine(file: string): Promise<string> {
    const dest = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}-${++this.tmpCounter}`;
    await this.renameWithRetry(file, dest);
    await this.syncDir(path.dirname(file));
    return dest;
  }

  /**
   * Exports the database and saves it atomically, then trims the journal to what the previous snapshot lacks
   * (so the kept `.prev` plus the journal still rebuild everything). Waits for an open write transaction to
   * commit first: sql.js must never serialise half a transaction.
   */
  async save(file: string, db: Db, journalSeq: number): Promise<void> {
    const previousSeq = this.snapshotSeq.get(file);
    await this.writeSnapshot(file, db);
    // Only while the chain agrees with every anchor: a cut tail must not overwrite the record that shows it.
    if (anchorsAgree(db))
      await this.writeAtomic(anchorPath(file), new TextEncoder().encode(JSON.stringify(currentAnchor(db))), {
        keepPrevious: false,
      });
    this.snapshotSeq.set(file, journalSeq);
    if (previousSeq !== undefined) await this.compactJournal(file, previousSeq);
  }

  /**
   * Writes the database's image to `file` atomically, streamed from sql.js into the temp file (no second image in
   * memory), once no write transaction is open; retries after commit rather than failing the save. One synchronous
   * step on purpose, unlike the desktop worker's stepped streamExport: here the caller's other actions share this
   * thread, and nothing holds them off between steps, so a write could reach pages already on disk.
   */
  private async writeSnapshot(file: string, db: Db): Promise<void> {
    const deadline = Date.now() + this.txWaitMs;
    const source: SnapshotSource = {
      writeTo: (fd) => {
        // sql.js hands over one page at a time: contiguous pages are gathered into 4 MiB writes.
        const staged = new Uint8Array(4 << 20);
        let from = 0;
        let used = 0;
        const flush = () => {
          for (let done = 0; done < used;) done += writeSync(fd, staged, done, used - done, from + done);
          used = 0;
        };
        db.exportTo({
          write: (part, position) => {
            if (used > 0 && (position !== from + used || used + part.byteLength > staged.byteLength)) flush();
            if (part.byteLength > staged.byteLength) {
              for (let done = 0; done < part.byteLength;)
                done += writeSync(fd, part, done, part.byteLength - done, position + done);
              return;
            }
            if (used === 0) from = position;
            staged.set(part, used);
            used += part.byteLength;
          },
          read: (into, position) => {
            flush();
            return readSync(fd, into, 0, into.byteLength, position);
          },
        });
        flush();
      },
      bytes: () => db.export(),
    };
    for (;;) {
      if (!db.inTransaction) {
        try {
          return await this.writeAtomic(file, source);
        } catch (err) {
          // A transaction opened meanwhile (or with raw SQL, not through Db.tx): the temp file is gone; wait for it.
          if (!/transaction/i.test((err as Error).message)) throw err;
        }
      }
      if (Date.now() > deadline) throw new Error('could not save: a write transaction stayed open too long');
      await sleep(5);
    }
  }

  /**
   * Opens a workspace file: the last snapshot that opens cleanly plus a replay of the journal. A snapshot that
   * will not open is moved aside (never deleted) and the previous one is used; the notice tells the user.
   * After a replay or a repair a fresh snapshot is written and the journal trimmed.
   */
  async recover(file: string, opts: RecoverOptions): Promise<Recovered> {
    const quarantined: string[] = [];
    const problems: string[] = [];
    await this.removeStaleTemps(file);
    const work = this.work === 'shared' ? workDir() : this.work;
    if (work) backTempFiles(opts.SQL, work);
    let source: Recovered['source'] = 'new';
    let bytes: Uint8Array | null = null;
    let backing: HostFile | null = null;

    for (const [candidate, kind] of [
      [file, 'snapshot'],
      [previousPath(file), 'previous'],
    ] as const) {
      if (work) {
        // A working copy made by the OS, checked and then opened where it is: the image never enters the JS heap.
        let copy: string;
        try {
          copy = await work.copyOf(candidate, (from, to, mode) => this.fs.copyFile(from, to, mode));
        } catch (err) {
          if (isCode(err, 'ENOENT')) continue;
          throw err;
        }
        const problem = checkImage(opts.SQL, work.openCopy(copy, false));
        if (problem === null) {
          backing = work.openCopy(copy, true);
          source = kind;
          break;
        }
        work.remove(copy);
        problems.push(`${path.basename(candidate)}: ${problem}`);
        quarantined.push(await this.quarantine(candidate));
        continue;
      }
      const data = await this.readSnapshot(candidate);
      if (!data) continue;
      const problem = checkImage(opts.SQL, data);
      if (problem === null) {
        bytes = data;
        source = kind;
        break;
      }
      problems.push(`${path.basename(candidate)}: ${problem}`);
      quarantined.push(await this.quarantine(candidate));
    }
    const journal = await this.readJournal(file);
    if (!bytes && !backing && !opts.create && journal.length === 0) {
      throw new Error(
        problems.length > 0
          ? `${file} would not open (${problems.join('; ')}); it was moved aside to ${quarantined.join(', ')}`
          : `no workspace at ${file}`,
      );
    }

    // Anchors from outside the image besides the journal's heads: the snapshot's anchor file (issue 17).
    const outside: AuditAnchor[] = [];
    const anchorText = await this.fs.readFile(anchorPath(file), 'utf8').catch(() => null);
    if (anchorText !== null) {
      try {
        outside.push({ ...(JSON.parse(anchorText) as AuditAnchor), source: 'the snapshot anchor file' });
      } catch {
        outside.push({ count: -1, head: '', mac: '', source: 'the snapshot anchor file' });
      }
    }
    const { ws, baseSeq, replayed, lastSeq } = await openSession({
      SQL: opts.SQL,
      bytes,
      backing: backing ?? work?.newDatabase() ?? null,
      keyMaterial: opts.keyMaterial,
      ...(opts.actor !== undefined ? { actor: opts.actor } : {}),
      ...(opts.now !== undefined ? { now: opts.now } : {}),
      journal,
      anchors: outside,
    });
    // The journal keeps every entry after the image we started from until the next save supersedes it.
    this.snapshotSeq.set(file, baseSeq);
    if (replayed > 0 || quarantined.length > 0 || source === 'previous') await this.save(file, ws.db, lastSeq);

    let notice: string | undefined;
    if (quarantined.length > 0) {
      notice =
        `The workspace file would not open (${problems.join('; ')}). It was moved aside, not deleted: ` +
        `${quarantined.join(', ')}. Ringside opened ${source === 'previous' ? 'the previous snapshot' : 'an empty image'} ` +
        `and replayed ${replayed} journaled action(s) on top of it.`;
    } else if (source === 'previous') {
      notice = `The last save was interrupted; Ringside opened the previous snapshot and replayed ${replayed} journaled action(s).`;
    }
    return { ws, lastSeq, replayed, source, quarantined, ...(notice ? { notice } : {}) };
  }

  /** Temp files left by a crash mid-save are incomplete by definition (the rename never happened). */
  private async removeStaleTemps(file: string): Promise<void> {
    let names: string[];
    try {
      names = await this.fs.readdir(path.dirname(file));
    } catch {
      return;
    }
    const base = path.basename(file);
    for (const n of names) {
      if (n.startsWith(`${base}${TMP_MARK}`) || n.startsWith(`${base}.journal${TMP_MARK}`))
        await this.fs.rm(path.join(path.dirname(file), n), { force: true }).catch(() => undefined);
    }
  }

  private async exists(file: string): Promise<boolean> {
    try {
      await this.fs.stat(file);
      return true;
    } catch {
      return false;
    }
  }

  private async renameWithRetry(from: string, to: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.fs.rename(from, to);
        return;
      } catch (err) {
        const retriable = this.platform === 'win32' && isCode(err, 'EPERM', 'EBUSY', 'EACCES');
        if (!retriable || attempt >= this.renameRetries) throw err;
        await sleep(this.retryDelayMs * 2 ** Math.min(attempt, 5));
      }
    }
  }

  private async syncDir(dir: string): Promise<void> {
    // Directory fsync makes the rename durable on Linux/macOS. Windows cannot fsync a directory handle (EPERM,
    // nodejs/node#3879); NTFS journals the rename, so exactly that failure is tolerated there and nowhere else.
    let handle;
    try {
      handle = await this.fs.open(dir, 'r');
      await handle.sync();
    } catch (err) {
      if (!(this.platform === 'win32' && isCode(err, 'EPERM', 'EISDIR', 'EACCES'))) throw err;
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }
}
