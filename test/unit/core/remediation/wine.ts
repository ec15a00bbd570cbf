// The wine cmd stand-in shared by the batch tests: which wine, one throwaway prefix, its environment, and its creation.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const wine = ['/usr/bin/wine', '/usr/bin/wine64'].find((w) => existsSync(w));
/** Reused between runs and files because creating a prefix takes a while (and ~0.7 GB). */
export const prefix = path.join(tmpdir(), 'ringside-wine-remediation');
export const driveC = path.join(prefix, 'drive_c');

export function wineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', ...extra };
}

/** Creates the prefix on first use (a minute or more). */
export function ensurePrefix(): void {
  if (!existsSync(driveC)) spawnSync(wine!, ['cmd', '/c', 'echo ready'], { env: wineEnv(), timeout: 280_000 });
}
