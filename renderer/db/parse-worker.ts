// The import's reading thread in the renderer: decodes and parses the chosen files while the database worker writes.
import '../zod-setup.js';
import { serveReads } from '../../core/ingest/read-thread.js';
import type { PickedFile } from './read-worker.js';

/** The dedicated worker scope, typed here: the renderer's lib is the page's (DOM), whose postMessage differs. */
const scope = self as unknown as {
  postMessage(msg: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
  close(): void;
};

serveReads(
  {
    post: (msg, transfer) => scope.postMessage(msg, transfer ?? []),
    listen: (fn) => scope.addEventListener('message', (e) => fn(e.data)),
    close: () => scope.close(),
  },
  (raw) => {
    const f = raw as PickedFile;
    return { name: f.name, size: f.size, lastModified: f.lastModified, stream: () => f.file.stream() };
  },
);
