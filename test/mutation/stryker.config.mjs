// Stryker mutation testing of one module that decides things (states, identity, scripts, packs, audit, CSV, gates).
// Run through `npm run test:mutation [slug...]` (test/mutation/run.mjs), which runs one module at a time.
import { currentModule, incrementalFile, reportFile } from './modules.mjs';

const mod = currentModule();
const slug = mod.slug;
// MUTATE=a.ts,b.ts measures part of a module; its results go beside the report, never into the committed file.
const part = process.env.MUTATE ? process.env.MUTATE.split(',') : null;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Only the module's own test list (modules.mjs) runs; related-file search would pull in slow suites.
  vitest: { configFile: 'test/mutation/vitest.config.ts', related: false },
  dryRunTimeoutMinutes: 30,
  // The checker drops mutants that do not compile before any test runs; RINGSIDE_MUTATION_CHECKER=off measures without it.
  checkers: process.env.RINGSIDE_MUTATION_CHECKER === 'off' ? [] : ['typescript'],
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
