// Per-workspace key material for Node hosts: a 0600 file, optionally wrapped by the OS keychain (Electron safeStorage).
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SecretBox } from '../../core/secrets/box.js';

export interface KeyWrapper {
  wrap(raw: Uint8Array): Promise<Uint8Array>;
  unwrap(wrapped: Uint8Array): Promise<Uint8Array>;
}

export function ringsideHome(): string {
  return process.env.RINGSIDE_HOME ?? path.join(os.homedir(), '.config', 'ringside');
}

export class FileKeyStore {
  constructor(
    private readonly dir = path.join(ringsideHome(), 'keys'),
    private readonly wrapper?: KeyWrapper,
  ) {}

  private file(workspaceId: string): string {
    if (!/^[0-9a-f-]{36}$/.test(workspaceId)) throw new Error(`not a workspace id: ${JSON.stringify(workspaceId)}`);
    return path.join(this.dir, `${workspaceId}.key`);
  }

  /** True when this store already holds a key for the workspace (wrapped or not). */
  async has(workspaceId: string): Promise<boolean> {
    try {
      await fsp.access(this.file(workspaceId));
      return true;
    } catch {
      return false;
    }
  }

  /** Stores a known key (e.g. one adopted from the CLI's store); never overwrites an existing one. */
  async put(workspaceId: string, raw: Uint8Array): Promise<void> {
    const file = this.file(workspaceId);
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fsp.writeFile(file, this.wrapper ? await this.wrapper.wrap(raw) : raw, { mode: 0o600, flag: 'wx' });
  }

  /** Deletes the key file (after another store has taken the key over); a missing file is not an error. */
  async remove(workspaceId: string): Promise<void> {
    await fsp.rm(this.file(workspaceId), { force: true });
  }

  /** Returns the workspace key, creating one the first time a workspace is seen on this machine. */
  async get(workspaceId: string): Promise<Uint8Array> {
    const file = this.file(workspaceId);
    try {
      const stored = new Uint8Array(await fsp.readFile(file));
      return this.wrapper ? await this.wrapper.unwrap(stored) : stored;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const raw = SecretBox.randomKeyMaterial();
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fsp.writeFile(file, this.wrapper ? await this.wrapper.wrap(raw) : raw, { mode: 0o600, flag: 'wx' });
    return raw;
  }
}
