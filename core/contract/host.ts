// HostApi: what the renderer needs from its host (Electron preload or the plain-browser host). Nothing else crosses.
import type { Action } from './actions.js';

export interface WorkspaceRef {
  id: string;
  name: string;
  /** Absolute path in Electron; an IndexedDB key in the browser. */
  location: string;
  openedAt: number;
}

export interface JournalEntry {
  seq: number;
  action: Action;
  /** The audit head (count, hash, keyed MAC) when the action was taken: an anchor outside the audit table. */
  audit?: { count: number; head: string; mac: string };
}

export interface OpenedWorkspace {
  ref: WorkspaceRef;
  /** Last snapshot (a SQLite image), or null for a new workspace; handed to the database worker (and set to null) when loaded. */
  snapshot: Uint8Array | null;
  /** Journal entries written after that snapshot, in order; replay them on top of it. */
  journal: JournalEntry[];
  /** Raw 32-byte workspace key, unwrapped by the host's secret store (safeStorage, passphrase or IndexedDB). */
  keyMaterial: Uint8Array;
  /** Set when the last snapshot would not open and was moved aside; the UI tells the user. */
  quarantined?: string;
}

export interface SaveFileRequest {
  suggestedName: string;
  data: Uint8Array | string;
  mime?: string;
}

/** A file handed to the app from outside: OS file association, a second launch, the Open menu, or drag and drop. */
export interface OpenFileEvent {
  kind: 'workspace' | 'fieldpack' | 'export';
  /** File name without directories. */
  name: string;
  /** For workspaces: pass to openWorkspace(location). */
  location?: string;
  /** Content, for field packs and dropped export files (CSV, JSON). */
  data?: Uint8Array;
}

/** Application-menu commands the renderer carries out (the menu lives in the host). */
export type MenuCommand = 'new-workspace' | 'save-snapshot' | 'export-pdf' | 'close-workspace';

export interface HostApi {
  readonly kind: 'electron' | 'browser';
  appInfo(): Promise<{ name: string; version: string; versions: Record<string, string> }>;
  recentWorkspaces(): Promise<WorkspaceRef[]>;
  /** Creates a new, empty workspace and returns it opened. */
  createWorkspace(name: string): Promise<OpenedWorkspace>;
  /** Opens a workspace by id/location; with no argument, asks the user (a dialog in Electron). */
  openWorkspace(location?: string): Promise<OpenedWorkspace | null>;
  /** Atomic snapshot (temp file, fsync, rename, previous copy kept); journal entries up to `journalSeq` are then dropped. */
  saveSnapshot(workspaceId: string, bytes: Uint8Array, journalSeq: number): Promise<void>;
  /**
   * A snapshot streamed in chunks (desktop only; the browser host saves a Blob): begin returns a save id, each chunk
   * follows the previous one (the first starts after the first page), and end writes the first page, fsyncs and
   * renames, or with null cancels. Until end succeeds the previous snapshot is what is on disk.
   */
  snapshotBegin?(workspaceId: string, journalSeq: number): Promise<string>;
  snapshotChunk?(saveId: string, position: number, bytes: Uint8Array): Promise<void>;
  snapshotEnd?(saveId: string, head: Uint8Array | null): Promise<void>;
  /** Durably appends one action; resolves only after it is on disk. The UI acknowledges an action after this. */
  appendJournal(workspaceId: string, entry: JournalEntry): Promise<void>;
  /** Saves a file the user asked for (save dialog in Electron, a download in the browser). Null when cancelled. */
  saveFile(req: SaveFileRequest): Promise<string | null>;
  /** PDF of the current page (Electron printToPDF); null where the host cannot, and the UI falls back to window.print(). */
  printToPdf(): Promise<Uint8Array | null>;
  /** Files opened from outside the page; returns an unsubscribe function. Optional: the browser host never calls back. */
  onOpenFile?(cb: (ev: OpenFileEvent) => void): () => void;
  /** Application-menu commands; returns an unsubscribe function. Optional: the browser host has no menu. */
  onMenuCommand?(cb: (command: MenuCommand) => void): () => void;
}
