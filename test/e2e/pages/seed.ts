// Test-only: puts a workspace file built on Node (core or CLI) into the browser host's storage, as if saved there.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, type Page } from '@playwright/test';

/**
 * Writes the snapshot, the workspace entry and its key (wrapped as the browser host wraps keys) into IndexedDB, then
 * reopens the app and opens the workspace from "Recent workspaces": the same path a saved workspace takes.
 * The file streams from a local server the browser fetches directly (a rewritten same-origin URL), so a 2 GB
 * snapshot never passes through the test process's memory or the DevTools protocol.
 */
export async function seedWorkspace(page: Page, opts: { name: string; file: string; key: Uint8Array }): Promise<void> {
  const size = (await stat(opts.file)).size;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    createReadStream(opts.file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await page.route('**/__seed/snapshot', (route) => route.continue({ url: `http://127.0.0.1:${port}/snapshot` }));
  try {
    await page.evaluate(
      async ({ name, key }) => {
        const blob = await (await fetch('/__seed/snapshot')).blob();
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('ringside', 1);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        const done = (t: IDBTransaction) =>
          new Promise<void>((resolve, reject) => {
            t.oncomplete = () => resolve();
            t.onerror = () => reject(t.error);
          });
        const get = <T>(r: IDBRequest<T>) =>
          new Promise<T>((resolve, reject) => {
            r.onsuccess = () => resolve(r.result);
            r.onerror = () => reject(r.error);
          });
        let wrap = (await get(db.transaction('settings').objectStore('settings').get('wrapKey'))) as
          CryptoKey | undefined;
        if (!wrap) {
          wrap = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
          const t = db.transaction('settings', 'readwrite');
          t.objectStore('settings').put(wrap, 'wrapKey');
          await done(t);
        }
        const id = crypto.randomUUID();
        const iv = crypto.getRandomValues(new Uint8Array(12));
        const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, wrap, new Uint8Array(key));
        const t = db.transaction(['workspaces', 'snapshots', 'keys'], 'readwrite');
        t.objectStore('keys').put({ iv, data }, id);
        t.objectStore('snapshots').put(blob, id);
        t.objectStore('workspaces').put({ id, name, location: `indexeddb:${id}`, openedAt: Date.now() }, id);
        await done(t);
        db.close();
      },
      { name: opts.name, key: [...opts.key] },
    );
  } finally {
    await page.unroute('**/__seed/snapshot');
    server.close();
  }
  await page.reload();
  await expect(page.locator('html[data-app-state="start"]')).toBeAttached();
  await page.getByRole('region', { name: 'Recent workspaces' }).getByRole('button', { name: opts.name }).click();
  await expect(page.locator('html[data-app-state="workspace"]')).toBeAttached({ timeout: 600_000 });
}
