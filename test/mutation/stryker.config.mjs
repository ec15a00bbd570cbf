// Stryker mutation testing of one module that decides things (states, identity, scripts, packs, audit, CSV, gates).
// Run through `npm run test:mutation [slug...]` (test/mutation/run.mjs), which runs one module at a time.
import { MODULES, incrementalFile, reportFile } from './modules.mjs';

const slug = process.env.RINGSIDE_MUTATION_MODULE ?? 'gates';
const mod = MODULES.find((m) => m.slug === slug);
if (!mod) throw new Error(`unknown mutation module "${slug}" (one of ${MODULES.map((m) => m.slug).join(', ')})`);
// MUTATE=a.ts,b.ts measures part of a module; its results go beside the report, never into the committed file.
const part = process.env.MUTATE ? process.env.MUTATE.split(',') : null;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Only the test files that import the mutated module run (vitest's related files), from a config without the
  // tests whose subject runs in another process.
  vitest: { configFile: 'test/mutation/vitest.config.ts', related: true },
  dryRunTimeoutMinutes: 30,
  checkers: ['typescript'],
  tsconfigFile: 'test/mutation/tsconfig.checker.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: part ?? mod.files,
  coverageAnalysis: 'perTest',
  // The machine and CI share two cores; one test process keeps a run predictable (and its timings comparable).
  concurrency: 1,
  // Added to each mutant's expected time (1.5 x its tests' time in the dry run): an endless-loop mutant costs this much.
  timeoutMS: 10_000,
  // Only mutants in changed code (or covered by changed tests) are re-run; the file is committed so a run starts warm.
  incremental: true,
  incrementalFile: part ? `reports/mutation/${slug}-part-incremental.json` : incrementalFile(slug),
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: part ? `reports/mutation/${slug}-part.json` : reportFile(slug) },
  clearTextReporter: { allowEmojis: false, reportScoreTable: true, reportMutants: false },
  ignorePatterns: [
    'dist',
    'release',
    'docs/screenshots',
    'test-results',
    'playwright-report',
    'bench-results',
    'reports',
  ],
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
