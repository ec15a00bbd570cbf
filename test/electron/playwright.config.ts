// Playwright config for the Electron smoke suite (_electron.launch); it skips with one printed line without the binary.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  globalSetup: './global-setup.ts',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // 'dot' keeps a skipped run to the one line global-setup prints.
  reporter: [[process.env.CI ? 'dot' : 'list']],
  outputDir: '../../test-results/electron',
});
