// Contiguous writes to a host file gathered into one call: a sub-journal appends a page number and then its page, and a commit writes its pages in order.
import type { HostFile } from './db.js';

/** How much one gathered write may hold. */
export const GATHER_BYTES = 1 << 20;

/**
 * `inner` with contiguous writes held back (up to `capacity` bytes) and written as one before anything reads, sizes,
 * truncates, syncs or closes the file. Each call to a host file can cost a message or a system call (the origin
 * private file system's handles); SQLite writes a page at a time. A held-back write that fails fails every later
 * call, so SQLite sees the error (at its next read, or its commit's sync at the latest), never a file that silently
 * lacks what it wrote.
 */
export function gatherWrites(inner: HostFile, capacity = GATHER_BYTES): HostFile {
  const staged = new Uint8Array(capacity);
  let from = 0;
  let used = 0;
  let failed: unknown = null;
  const flush = () => {
    if (failed) throw failed;
    if (used === 0) return;
    const n = used;
    used = 0;
    try {
      inner.write(staged.subarray(0, n), from);
    } catch (err) {
      failed = err;
      throw err;
    }
  };
  return {
    read(into, position) {
      flush();
      return inner.read(into, position);
    },
    write(bytes, position) {
      if (failed) throw failed;
      if (used > 0 && (position !== from + used || used + bytes.byteLength > capacity)) flush();
      if (bytes.byteLength > capacity) return inner.write(bytes, position);
      if (used === 0) from = position;
      staged.set(bytes, used);
      used += bytes.byteLength;
    },
    truncate(size) {
      flush();
      inner.truncate(size);
    },
    size() {
      flush();
      return inner.size();
    },
    sync() {
      flush();
      inner.sync?.();
    },
    close() {
      try {
        flush();
      } finally {
        inner.close();
      }
    },
  };
}
