// sql.js in the main process, only for our own bookkeeping: create a new workspace image, read a file's workspace id.
import { readFileSync } from 'node:fs';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { closeSession, openSession } from '../../core/session.js';
import { imageWorkspaceId } from '../../core/store/image.js';
import { workspaceId } from '../../core/workspace.js';

const HEADER = new TextEncoder().encode('SQLite format 3\0');

/** True when the bytes start with the SQLite file header. */
export function isSqliteImage(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 100) return false;
  for (let i = 0; i < HEADER.length; i++) if (bytes[i] !== HEADER[i]) return false;
  return true;
}

/** Loads sql.js from an explicit .wasm file: the bundled main process has no node_modules to search. */
export function sqlJsFromWasm(wasmFile: string): () => Promise<SqlJsStatic> {
  let cached: Promise<SqlJsStatic> | undefined;
  return () => {
    cached ??= initSqlJs({ wasmBinary: new Uint8Array(readFileSync(wasmFile)).buffer as ArrayBuffer });
    return cached;
  };
}

/** The workspace id stored in the image's meta table; throws when the image is not a readable workspace. */
export function readWorkspaceId(SQL: SqlJsStatic, bytes: Uint8Array): string {
  return imageWorkspaceId(SQL, bytes);
}

/** A fresh, migrated workspace image and its id; the key is created (and wrapped) through keyFor. */
export async function newWorkspaceImage(
  SQL: SqlJsStatic,
  keyFor: (id: string) => Promise<Uint8Array>,
): Promise<{ id: string; bytes: Uint8Array }> {
  const { ws } = await openSession({ SQL, bytes: null, keyMaterial: keyFor, actor: 'desktop' });
  try {
    return { id: workspaceId(ws), bytes: ws.db.export() };
  } finally {
    closeSession(ws);
  }
}
