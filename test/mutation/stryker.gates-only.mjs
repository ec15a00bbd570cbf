// Stryker on core/replay/gates.ts with only its pure tests; writes the committed incremental file for `gates`.
// RINGSIDE_MUTATION_MODULE=gates npx stryker run test/mutation/stryker.gates-only.mjs
import base from './stryker.config.mjs';

export default {
  ...base,
  vitest: { configFile: 'test/mutation/vitest.gates-only.config.ts', related: false },
  mutate: ['core/replay/gates.ts'],
  incrementalFile: 'test/mutation/incremental/gates.json',
  jsonReporter: { fileName: 'reports/mutation/gates.json' },
};
