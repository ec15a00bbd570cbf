// Technician progress kept durably in this browser's IndexedDB: the encrypted pack, results and key-reveal events, never a plaintext key.
import type { FieldEvent, ResultRecord } from '../../../core/field/format.js';

export interface TechProgress {
  packId: string;
  site: string | null;
  expires: number;
  devices: number;
  technician: string;
  /** The pack file as received (still encrypted): a reload needs only the passphrase again. */
  packBytes: Uint8Array;
  /** Every result the technician recorded, in order; the latest per device counts. */
  records: ResultRecord[];
  events: FieldEvent[];
  updatedAt: number;
}

const DB_NAME = 'ringside-technician';
let dbp: Promise<IDBDatabase> | undefined;

function idb(): Promise<IDBDatabase> {
  dbp ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains('progress'))
        open.result.createObjectStore('progress', { keyPath: 'packId' });
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  return dbp;
}

/** Resolves only once the write has committed with strict durability: the UI shows a result as saved after this. */
export async function saveProgress(p: TechProgress): Promise<void> {
  const db = await idb();
  await new Promise<void>((resolve, reject) => {
    const t = db.transaction('progress', 'readwrite', { durability: 'strict' });
    t.objectStore('progress').put(p);
    t.oncomplete = () => resolve();
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error ?? new Error('saving progress was aborted'));
  });
}

export async function loadProgress(packId: string): Promise<TechProgress | undefined> {
  const db = await idb();
  return new Promise((resolve, reject) => {
    const r = db.transaction('progress', 'readonly').objectStore('progress').get(packId);
    r.onsuccess = () => resolve(r.result as TechProgress | undefined);
    r.onerror = () => reject(r.error);
  });
}

export async function allProgress(): Promise<TechProgress[]> {
  const db = await idb();
  return new Promise((resolve, reject) => {
    const r = db.transaction('progress', 'readonly').objectStore('progress').getAll();
    r.onsuccess = () => resolve((r.result as TechProgress[]).sort((a, b) => b.updatedAt - a.updatedAt));
    r.onerror = () => reject(r.error);
  });
}
