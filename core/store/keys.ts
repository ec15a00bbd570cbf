// BitLocker key rows: sealed keys inserted by an import, looked up by ID or prefix, linked to devices found later.
import type { Db } from './db.js';
import { DirectStatement } from './fast-insert.js';
import { RowInserts } from './row-inserts.js';

export type KeyValue = string | number | null;

/** The index that keeps a key (ID and password fingerprint) on file once (migration 39). */
export const KEY_UNIQUE_INDEX = 'ux_keys_key_fp';

const KEY_INSERT =
  'INSERT OR IGNORE INTO keys(device_id, key_id, host_hint, secret, fingerprint, valid, problem, volume_type, created_at, import_id, line, seal, chunk_id, slot)';

/**
 * The keys insert of one file; a key ID already on file with the same password is left as it is (a duplicate). Rows
 * are chunk-sealed (seal 3). While a bulk load has dropped KEY_UNIQUE_INDEX, the pairs on file are read once and the
 * rule is kept here, so the index builds again without a conflict; a row is then known new without sqlite's answer,
 * and rows go in many to a statement (call flush() before anything reads the keys).
 */
export class KeyInserts {
  private readonly st: DirectStatement | null = null;
  private readonly rows: RowInserts | null = null;
  /**
   * The fingerprint (or, for a key ID with several passwords, the fingerprints) of every key ID on file while the
   * unique index is dropped; null while it stands.
   */
  private readonly seen: Map<string, string | string[]> | null;
  constructor(db: Db, importId: number) {
    const indexed = db.value<number>("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", [
      KEY_UNIQUE_INDEX,
    ]);
    this.seen = indexed ? null : new Map();
    if (this.seen)
      for (const r of db.all<{ key_id: string; fingerprint: string }>('SELECT key_id, fingerprint FROM keys'))
        this.isNew(r.key_id, r.fingerprint);
    const tuple = `(?,?,?,x'',?,?,?,?,?,${Number(importId)},?,3,?,?)`;
    if (this.seen) this.rows = new RowInserts(db, KEY_INSERT, tuple, 11);
    else this.st = new DirectStatement(db, `${KEY_INSERT} VALUES ${tuple}`, 11);
  }
  /** [device_id, key_id, host_hint, fingerprint, valid, problem, volume_type, created_at, line, chunk_id, slot]; false for a duplicate. */
  add(params: KeyValue[]): boolean {
    if (this.rows) {
      if (!this.isNew(params[1] as string, params[3] as string)) return false;
      // Every value is given and no index can refuse the row: it goes in.
      this.rows.add(params);
      return true;
    }
    this.st!.run(params);
    return this.st!.changes() !== 0;
  }
  /** Whether the pair is not yet in `seen`, adding it. */
  private isNew(keyId: string, fingerprint: string): boolean {
    const seen = this.seen!;
    const have = seen.get(keyId);
    if (have === undefined) seen.set(keyId, fingerprint);
    else if (typeof have === 'string') {
      if (have === fingerprint) return false;
      seen.set(keyId, [have, fingerprint]);
    } else {
      if (have.includes(fingerprint)) return false;
      have.push(fingerprint);
    }
    return true;
  }
  /** Inserts the rows still waiting (bulk load). */
  flush(): void {
    this.rows?.flush();
  }
  free(): void {
    this.st?.free();
    this.rows?.free();
  }
}

/**
 * A file's key chunks' rows, each statement prepared once (db.run would prepare its text again on every call, three
 * statements per chunk of 256 keys). A chunk is made empty and its key rows inserted first, so only the keys that were
 * not duplicates are sealed into it.
 */
export class KeyChunkWrites {
  private readonly add: DirectStatement;
  private readonly fill: DirectStatement;
  private readonly drop: DirectStatement;
  constructor(db: Db) {
    this.add = new DirectStatement(
      db,
      "INSERT INTO key_chunks(nonce, sealed, bound) VALUES (x'', x'', '[]') RETURNING id",
      0,
    );
    this.fill = new DirectStatement(db, 'UPDATE key_chunks SET nonce = ?, sealed = ?, bound = ? WHERE id = ?', 4);
    this.drop = new DirectStatement(
      db,
      'DELETE FROM key_chunks WHERE id = ? AND NOT EXISTS (SELECT 1 FROM keys WHERE chunk_id = ?)',
      2,
    );
  }
  /** A new, still empty chunk's id. */
  create(): number {
    return this.add.row([])![0] as number;
  }
  /** The chunk's sealed passwords. */
  seal(id: number, nonce: Uint8Array, sealed: Uint8Array, bound: string): void {
    this.fill.run([nonce, sealed, bound, id]);
  }
  /** Drops the chunk if no row points at it (every key in it was a duplicate). */
  dropIfEmpty(id: number): void {
    this.drop.run([id, id]);
  }
  free(): void {
    this.add.free();
    this.fill.free();
    this.drop.free();
  }
}

export interface KeyChunkRow {
  nonce: Uint8Array;
  sealed: Uint8Array;
  bound: string;
}

export function keyChunk(db: Db, id: number): KeyChunkRow | undefined {
  return db.get<KeyChunkRow>('SELECT nonce, sealed, bound FROM key_chunks WHERE id = ?', [id]);
}

/** The key rows of a chunk in slot order (ix_keys_chunk): a seal-3 chunk's bound list is built from them. */
export function keyChunkRows(db: Db, id: number): { key_id: string; host_hint: string | null; slot: number | null }[] {
  return db.all('SELECT key_id, host_hint, slot FROM keys WHERE chunk_id = ? ORDER BY slot, id', [id]);
}

/** Where a key's recovery password is sealed: its own blob (seal 1) or a chunk slot (seal 2 or 3, migrations 23, 27). */
export interface SealedKeyRef {
  key_id: string;
  host_hint: string | null;
  seal: number;
  secret: Uint8Array;
  chunk_id: number | null;
  slot: number | null;
}

/** The columns of a SealedKeyRef, for the queries that select keys to reveal. */
export const SEALED_KEY_COLUMNS = 'key_id, host_hint, seal, secret, chunk_id, slot';

export interface KeyRow {
  id: number;
  key_id: string;
  device_id: number | null;
  hostname: string | null;
  host_hint: string | null;
  valid: number;
  problem: string | null;
  volume_type: string | null;
}

/** Keys by exact ID, or by ID prefix (the range [prefix, prefix + U+FFFF)); never the secret. */
export function findKeyRows(db: Db, full: string | null, prefix: string): KeyRow[] {
  const where = full ? 'k.key_id = ?' : 'k.key_id >= ? AND k.key_id < ?';
  const params = full ? [full] : [prefix, prefix + '\uffff'];
  return db.all<KeyRow>(
    `SELECT k.id, k.key_id, k.device_id, d.hostname, k.host_hint, k.valid, k.problem, k.volume_type
         FROM keys k LEFT JOIN devices d ON d.id = k.device_id
        WHERE ${where} ORDER BY k.key_id, k.id LIMIT 50`,
    params,
  );
}

/** Keys imported before their device was known, with the hint they name it by. */
export function orphanKeys(db: Db): { id: number; host_hint: string }[] {
  return db.all<{ id: number; host_hint: string }>(
    'SELECT id, host_hint FROM keys WHERE device_id IS NULL AND host_hint IS NOT NULL',
  );
}

/** Links keys to devices: [device id, key row id] pairs. */
export function linkKeys(db: Db, links: [number, number][]): void {
  if (!links.length) return;
  const st = db.prepare('UPDATE keys SET device_id = ? WHERE id = ?');
  try {
    for (const l of links) st.run(l);
  } finally {
    st.free();
  }
}
