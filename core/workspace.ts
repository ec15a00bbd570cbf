// The open incident workspace: the database, the secret box and the clock every domain function receives.
import type { SqlJsStatic } from 'sql.js';
import { Db, type HostFile } from './store/db.js';
import { appendAudit, enableKeyedAudit } from './store/audit.js';
import { deriveAuditKey } from './store/audit-key.js';
import * as metaTable from './store/meta.js';
import { rebuildDirtyChunks } from './store/device-text.js';
import { SecretBox } from './secrets/box.js';

export interface Workspace {
  readonly db: Db;
  readonly box: SecretBox;
  /** Milliseconds since the epoch; injectable so tests and the sample incident are deterministic. */
  readonly now: () => number;
  /** Who is acting, for the audit log (user name, technician id, or 'cli'). */
  readonly actor: string;
}

export interface OpenOptions {
  SQL: SqlJsStatic;
  bytes?: Uint8Array | null;
  /** A host file to keep the database file in (with its image, or empty for a new workspace), not in memory. */
  backing?: HostFile | null;
  /** The workspace key, or a lookup by workspace id (a host keystore) for workspaces whose id is inside the file. */
  keyMaterial: Uint8Array | ((workspaceId: string) => Promise<Uint8Array>);
  actor?: string;
  now?: () => number;
}

export async function openWorkspace(opts: OpenOptions): Promise<Workspace> {
  const db = Db.open(opts.SQL, opts.bytes, opts.backing);
  try {
    return await initWorkspace(db, opts);
  } catch (err) {
    // Closing also closes (and so removes) a working file behind it.
    db.close();
    throw err;
  }
}

async function initWorkspace(db: Db, opts: OpenOptions): Promise<Workspace> {
  // A workspace from before the search index (or with devices written outside an import) gets its index built here.
  rebuildDirtyChunks(db);
  const now = opts.now ?? (() => Date.now());
  let id = metaTable.get(db, 'workspace_id');
  if (id === undefined) {
    id = crypto.randomUUID();
    metaTable.add(db, 'workspace_id', id);
    metaTable.add(db, 'created_at', new Date(now()).toISOString());
  }
  const material = typeof opts.keyMaterial === 'function' ? await opts.keyMaterial(id) : opts.keyMaterial;
  const box = await SecretBox.fromKeyMaterial(material);
  const actor = opts.actor ?? 'user';
  // The audit chain is keyed from here on; an older plain chain gets its one key-change entry (issue 17).
  enableKeyedAudit(db, await deriveAuditKey(material), now(), actor);
  return { db, box, now, actor };
}

export function workspaceId(ws: Workspace): string {
  return meta(ws, 'workspace_id') ?? '';
}

export function meta(ws: Workspace, key: string): string | undefined {
  return metaTable.get(ws.db, key);
}

export function setMeta(ws: Workspace, key: string, value: string): void {
  metaTable.set(ws.db, key, value);
}

export function audit(ws: Workspace, action: string, detail: Record<string, unknown>) {
  return appendAudit(ws.db, { at: ws.now(), actor: ws.actor, action, detail });
}
