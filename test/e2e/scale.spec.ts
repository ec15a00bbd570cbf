// End to end at scale: a 100,000-device batch imported through the UI in the browser worker, saved, and reopened.
import { writeFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { computeGroundTruth } from '../../core/sample/index.js';
import { AppPage, storedSnapshot } from './pages/app.js';
import { ImportPage, sampleFile } from './pages/import.js';

const OPTS = { devices: 100_000, seed: 1907 };
const FILES = ['falcon-hosts.csv', 'intune-devices.csv', 'bitlocker-keys.csv', 'rollout-events.csv'] as const;

test('100,000 devices: one batch through the UI, numbers equal the truth, and they survive a reload', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  const truth = computeGroundTruth(OPTS);
  // Written to disk: Playwright takes files over 50 MB by path only.
  const paths: string[] = [];
  for (const name of FILES) {
    const f = await sampleFile(name, OPTS);
    const p = testInfo.outputPath(name);
    await writeFile(p, f.buffer);
    paths.push(p);
  }
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  await page.getByTestId('import-files').setInputFiles(paths);
  // One batch: the progress names the file being read, then the analysis runs once for all four.
  await expect(page.getByText(/^rollout-events\.csv: import/)).toBeVisible({ timeout: 180_000 });
  for (const name of FILES)
    await expect(imp.report(name).getByTestId('import-summary')).toBeVisible({ timeout: 180_000 });
  for (const name of FILES) await expect(imp.report(name).getByTestId('import-rejected')).toHaveText('0');

  await app.nav('Overview');
  const fmt = (n: number) => n.toLocaleString('en-US');
  const remaining = truth.byRing.reduce((s, r) => s + r.remaining, 0);
  await expect(page.getByTestId('count-devices')).toHaveText(fmt(truth.devices), { timeout: 60_000 });
  await expect(page.getByTestId('count-remaining')).toHaveText(fmt(remaining));
  // The big numbers fit their cards even at six digits.
  const card = await page.getByTestId('count-devices').evaluate((el) => [el.scrollWidth, el.clientWidth]);
  expect(card[0]).toBeLessThanOrEqual(card[1]!);
  await page.screenshot({ path: testInfo.outputPath('overview-100k.png') });

  // The snapshot (about 190 MB) is kept by the browser host as a Blob; wait until it is there, then reopen.
  await expect.poll(() => storedSnapshot(page), { timeout: 120_000 }).toBeGreaterThan(100e6);
  await page.reload();
  await expect(page.locator('html[data-app-state="start"]')).toBeAttached();
  await page.getByRole('region', { name: 'Recent workspaces' }).getByRole('button').first().click();
  await expect(page.locator('html[data-app-state="workspace"]')).toBeAttached({ timeout: 120_000 });
  await app.nav('Overview');
  await expect(page.getByTestId('count-devices')).toHaveText(fmt(truth.devices), { timeout: 60_000 });
  expect(pageErrors).toEqual([]);
});
