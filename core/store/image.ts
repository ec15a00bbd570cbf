// Checks on a raw workspace image before it is opened: does it pass integrity_check, and whose workspace is it.
import type { SqlJsStatic } from 'sql.js';
import { backedDatabase, type HostFile } from './db.js';

/**
 * Null when the bytes (or the host file's; either is checked where it is, with no copy in memory; a host file is
 * closed when done) are a SQLite image that opens and passes integrity_check; otherwise why not.
 */
export function checkImage(SQL: SqlJsStatic, image: Uint8Array | HostFile): string | null {
  const file = image instanceof Uint8Array ? imageFile(image) : image;
  let size: number;
  try {
    size = file.size();
  } catch (err) {
    file.close();
    return (err as Error).message;
  }
  if (size === 0) {
    file.close();
    return 'the file is empty';
  }
  let db;
  try {
    db = backedDatabase(SQL, null, file);
    const rows = db.exec('PRAGMA integrity_check');
    const first = rows[0]?.values[0]?.[0];
    if (first !== 'ok') return `integrity_check: ${String(first)}`;
    db.exec('SELECT count(*) FROM meta');
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    db?.close();
  }
}

/** The workspace id stored in the image's meta table; throws when the image is not a readable workspace. */
export function imageWorkspaceId(SQL: SqlJsStatic, bytes: Uint8Array): string {
  const db = backedDatabase(SQL, null, imageFile(bytes));
  try {
    const res = db.exec("SELECT value FROM meta WHERE key = 'workspace_id'");
    const id = res[0]?.values[0]?.[0];
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('no workspace id in its meta table');
    return id;
  } finally {
    db.close();
  }
}

/**
 * An image's bytes as a read-only host file: SQLite reads its pages where they are. `new SQL.Database(bytes)` would
 * copy the whole image into sql.js's memory first, a second image (gigabytes at a million devices) just to check it
 * or read one value.
 */
export function imageFile(bytes: Uint8Array): HostFile {
  const readOnly = () => {
    throw new Error('the image is open read-only');
  };
  return {
    read(into, position) {
      const part = bytes.subarray(position, position + into.byteLength);
      into.set(part);
      return part.byteLength;
    },
    write: readOnly,
    truncate: readOnly,
    size: () => bytes.byteLength,
    close() {},
  };
}
