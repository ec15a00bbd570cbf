// Starts the import's reading thread on Node (worker_threads): the CLI's and the bench's two-thread import.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImportInput } from '../../core/contract/ingest.js';
import { threadedReader, type ReadPort, type ThreadedReader } from '../../core/ingest/read-thread.js';

/** What crosses to the thread for a file on disk: its path, and what the import reports about it. */
export interface DiskFile {
  path: string;
  name: string;
  size: number;
  lastModified?: number;
}

/** Inputs that are files on disk (from fileInput): only these are read in the thread. */
const onDisk = new WeakMap<ImportInput, string>();
export const markOnDisk = (input: ImportInput, abs: string) => onDisk.set(input, abs);

function spawn(): ReadPort {
  // The bundled CLI ships the thread as a sibling .cjs; from source (tsx, Vitest) a small .mjs loads the .ts with tsx
  // (loader hooks given to the main thread do not reach a worker on Node 20).
  const bundled = new URL('./parse-thread.cjs', import.meta.url);
  const w = new Worker(
    existsSync(fileURLToPath(bundled)) ? bundled : new URL('./parse-thread-dev.mjs', import.meta.url),
  );
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer as ArrayBuffer[] | undefined),
    listen(fn, fail) {
      w.on('message', fn);
      w.on('error', fail);
      w.on('exit', (code) => fail(new Error(`the reading thread exited (code ${code})`)));
    },
    close: () => void w.terminate(),
  };
}

/** A reader for ImportOptions.reader; close() ends the thread (call it once the import is done). */
export function diskReader(): ThreadedReader {
  return threadedReader(spawn, (input) => {
    const path = onDisk.get(input);
    if (!path) return null;
    const f: DiskFile = { path, name: input.name, size: input.size, lastModified: input.lastModified };
    return { input: f };
  });
}
