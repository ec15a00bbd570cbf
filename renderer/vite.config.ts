// Vite build of the renderer (React UI + database worker); the same output is served by `npm run web` and packaged into Electron.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// Overridable so several builds (parallel test runs) do not overwrite each other.
const outDir = process.env.RENDERER_OUT_DIR ?? fileURLToPath(new URL('../dist/renderer', import.meta.url));
const previewPort = Number(process.env.E2E_PORT ?? 5178);

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 2048,
  },
  preview: { host: '127.0.0.1', port: previewPort, strictPort: true },
  server: { host: '127.0.0.1', port: 5177, strictPort: true },
});
