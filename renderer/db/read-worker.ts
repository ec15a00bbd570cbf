// Starts the import's reading thread from the database worker (a nested Worker, bundled by Vite, no network).
import type { ImportInput } from '../../core/contract/ingest.js';
import { threadedReader, type ReadPort, type ThreadedReader } from '../../core/ingest/read-thread.js';

/** A file the user picked, as it crosses to the reading thread (a Blob crosses by reference, not by copy). */
export interface PickedFile {
  file: Blob;
  name: string;
  size: number;
  lastModified?: number;
}

function spawn(): ReadPort {
  const w = new Worker(new URL('./parse-worker.ts', import.meta.url), { type: 'module', name: 'ringside-read' });
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer ?? []),
    listen(fn, fail) {
      w.onmessage = (e) => fn(e.data);
      w.onerror = (e) => fail(new Error(e.message || 'the reading thread failed to start'));
      w.onmessageerror = () => fail(new Error('a message from the reading thread could not be read'));
    },
    close: () => w.terminate(),
  };
}

/**
 * The reader the database worker gives its imports: files the user picked are read in the reading thread; inputs
 * made in memory (the built-in sample) are read in this worker as before. Null where a worker cannot start one.
 */
export function pickedFileReader(): ThreadedReader | null {
  if (typeof Worker === 'undefined') return null;
  return threadedReader(spawn, (input: ImportInput) =>
    input instanceof Blob
      ? {
          input: {
            file: input,
            name: input.name,
            size: input.size,
            lastModified: input.lastModified,
          } satisfies PickedFile,
        }
      : null,
  );
}
