// The unit suite as Stryker runs it: tests that run their subject in another process (Wine, a child, Electron) are
// left out, since a mutant switched on in this process never reaches them and they only cost time.
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../vitest.config.js';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      // Instrumented code under per-test coverage runs several times slower; the slowest merge test needs room.
      testTimeout: 300_000,
      exclude: [
        '**/node_modules/**',
        'test/unit/remediation/batch-wine.test.ts',
        'test/unit/ingest/zip-bomb-child.test.ts',
        'test/unit/electron/**',
      ],
    },
  }),
);
