// Bundles the Node side with esbuild: the Electron main process, the preload and the headless CLI.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  logLevel: 'warning',
  absWorkingDir: root,
};

await Promise.all([
  build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/electron/main.cjs', external: ['electron'] }),
  // The sandboxed preload may only require('electron'); everything else is bundled in.
  build({
    ...common,
    entryPoints: ['electron/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: ['electron/cli.ts'],
    outfile: 'dist/cli/ringside.cjs',
    // sql.js finds its .wasm next to its own module at run time.
    external: ['sql.js'],
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  }),
]);
