// Finds the Electron binary without require('electron'), which would try to download it when it is missing.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const SKIP_REASON =
  'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD or no network): skipping the Electron smoke suite';

/** The executable, or null when this machine has none (then the suite skips and says so). */
export function electronBinary(): string | null {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(pkgDir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const exe = override ? path.join(override, rel ?? 'electron') : rel ? path.join(pkgDir, 'dist', rel) : null;
  return exe && existsSync(exe) ? exe : null;
}
