// The reading thread of the CLI and bench (a worker_threads Worker): reads export files from disk for the import.
import { parentPort } from 'node:worker_threads';
import { serveReads } from '../../core/ingest/read-thread.js';
import { fileStream } from './file-stream.js';
import type { DiskFile } from './read-thread.js';

if (!parentPort) throw new Error('parse-thread runs as a worker thread');
const port = parentPort;
serveReads(
  {
    post: (msg, transfer) => port.postMessage(msg, transfer as ArrayBuffer[] | undefined),
    listen: (fn) => port.on('message', fn),
    close: () => port.close(),
  },
  (raw) => {
    const f = raw as DiskFile;
    return { name: f.name, size: f.size, lastModified: f.lastModified, stream: () => fileStream(f.path) };
  },
);
