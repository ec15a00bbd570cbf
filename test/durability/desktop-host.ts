// A DesktopHost with no window and no dialogs, over one directory: the main process of the save tests and bench.
import path from 'node:path';
import { DesktopHost } from '../../electron/host/desktop-host.js';
import { RecentList } from '../../electron/host/recent.js';
import { loadSqlJs } from '../../electron/node/sqljs.js';
import type { WorkspaceStorage } from '../../electron/storage.js';

/** Every workspace key is 32 bytes of 7; dialogs answer "cancelled"; workspaces and documents live in `dir`. */
export function headlessHost(dir: string, storage: WorkspaceStorage): DesktopHost {
  return new DesktopHost({
    storage,
    keys: { get: async () => new Uint8Array(32).fill(7) },
    recent: new RecentList(path.join(dir, 'recent.json'), (f, b) => storage.writeAtomic(f, b)),
    sqlJs: loadSqlJs,
    workspaceDir: () => dir,
    documentsDir: () => dir,
    showOpenDialog: async () => null,
    showSaveDialog: async () => null,
    printToPdf: async () => new Uint8Array(0),
    appInfo: () => ({ name: 'Ringside', version: '0', versions: {} }),
  });
}
