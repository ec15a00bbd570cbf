// Runs once before the smoke suite: says in one line why it skips, or builds the app when the build is missing.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { electronBinary, SKIP_REASON } from './electron-binary.js';

export default function globalSetup(): void {
  if (!electronBinary()) {
    console.log(SKIP_REASON);
    return;
  }
  const root = fileURLToPath(new URL('../..', import.meta.url));
  if (!existsSync(`${root}dist/electron/main.cjs`) || !existsSync(`${root}dist/renderer/index.html`))
    execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
