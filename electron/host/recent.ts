// Recently opened workspaces, kept as a small JSON file in userData (newest first, at most MAX_RECENT).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { WorkspaceRef } from '../../core/contract/host.js';

export const MAX_RECENT = 10;

const refSchema = z.object({
  id: z.string().max(100),
  name: z.string().max(300),
  location: z.string().max(4096),
  openedAt: z.number(),
});

export class RecentList {
  constructor(
    private readonly file: string,
    private readonly write: (file: string, bytes: Uint8Array) => Promise<void>,
  ) {}

  /** The list; a missing or damaged file is an empty list (it is only a convenience). */
  async list(): Promise<WorkspaceRef[]> {
    try {
      const parsed = z.array(refSchema).safeParse(JSON.parse(await fsp.readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data.slice(0, MAX_RECENT) : [];
    } catch {
      return [];
    }
  }

  /** Moves (or adds) the workspace to the top; one entry per file location. */
  async touch(ref: WorkspaceRef): Promise<WorkspaceRef[]> {
    const key = (p: string) => path.resolve(p);
    const rest = (await this.list()).filter((r) => key(r.location) !== key(ref.location));
    const next = [ref, ...rest].slice(0, MAX_RECENT);
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    await this.write(this.file, new TextEncoder().encode(JSON.stringify(next, null, 2)));
    return next;
  }

  async remove(location: string): Promise<void> {
    const all = await this.list();
    const next = all.filter((r) => path.resolve(r.location) !== path.resolve(location));
    if (next.length !== all.length)
      await this.write(this.file, new TextEncoder().encode(JSON.stringify(next, null, 2)));
  }
}
