// A database image streamed in bounded chunks, waiting for each to be taken before exporting more (desktop saves).
import type { Database } from 'sql.js';
import type { Db } from './db.js';

/** The largest chunk a streamed save sends; the main process refuses bigger ones. */
export const SNAPSHOT_CHUNK = 8 * 2 ** 20;

interface SteppedExport {
  step(pages: number): false | number;
  abort(): void;
}
type PatchedDatabase = Database & {
  ringsideExportBegin?: (sink: {
    write(b: Uint8Array, p: number): void;
    read(b: Uint8Array, p: number): number;
  }) => SteppedExport;
};

/**
 * Exports `db` as consecutive chunks of at most `chunkBytes`, starting after the first page, each handed to `send`
 * (whose promise is awaited before the export goes on, so at most one chunk waits while the next fills). The first
 * page (the header, which SQLite writes last) is returned at the end: the caller writes it at position 0 once every
 * chunk is in. The bytes, head included, are those of db.export(). The caller must keep other writers off `db` until
 * this settles (a write between steps would reach pages already sent).
 */
export async function streamExport(
  db: Db,
  send: (position: number, bytes: Uint8Array) => Promise<void>,
  chunkBytes = SNAPSHOT_CHUNK,
): Promise<Uint8Array> {
  if (db.inTransaction) throw new Error('cannot export while a write transaction is open');
  const pageSize = Number(db.value('PRAGMA page_size'));
  const head = new Uint8Array(pageSize);
  const raw = db.raw as PatchedDatabase;
  if (!raw.ringsideExportBegin) {
    // A sql.js without the patch: the whole image once, then sent in the same chunks.
    const bytes = raw.export();
    head.set(bytes.subarray(0, pageSize));
    for (let at = pageSize; at < bytes.byteLength; at += chunkBytes)
      await send(at, bytes.slice(at, Math.min(at + chunkBytes, bytes.byteLength)));
    return head;
  }
  let chunk = new Uint8Array(chunkBytes);
  let used = 0;
  let cursor = pageSize;
  const ready: Uint8Array[] = [];
  const exporter = raw.ringsideExportBegin({
    write(part, position) {
      if (position < pageSize) {
        if (position + part.byteLength > pageSize) throw new Error('export wrote across the first page');
        head.set(part, position);
        return;
      }
      // SQLite's backup writes pages in order after the first; anything else would need the sent bytes back.
      if (position !== cursor) throw new Error(`export wrote at ${position}, expected ${cursor}`);
      for (let done = 0; done < part.byteLength;) {
        const n = Math.min(part.byteLength - done, chunkBytes - used);
        chunk.set(part.subarray(done, done + n), used);
        used += n;
        done += n;
        if (used === chunkBytes) {
          ready.push(chunk);
          chunk = new Uint8Array(chunkBytes);
          used = 0;
        }
      }
      cursor += part.byteLength;
    },
    read: () => {
      throw new Error('export read back a page already sent');
    },
  });
  // One chunk's worth of pages per backup step (2048 of 4 KiB): fewer steps are faster (each commits), and at most
  // about two chunks wait here at once.
  const pagesPerStep = Math.max(1, Math.floor(chunkBytes / pageSize));
  let sentTo = pageSize;
  const flush = async () => {
    for (let next = ready.shift(); next; next = ready.shift()) {
      await send(sentTo, next);
      sentTo += next.byteLength;
    }
  };
  try {
    let length: false | number = false;
    while (length === false) {
      length = exporter.step(pagesPerStep);
      await flush();
    }
    if (used > 0) await send(sentTo, chunk.slice(0, used));
    if (length !== cursor && length > pageSize) throw new Error(`export ended at ${cursor}, not ${length}`);
    return length < pageSize ? head.subarray(0, length) : head;
  } catch (err) {
    exporter.abort();
    throw err;
  }
}
