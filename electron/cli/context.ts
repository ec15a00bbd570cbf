// Shared plumbing for CLI commands: open a workspace file (snapshot + journal), run, save atomically; print results.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { handlers } from '../../core/api/handlers.js';
import { closeSession } from '../../core/session.js';
import type { Workspace } from '../../core/workspace.js';
import { FileKeyStore } from '../node/keystore.js';
import { loadSqlJs } from '../node/sqljs.js';
import { previousPath, WorkspaceStorage } from '../storage.js';
import { shownLines } from './shown.js';

export class UsageError extends Error {}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * The terminal: a last guard for anything a printer did not pass through shown() (line feeds kept, other control
 * characters escaped as \uXXXX, which JSON reads back as the same character).
 */
export const stdio: CliIo = {
  out: (t) => process.stdout.write(shownLines(t.endsWith('\n') ? t : `${t}\n`)),
  err: (t) => process.stderr.write(shownLines(t.endsWith('\n') ? t : `${t}\n`)),
};

export interface Command {
  name: string;
  usage: string;
  summary: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Opens `file` (last good snapshot + journal replay; creating it when `create`), runs fn, and saves atomically when `write`. */
export async function withWorkspace<T>(
  file: string,
  opts: { write: boolean; create?: boolean; actor?: string },
  fn: (ws: Workspace) => Promise<T>,
): Promise<T> {
  const storage = new WorkspaceStorage();
  const abs = path.resolve(file);
  // An existence check, not a read: recover() reads the image once, and workspaces can be a gigabyte.
  if (!opts.create && !existsSync(abs) && !existsSync(previousPath(abs)))
    throw new UsageError(`no workspace at ${abs} (create one with 'ringside sample' or 'ringside import')`);
  const opened = await storage.recover(abs, {
    SQL: await loadSqlJs(),
    keyMaterial: (id) => new FileKeyStore().get(id),
    actor: opts.actor ?? 'cli',
    create: opts.create ?? false,
  });
  // Something had to be repaired (a damaged file moved aside, the previous copy used): say so, on stderr.
  if (opened.notice) process.stderr.write(`ringside: ${opened.notice}\n`);
  const { ws } = opened;
  try {
    const out = await fn(ws);
    if (opts.write) await storage.save(abs, ws.db, opened.lastSeq);
    return out;
  } finally {
    closeSession(ws);
  }
}

export { handlers };

/** parseArgs with the CLI's conventions: positionals allowed, unknown options are a usage error. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
): { values: ParsedValues<O>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: r.values as ParsedValues<O>, positionals: r.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export type ParsedValues<O> = {
  [K in keyof O]?: O[K] extends { multiple: true }
    ? O[K] extends { type: 'boolean' }
      ? boolean[]
      : string[]
    : O[K] extends { type: 'boolean' }
      ? boolean
      : string;
};

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value));
}
