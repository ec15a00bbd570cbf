// Bundles the Node side with esbuild (main process, preloads, headless CLI) and copies what main loads at run time.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  logLevel: 'warning',
  absWorkingDir: root,
};
// The CLI (and sql.js) read import.meta.url; in a CommonJS bundle it is derived from __filename.
const importMetaShim = {
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

await mkdir(`${root}dist/electron/prompt`, { recursive: true });
// electron-builder's app directory is dist/: its package.json names the app and has no dependencies, so the
// package holds only these built files.
const pkg = JSON.parse(await readFile(`${root}package.json`, 'utf8'));
const appPkg = {
  name: pkg.name,
  productName: 'Ringside',
  version: pkg.version,
  description: pkg.description,
  license: pkg.license,
  author: { name: 'Ringside contributors', email: 'ringside@example.com' },
  main: 'electron/main.cjs',
  private: true,
};
await writeFile(`${root}dist/package.json`, `${JSON.stringify(appPkg, null, 2)}\n`);
await Promise.all([
  build({
    ...common,
    ...importMetaShim,
    entryPoints: ['electron/main.ts'],
    outfile: 'dist/electron/main.cjs',
    external: ['electron'],
  }),
  // Sandboxed preloads may only require('electron'); everything else is bundled in.
  build({
    ...common,
    entryPoints: ['electron/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: ['electron/host/prompt/prompt-preload.ts'],
    outfile: 'dist/electron/prompt-preload.cjs',
    external: ['electron'],
  }),
  build({
    ...common,
    ...importMetaShim,
    entryPoints: ['electron/cli.ts'],
    outfile: 'dist/cli/ringside.cjs',
    // sql.js finds its .wasm next to its own module at run time.
    external: ['sql.js'],
  }),
  // The CLI's reading thread (electron/node/read-thread.ts starts it from next to the CLI bundle).
  build({
    ...common,
    ...importMetaShim,
    entryPoints: ['electron/node/parse-thread.ts'],
    outfile: 'dist/cli/parse-thread.cjs',
  }),
  // Main loads sql.js from this file: the packaged app has no node_modules.
  copyFile(require.resolve('sql.js/dist/sql-wasm.wasm'), `${root}dist/electron/sql-wasm.wasm`),
  ...['passphrase.html', 'passphrase.js', 'passphrase.css'].map((f) =>
    copyFile(`${root}electron/host/prompt/${f}`, `${root}dist/electron/prompt/${f}`),
  ),
  copyFile(`${root}build/icons/512x512.png`, `${root}dist/electron/icon.png`).catch(() => undefined),
]);
