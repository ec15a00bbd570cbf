// The main-process side of HostApi: `.ringside` workspace files on disk, their journal, recent list, keys and saves.
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type { JournalEntry, OpenedWorkspace, SaveFileRequest, WorkspaceRef } from '../../core/contract/host.js';
import { SNAPSHOT_CHUNK } from '../../core/store/export-stream.js';
import type { AtomicWriter, WorkspaceStorage } from '../storage.js';
import { WORKSPACE_EXT } from './channels.js';
import type { RecentList } from './recent.js';
import { isSqliteImage, newWorkspaceImage, readWorkspaceId } from './sqlite.js';

export interface HostDeps {
  storage: Pick<
    WorkspaceStorage,
    'writeAtomic' | 'beginAtomic' | 'appendJournal' | 'readJournal' | 'compactJournal' | 'readSnapshot' | 'quarantine'
  >;
  keys: { get(workspaceId: string): Promise<Uint8Array> };
  recent: RecentList;
  sqlJs: () => Promise<SqlJsStatic>;
  /** Where new workspaces go (documents/Ringside). */
  workspaceDir: () => string;
  /** Where save dialogs start. */
  documentsDir: () => string;
  showOpenDialog: () => Promise<string | null>;
  showSaveDialog: (defaultPath: string) => Promise<string | null>;
  printToPdf: () => Promise<Uint8Array>;
  appInfo: () => { name: string; version: string; versions: Record<string, string> };
  /** The OS's recent-documents list (Windows jump list, macOS Dock menu). */
  addRecentDocument?: (file: string) => void;
  now?: () => number;
}

/** A file name the user will recognise, safe on every OS (no separators, reserved characters or device names). */
export function safeFileName(name: string, fallback = 'Ringside'): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[\u0000-\u001f<>:"/\\|?*]+/g, ' ') // eslint-disable-line no-control-regex -- control characters are exactly what must go
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 120);
  if (!cleaned || /^(con|prn|aux|nul|com\d|lpt\d)$/i.test(cleaned)) return fallback;
  return cleaned;
}

const MAX_SNAPSHOT = 2 ** 32 - 1;

interface StreamedSave {
  workspaceId: string;
  file: string;
  seq: number;
  writer: AtomicWriter;
  /** Where the first chunk began: the page size (the first page comes last, with snapshotEnd). */
  start: number | null;
  next: number;
  busy: boolean;
}

const isPageSize = (n: number) => n >= 512 && n <= 65536 && (n & (n - 1)) === 0;

/** The page size and the image length the SQLite header states (page size times page count). */
function headerSizes(head: Uint8Array): { page: number; length: number } {
  const raw = (head[16]! << 8) | head[17]!;
  const page = raw === 1 ? 65536 : raw;
  const pages = ((head[28]! << 24) >>> 0) + (head[29]! << 16) + (head[30]! << 8) + head[31]!;
  return { page, length: page * pages };
}

export class DesktopHost {
  /** Workspace id -> file, for the workspaces the renderer has open in this session. */
  private readonly files = new Map<string, string>();
  /** Files the user handed over (dialog, OS, drop, recent list, created here); nothing else can be opened. */
  private readonly granted = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly deps: HostDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Allows the renderer to open this file: it came from the user, not from page content. */
  grant(file: string): string {
    const abs = path.resolve(file);
    this.granted.add(abs);
    return abs;
  }

  /** The open dialog; the chosen file is granted. Null when cancelled. */
  async pickWorkspace(): Promise<string | null> {
    const picked = await this.deps.showOpenDialog();
    return picked ? this.grant(picked) : null;
  }

  appInfo() {
    return this.deps.appInfo();
  }

  recentWorkspaces(): Promise<WorkspaceRef[]> {
    return this.deps.recent.list();
  }

  async createWorkspace(name: string): Promise<OpenedWorkspace> {
    const dir = this.deps.workspaceDir();
    await fsp.mkdir(dir, { recursive: true });
    const base = safeFileName(name, 'Workspace');
    let file = path.join(dir, `${base}${WORKSPACE_EXT}`);
    for (let n = 2; await exists(file); n++) file = path.join(dir, `${base} (${n})${WORKSPACE_EXT}`);
    const SQL = await this.deps.sqlJs();
    const { id, bytes } = await newWorkspaceImage(SQL, (wid) => this.deps.keys.get(wid));
    await this.deps.storage.writeAtomic(file, bytes);
    this.grant(file);
    return this.opened(file, id, bytes, []);
  }

  async openWorkspace(location?: string): Promise<OpenedWorkspace | null> {
    let file: string;
    if (location === undefined) {
      const picked = await this.pickWorkspace();
      if (!picked) return null;
      file = picked;
    } else {
      file = path.resolve(location);
      if (!this.granted.has(file) && !(await this.isRecent(file)))
        throw new Error(`${file} was not opened by the user here: use File > Open`);
    }
    if (path.extname(file).toLowerCase() !== WORKSPACE_EXT)
      throw new Error(`${file} is not a ${WORKSPACE_EXT} workspace`);
    const SQL = await this.deps.sqlJs();
    const snapshot = await this.deps.storage.readSnapshot(file);
    if (!snapshot) {
      await this.deps.recent.remove(file);
      throw new Error(`no workspace at ${file}`);
    }
    if (!isSqliteImage(snapshot)) return this.recoverFromPrevious(SQL, file);
    let id: string;
    try {
      id = readWorkspaceId(SQL, snapshot);
    } catch (err) {
      const msg = (err as Error).message;
      // A damaged SQLite image is quarantined like a non-SQLite one; a healthy SQLite file of another app is not ours.
      if (/malformed|not a database|corrupt/i.test(msg)) return this.recoverFromPrevious(SQL, file);
      throw new Error(`${file} is not a Ringside workspace (${msg})`);
    }
    return this.opened(file, id, snapshot, await this.deps.storage.readJournal(file));
  }

  /** Streamed saves in progress, by save id; at most one per workspace (see snapshotBegin). */
  private readonly streams = new Map<string, StreamedSave>();

  /**
   * Starts a streamed snapshot: chunks from the database worker go straight into a temp file at their positions
   * (snapshotChunk), and snapshotEnd writes the first page, fsyncs and renames. An unfinished save of the same
   * workspace is dropped first (its temp file removed, its later chunks refused), so two saves never interleave.
   */
  async snapshotBegin(workspaceId: string, journalSeq: number): Promise<string> {
    const file = this.fileOf(workspaceId);
    for (const [sid, s] of this.streams) if (s.workspaceId === workspaceId) await this.dropStream(sid);
    const writer = await this.deps.storage.beginAtomic(file);
    const saveId = randomUUID();
    this.streams.set(saveId, { workspaceId, file, seq: journalSeq, writer, start: null, next: 0, busy: false });
    return saveId;
  }

  /** One chunk, right after the previous one; the first starts after the first page. Anything else drops the save. */
  async snapshotChunk(saveId: string, position: number, bytes: Uint8Array): Promise<void> {
    const s = this.stream(saveId);
    if (s.busy) return this.refuse(saveId, 'a chunk arrived before the previous one was written');
    if (bytes.byteLength === 0 || bytes.byteLength > SNAPSHOT_CHUNK)
      return this.refuse(saveId, `a chunk of ${bytes.byteLength} bytes is outside 1..${SNAPSHOT_CHUNK}`);
    if (s.start === null) {
      if (!isPageSize(position)) return this.refuse(saveId, `the first chunk starts at ${position}, not after a page`);
      s.start = position;
    } else if (position !== s.next) return this.refuse(saveId, `a chunk at ${position} arrived out of order`);
    if (position + bytes.byteLength > MAX_SNAPSHOT) return this.refuse(saveId, 'the snapshot is larger than 4 GiB');
    s.busy = true;
    try {
      await s.writer.write(bytes, position);
    } catch (err) {
      this.streams.delete(saveId);
      throw err;
    }
    s.busy = false;
    s.next = position + bytes.byteLength;
  }

  /**
   * Ends a streamed save: `head` (the first page) completes the image, which must be a SQLite image exactly as long
   * as its header says; then fsync, rename and the journal trim. A null head cancels: the temp file goes, the
   * previous snapshot stays.
   */
  async snapshotEnd(saveId: string, head: Uint8Array | null): Promise<void> {
    const s = this.stream(saveId);
    if (s.busy) return this.refuse(saveId, 'the save ended while a chunk was being written');
    this.streams.delete(saveId);
    if (head === null) return s.writer.abort();
    const length = s.start === null ? head.byteLength : s.next;
    const stated = isSqliteImage(head) ? headerSizes(head) : null;
    if (
      !stated ||
      stated.page !== head.byteLength ||
      (s.start ?? head.byteLength) !== head.byteLength ||
      stated.length !== length
    ) {
      await s.writer.abort();
      throw new Error('refusing to save: the streamed snapshot is not a complete SQLite image; the save was dropped');
    }
    await s.writer.write(head, 0);
    await s.writer.commit();
    await this.deps.storage.compactJournal(s.file, s.seq);
  }

  private stream(saveId: string): StreamedSave {
    const s = this.streams.get(saveId);
    if (!s) throw new Error('no such snapshot save (it finished, was dropped, or never began)');
    return s;
  }

  private async refuse(saveId: string, why: string): Promise<never> {
    await this.dropStream(saveId);
    throw new Error(`${why}; the save was dropped`);
  }

  private async dropStream(saveId: string): Promise<void> {
    const s = this.streams.get(saveId);
    this.streams.delete(saveId);
    await s?.writer.abort();
  }

  async appendJournal(workspaceId: string, entry: JournalEntry): Promise<void> {
    await this.deps.storage.appendJournal(this.fileOf(workspaceId), entry);
  }

  async saveFile(req: SaveFileRequest): Promise<string | null> {
    const target = await this.deps.showSaveDialog(
      path.join(this.deps.documentsDir(), safeFileName(req.suggestedName, 'export')),
    );
    if (!target) return null;
    const bytes = typeof req.data === 'string' ? new TextEncoder().encode(req.data) : req.data;
    await this.deps.storage.writeAtomic(target, bytes);
    return target;
  }

  printToPdf(): Promise<Uint8Array> {
    return this.deps.printToPdf();
  }

  private fileOf(workspaceId: string): string {
    const file = this.files.get(workspaceId);
    if (!file) throw new Error(`workspace ${workspaceId} is not open`);
    return file;
  }

  private async isRecent(file: string): Promise<boolean> {
    return (await this.deps.recent.list()).some((r) => path.resolve(r.location) === file);
  }

  /** The snapshot is unreadable: move it aside, then fall back to the previous copy or a fresh image. */
  private async recoverFromPrevious(SQL: SqlJsStatic, file: string): Promise<OpenedWorkspace> {
    const moved = await this.deps.storage.quarantine(file);
    const prev = await this.deps.storage.readSnapshot(`${file}.prev`);
    let id: string | null = null;
    let bytes: Uint8Array | null = null;
    if (prev && isSqliteImage(prev)) {
      try {
        id = readWorkspaceId(SQL, prev);
        bytes = prev;
      } catch {
        id = null;
      }
    }
    if (!id || !bytes) ({ id, bytes } = await newWorkspaceImage(SQL, (wid) => this.deps.keys.get(wid)));
    await this.deps.storage.writeAtomic(file, bytes);
    return { ...(await this.opened(file, id, bytes, await this.deps.storage.readJournal(file))), quarantined: moved };
  }

  private async opened(
    file: string,
    id: string,
    snapshot: Uint8Array,
    journal: JournalEntry[],
  ): Promise<OpenedWorkspace> {
    const keyMaterial = await this.deps.keys.get(id);
    const ref: WorkspaceRef = {
      id,
      name: path.basename(file, path.extname(file)),
      location: file,
      openedAt: this.now(),
    };
    this.files.set(id, file);
    this.grant(file);
    await this.deps.recent.touch(ref);
    this.deps.addRecentDocument?.(file);
    return { ref, snapshot, journal, keyMaterial };
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.stat(file);
    return true;
  } catch {
    return false;
  }
}
