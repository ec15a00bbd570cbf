// Checks on a raw workspace image before it is opened: does it pass integrity_check, and whose workspace is it.
import type { SqlJsStatic } from 'sql.js';
import { backedDatabase, type HostFile } from './db.js';

/**
 * Null when the bytes (or the host file's: checked where they are, no copy in memory; closed when done) are a SQLite
 * image that opens and passes integrity_check; otherwise why not.
 */
export function checkImage(SQL: SqlJsStatic, image: Uint8Array | HostFile): string | null {
  if (!(image instanceof Uint8Array)) {
    let size: number;
    try {
      size = image.size();
    } catch (err) {
      image.close();
      return (err as Error).message;
    }
    if (size === 0) {
      image.close();
      return 'the file is empty';
    }
  } else if (image.byteLength === 0) return 'the file is empty';
  let db;
  try {
    db = image instanceof Uint8Array ? new SQL.Database(image) : backedDatabase(SQL, null, image);
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
  const db = new SQL.Database(bytes);
  try {
    const res = db.exec("SELECT value FROM meta WHERE key = 'workspace_id'");
    const id = res[0]?.values[0]?.[0];
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('no workspace id in its meta table');
    return id;
  } finally {
    db.close();
  }
}
