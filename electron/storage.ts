// Durable workspace storage on disk: atomic snapshots (temp, fsync, rename, keep previous) plus an fsync'd journal.
import { promises as fsp, constants as fsc } from 'node:fs';
import path from 'node:path';
import type { JournalEntry } from '../core/contract/host.js';

export interface StorageFs {
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  rm: typeof fsp.rm;
  readFile: typeof fsp.readFile;
  stat: typeof fsp.stat;
  copyFile: typeof fsp.copyFile;
}

const realFs: StorageFs = {
  open: fsp.open,
  rename: fsp.rename,
  rm: fsp.rm,
  readFile: fsp.readFile,
  stat: fsp.stat,
  copyFile: fsp.copyFile,
};

export interface StorageOptions {
  fs?: StorageFs;
  platform?: NodeJS.Platform;
  /** How often a Windows rename is retried on EPERM/EBUSY/EACCES (virus scanners, indexers hold files briefly). */
  renameRetries?: number;
}

export const journalPath = (file: string) => `${file}.journal`;
export const previousPath = (file: string) => `${file}.prev`;

function isCode(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

export class WorkspaceStorage {
  private readonly fs: StorageFs;
  private readonly platform: NodeJS.Platform;
  private readonly renameRetries: number;

  constructor(opts: StorageOptions = {}) {
    this.fs = opts.fs ?? realFs;
    this.platform = opts.platform ?? process.platform;
    this.renameRetries = opts.renameRetries ?? 10;
  }

  /** Writes bytes to `file` atomically; the old file survives as `file.prev` until the next save. */
  async writeAtomic(file: string, bytes: Uint8Array): Promise<void> {
    const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
    const handle = await this.fs.open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await this.fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await handle.close();
    try {
      if (await this.exists(file)) await this.fs.copyFile(file, previousPath(file));
      await this.renameWithRetry(tmp, file);
    } catch (err) {
      await this.fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await this.syncDir(path.dirname(file));
  }

  /** Appends one journal line and fsyncs it; only then may the caller acknowledge the action. */
  async appendJournal(file: string, entry: JournalEntry): Promise<void> {
    const handle = await this.fs.open(journalPath(file), fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT, 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(entry)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Reads the journal, skipping a torn final line (a crash mid-append never acknowledged it). */
  async readJournal(file: string, afterSeq = 0): Promise<JournalEntry[]> {
    let text: string;
    try {
      text = await this.fs.readFile(journalPath(file), 'utf8');
    } catch (err) {
      if (isCode(err, 'ENOENT')) return [];
      throw err;
    }
    const out: JournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as JournalEntry;
        if (typeof entry.seq === 'number' && entry.seq > afterSeq) out.push(entry);
      } catch {
        // A partial last line from a crash mid-append; its action was never acknowledged.
      }
    }
    return out;
  }

  /** After a snapshot that includes every entry up to seq, rewrite the journal with only the later ones. */
  async compactJournal(file: string, uptoSeq: number): Promise<void> {
    const rest = await this.readJournal(file, uptoSeq);
    const body = rest.map((e) => `${JSON.stringify(e)}\n`).join('');
    await this.writeAtomic(journalPath(file), new TextEncoder().encode(body));
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
    const dest = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await this.renameWithRetry(file, dest);
    return dest;
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
        await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  private async syncDir(dir: string): Promise<void> {
    // Directory fsync makes the rename durable on Linux/macOS; Windows cannot open a directory for it.
    if (this.platform === 'win32') return;
    const handle = await this.fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
