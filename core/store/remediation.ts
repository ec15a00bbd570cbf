// Named queries for remediation: loaded playbook files, the generation history, and the keys a script may include.
import type { Db } from './db.js';
import { SEALED_KEY_COLUMNS, type SealedKeyRef } from './keys.js';

/** Every loaded playbook file's JSON, in id and version order. */
export function playbookFiles(db: Db): string[] {
  return db.all<{ json: string }>('SELECT json FROM remediation_playbooks ORDER BY id, version').map((r) => r.json);
}

export function addPlaybook(
  db: Db,
  p: { id: string; version: number; name: string; json: string; sha256: string; at: number; by: string },
): void {
  db.run(
    'INSERT INTO remediation_playbooks(id, version, name, json, sha256, loaded_at, loaded_by) VALUES (?,?,?,?,?,?,?)',
    [p.id, p.version, p.name, p.json, p.sha256, p.at, p.by],
  );
}

export interface GenerationRow {
  id: number;
  at: number;
  actor: string;
  playbook_id: string;
  playbook_version: number;
  route: string;
  target: string;
  with_keys: number;
  devices: number;
  refused: number;
}

/**
 * Records one generation (the manifest follows once the id is known, see setManifest); returns its id. The files
 * are stored redacted by the caller: the history never holds a key.
 */
export function addGeneration(db: Db, g: Omit<GenerationRow, 'id'> & { manifest: string; files: string }): number {
  db.run(
    `INSERT INTO remediation_generations(at, actor, playbook_id, playbook_version, route, target, with_keys, devices, refused, manifest, files)
     VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
    [
      g.at,
      g.actor,
      g.playbook_id,
      g.playbook_version,
      g.route,
      g.target,
      g.with_keys,
      g.devices,
      g.refused,
      g.manifest,
      g.files,
    ],
  );
  return db.value<number>('SELECT last_insert_rowid()') ?? 0;
}

export function setManifest(db: Db, id: number, manifest: string): void {
  db.run('UPDATE remediation_generations SET manifest = ? WHERE id = ?', [manifest, id]);
}

/** The newest generations first. */
export function generations(db: Db, limit: number): GenerationRow[] {
  return db.all<GenerationRow>(
    `SELECT id, at, actor, playbook_id, playbook_version, route, target, with_keys, devices, refused
       FROM remediation_generations ORDER BY id DESC LIMIT ?`,
    [limit],
  );
}

export function generation(db: Db, id: number): (GenerationRow & { manifest: string; files: string }) | undefined {
  return db.get<GenerationRow & { manifest: string; files: string }>(
    'SELECT * FROM remediation_generations WHERE id = ?',
    [id],
  );
}

/** The generation before `id` of the same playbook and route. */
export function previousGeneration(db: Db, playbookId: string, route: string, id: number): number | undefined {
  return db.value<number>(
    'SELECT id FROM remediation_generations WHERE playbook_id = ? AND route = ? AND id < ? ORDER BY id DESC LIMIT 1',
    [playbookId, route, id],
  );
}

/** A device's BitLocker keys (sealed secrets), oldest first: what a script for it may include. */
export function deviceKeys(db: Db, deviceId: number) {
  return db.all<SealedKeyRef & { valid: number; problem: string | null }>(
    `SELECT ${SEALED_KEY_COLUMNS}, valid, problem FROM keys WHERE device_id = ? ORDER BY created_at, id`,
    [deviceId],
  );
}
