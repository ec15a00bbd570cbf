// HostApi for plain Chromium: workspaces, journal and wrapped keys in IndexedDB; files saved as downloads.
import type {
  HostApi,
  JournalEntry,
  OpenedWorkspace,
  SaveFileRequest,
  WorkspaceRef,
} from '../../core/contract/host.js';

const DB_NAME = 'ringside';
const STORES = ['workspaces', 'snapshots', 'journal', 'keys', 'settings'] as const;
type Store = (typeof STORES)[number];

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

let dbPromise: Promise<IDBDatabase> | undefined;
function idb(): Promise<IDBDatabase> {
  dbPromise ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => {
      for (const s of STORES) if (!open.result.objectStoreNames.contains(s)) open.result.createObjectStore(s);
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  return dbPromise;
}

/** Runs fn in one transaction and resolves when it has committed durably ('strict' flushes to disk). */
async function tx<T>(stores: Store[], mode: IDBTransactionMode, fn: (t: IDBTransaction) => Promise<T> | T): Promise<T> {
  const db = await idb();
  const t = db.transaction(stores, mode, { durability: 'strict' });
  const done = new Promise<void>((resolve, reject) => {
    t.oncomplete = () => resolve();
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error ?? new Error('transaction aborted'));
  });
  const out = await fn(t);
  await done;
  return out;
}

/** A non-extractable wrapping key kept in IndexedDB: the workspace key is stored only wrapped by it. */
async function wrappingKey(): Promise<CryptoKey> {
  const existing = await tx(['settings'], 'readonly', (t) => req(t.objectStore('settings').get('wrapKey')));
  if (existing) return existing as CryptoKey;
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  await tx(['settings'], 'readwrite', (t) => req(t.objectStore('settings').put(key, 'wrapKey')));
  return key;
}

async function keyFor(id: string): Promise<Uint8Array> {
  const wrap = await wrappingKey();
  const stored = (await tx(['keys'], 'readonly', (t) => req(t.objectStore('keys').get(id)))) as
    { iv: Uint8Array; data: ArrayBuffer } | undefined;
  if (stored)
    return new Uint8Array(
      await crypto.subtle.decrypt({ name: 'AES-GCM', iv: stored.iv as BufferSource }, wrap, stored.data),
    );
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, wrap, raw);
  await tx(['keys'], 'readwrite', (t) => req(t.objectStore('keys').put({ iv, data }, id)));
  return raw;
}

async function readJournal(id: string): Promise<JournalEntry[]> {
  const range = IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]);
  const rows = await tx(['journal'], 'readonly', (t) => req(t.objectStore('journal').getAll(range)));
  return rows as JournalEntry[];
}

async function opened(ref: WorkspaceRef): Promise<OpenedWorkspace> {
  const stored = (await tx(['snapshots'], 'readonly', (t) => req(t.objectStore('snapshots').get(ref.id)))) as
    Blob | Uint8Array | undefined;
  // Snapshots are stored as Blobs (older ones as bytes): read outside the transaction, which has ended by now.
  const snapshot = stored instanceof Blob ? new Uint8Array(await stored.arrayBuffer()) : stored;
  const touched = { ...ref, openedAt: Date.now() };
  await tx(['workspaces'], 'readwrite', (t) => req(t.objectStore('workspaces').put(touched, ref.id)));
  return {
    ref: touched,
    snapshot: snapshot ?? null,
    journal: await readJournal(ref.id),
    keyMaterial: await keyFor(ref.id),
  };
}

let blobWorker: Worker | null = null;
let blobIds = 0;

/**
 * The snapshot as a Blob, made in a small worker the bytes are transferred to (so the caller's array is detached):
 * at 100k devices the copy takes a third of a second, which the page must not spend blocked.
 */
function snapshotBlob(bytes: Uint8Array): Promise<Blob> {
  if (typeof Worker === 'undefined')
    return Promise.resolve(new Blob([bytes as BlobPart], { type: 'application/vnd.sqlite3' }));
  blobWorker ??= new Worker(new URL('./blob-worker.ts', import.meta.url), { type: 'module', name: 'ringside-blob' });
  const w = blobWorker;
  const id = ++blobIds;
  return new Promise((resolve, reject) => {
    const done = (e: MessageEvent<{ id: number; blob: Blob }>) => {
      if (e.data.id !== id) return;
      w.removeEventListener('message', done);
      resolve(e.data.blob);
    };
    w.addEventListener('message', done);
    w.addEventListener('error', (e) => reject(new Error(e.message || 'the snapshot could not be prepared')), {
      once: true,
    });
    w.postMessage({ id, bytes }, [bytes.buffer]);
  });
}
export const browserHost: HostApi = {
  kind: 'browser',
  async appInfo() {
    return {
      name: 'Ringside',
      version: import.meta.env.VITE_APP_VERSION ?? 'dev',
      versions: { chrome: navigator.userAgent },
    };
  },
  async recentWorkspaces() {
    const all = (await tx(['workspaces'], 'readonly', (t) =>
      req(t.objectStore('workspaces').getAll()),
    )) as WorkspaceRef[];
    return all.sort((a, b) => b.openedAt - a.openedAt);
  },
  async createWorkspace(name) {
    const id = crypto.randomUUID();
    const ref: WorkspaceRef = { id, name, location: `indexeddb:${id}`, openedAt: Date.now() };
    await tx(['workspaces'], 'readwrite', (t) => req(t.objectStore('workspaces').put(ref, id)));
    return opened(ref);
  },
  async openWorkspace(location) {
    if (!location) return null;
    const id = location.replace(/^indexeddb:/, '');
    const ref = (await tx(['workspaces'], 'readonly', (t) => req(t.objectStore('workspaces').get(id)))) as
      WorkspaceRef | undefined;
    return ref ? opened(ref) : null;
  },
  async saveSnapshot(workspaceId, bytes, journalSeq) {
    // As a Blob: Chromium aborts a transaction that puts a single value of a few hundred MB (a 100k-device
    // workspace), while Blobs are kept in files of any size.
    const blob = await snapshotBlob(bytes);
    // One transaction: the snapshot and the journal trim commit together or not at all.
    await tx(['snapshots', 'journal'], 'readwrite', async (t) => {
      t.objectStore('snapshots').put(blob, workspaceId);
      t.objectStore('journal').delete(IDBKeyRange.bound([workspaceId, 0], [workspaceId, journalSeq]));
    });
  },
  async appendJournal(workspaceId, entry) {
    await tx(['journal'], 'readwrite', (t) => req(t.objectStore('journal').add(entry, [workspaceId, entry.seq])));
  },
  async saveFile(reqst: SaveFileRequest) {
    const blob = new Blob([reqst.data as BlobPart], { type: reqst.mime ?? 'application/octet-stream' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = reqst.suggestedName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return reqst.suggestedName;
  },
  async printToPdf() {
    return null;
  },
  // No OS file associations or application menu in a browser tab: nothing ever arrives.
  onOpenFile() {
    return () => undefined;
  },
  onMenuCommand() {
    return () => undefined;
  },
};
