// Electron preload (sandboxed): exposes HostApi as named functions, each bound to one IPC channel; nothing generic.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { HostApi, MenuCommand, OpenFileEvent } from '../core/contract/host.js';
import { SNAPSHOT_CHUNK } from '../core/store/export-stream.js';
import { EVENTS, FIELD_PACK_EXT, INVOKE, SEND, WORKSPACE_EXT } from './host/channels.js';

// Drag-and-drop types: the preload's tsconfig has no DOM lib, so only what is used is declared.
interface DroppedFileList {
  readonly length: number;
  [index: number]: File;
}
interface FileDragEvent extends Event {
  readonly dataTransfer: { readonly files: DroppedFileList; readonly types: readonly string[] } | null;
}

const openFileListeners = new Set<(ev: OpenFileEvent) => void>();
const emitOpenFile = (ev: OpenFileEvent) => openFileListeners.forEach((cb) => cb(ev));
ipcRenderer.on(EVENTS.openFile, (_e: IpcRendererEvent, ev: OpenFileEvent) => emitOpenFile(ev));

const MAX_DROPPED_EXPORT = 512 * 2 ** 20;

/** A drop the page did not handle itself: workspaces and packs go to main by path, exports are read here. */
async function onDrop(event: FileDragEvent): Promise<void> {
  const files = event.dataTransfer?.files;
  if (event.defaultPrevented || !files || files.length === 0) return;
  event.preventDefault();
  const paths: string[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const lower = file.name.toLowerCase();
    if (lower.endsWith(WORKSPACE_EXT) || lower.endsWith(FIELD_PACK_EXT)) {
      const p = webUtils.getPathForFile(file);
      if (p) paths.push(p);
    } else if (file.size <= MAX_DROPPED_EXPORT) {
      emitOpenFile({ kind: 'export', name: file.name, data: new Uint8Array(await file.arrayBuffer()) });
    }
  }
  if (paths.length > 0) ipcRenderer.send(SEND.droppedFiles, paths.slice(0, 20));
}

globalThis.addEventListener('dragover', (event) => {
  if ((event as FileDragEvent).dataTransfer?.types.includes('Files')) event.preventDefault();
});
globalThis.addEventListener('drop', (event) => void onDrop(event as FileDragEvent));

/** The page size a SQLite image's header states (bytes 16-17; 1 means 65536), or 0 when it states none. */
function statedPageSize(bytes: Uint8Array): number {
  if (bytes.byteLength < 100) return 0;
  const v = (bytes[16]! << 8) | bytes[17]!;
  const page = v === 1 ? 65536 : v;
  return page >= 512 && (page & (page - 1)) === 0 && page <= bytes.byteLength ? page : 0;
}

/**
 * A whole image (a host without the worker's streamed export sends one) goes through the streamed save, so main
 * has one way to write a snapshot: the pages after the first in chunks, then the first page, which main checks
 * against the length the image states. Anything that is not such an image is refused there.
 */
async function saveWhole(workspaceId: string, bytes: Uint8Array, journalSeq: number): Promise<void> {
  const saveId = (await ipcRenderer.invoke(INVOKE.snapshotBegin, workspaceId, journalSeq)) as string;
  try {
    const page = statedPageSize(bytes) || bytes.byteLength;
    for (let p = page; p < bytes.byteLength; p += SNAPSHOT_CHUNK)
      await ipcRenderer.invoke(INVOKE.snapshotChunk, saveId, p, bytes.subarray(p, p + SNAPSHOT_CHUNK));
    await ipcRenderer.invoke(INVOKE.snapshotEnd, saveId, bytes.subarray(0, page));
  } catch (err) {
    // Main may have dropped the save already (then this is refused, which is fine): the previous snapshot stays.
    await ipcRenderer.invoke(INVOKE.snapshotEnd, saveId, null).catch(() => undefined);
    throw err;
  }
}

const api = {
  kind: 'electron',
  appInfo: () => ipcRenderer.invoke(INVOKE.appInfo),
  recentWorkspaces: () => ipcRenderer.invoke(INVOKE.recentWorkspaces),
  createWorkspace: (name: string) => ipcRenderer.invoke(INVOKE.createWorkspace, name),
  openWorkspace: (location?: string) =>
    location === undefined
      ? ipcRenderer.invoke(INVOKE.openWorkspace)
      : ipcRenderer.invoke(INVOKE.openWorkspace, location),
  saveSnapshot: saveWhole,
  snapshotBegin: (workspaceId: string, journalSeq: number) =>
    ipcRenderer.invoke(INVOKE.snapshotBegin, workspaceId, journalSeq),
  snapshotChunk: (saveId: string, position: number, bytes: Uint8Array) =>
    ipcRenderer.invoke(INVOKE.snapshotChunk, saveId, position, bytes),
  snapshotEnd: (saveId: string, head: Uint8Array | null) => ipcRenderer.invoke(INVOKE.snapshotEnd, saveId, head),
  appendJournal: (workspaceId, entry) => ipcRenderer.invoke(INVOKE.appendJournal, workspaceId, entry),
  saveFile: (req) => ipcRenderer.invoke(INVOKE.saveFile, req),
  printToPdf: () => ipcRenderer.invoke(INVOKE.printToPdf),
  onOpenFile: (cb: (ev: OpenFileEvent) => void) => {
    openFileListeners.add(cb);
    ipcRenderer.send(SEND.openFileReady);
    return () => void openFileListeners.delete(cb);
  },
  onMenuCommand: (cb: (command: MenuCommand) => void) => {
    const listener = (_e: IpcRendererEvent, command: MenuCommand) => cb(command);
    ipcRenderer.on(EVENTS.menuCommand, listener);
    return () => void ipcRenderer.removeListener(EVENTS.menuCommand, listener);
  },
} satisfies HostApi;

contextBridge.exposeInMainWorld('ringside', api);
