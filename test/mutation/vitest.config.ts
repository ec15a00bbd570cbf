// The unit tests Stryker runs for one module: exactly the files listed for it in modules.mjs (RINGSIDE_MUTATION_MODULE).
import { defineConfig } from 'vitest/config';
import base from '../vitest.config.js';
import { currentModule } from './modules.mjs';

// Not mergeConfig: it concatenates arrays, which would keep the whole suite's include glob.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: currentModule().tests,
    // Instrumented code under per-test coverage runs several times slower than the plain suite.
    testTimeout: 300_000,
  },
});
