// The pure gate tests alone (test/unit/replay/gates.test.ts): how the committed gates baseline was measured, since
// the full related suite (the replay simulations) takes over an hour at concurrency 1 on a shared two-core machine.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: { include: ['test/unit/replay/gates.test.ts'], environment: 'node', pool: 'forks' },
});
