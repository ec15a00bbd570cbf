// End to end: picked files are read in the import's reading thread (a nested worker); a cancel mid-file adds nothing.
import { expect, test } from '@playwright/test';
import { computeGroundTruth } from '../../core/sample/index.js';
import { AppPage } from './pages/app.js';
import { DevicesPage } from './pages/dashboard.js';
import { ImportPage, sampleFile } from './pages/import.js';

test('imports picked files through the reading thread, and a cancel in the middle of a file leaves nothing', async ({
  page,
}) => {
  const OPTS = { devices: 1500, seed: 4343 };
  const truth = computeGroundTruth(OPTS);
  // The reading thread is a worker the database worker starts: Playwright lists it with the page's workers.
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');

  const fleet = await sampleFile('falcon-hosts.csv', OPTS);
  await imp.importFiles([fleet]);
  await expect(imp.report('falcon-hosts.csv').getByTestId('import-imported')).toHaveText(
    truth.records.toLocaleString('en-US'),
  );
  await expect(imp.report('falcon-hosts.csv').getByTestId('import-rejected')).toHaveText('0');
  expect(workers.some((u) => /parse-worker/.test(u))).toBe(true);
  await expect(imp.pastImports()).toHaveCount(1);

  // The raw rows the reading thread encoded read back whole, the columns no writer reads too (an Intune export has
  // dozens): a device's source record is its line, cell for cell.
  const intune = await sampleFile('intune-devices.csv', OPTS);
  await imp.importFiles([intune]);
  await expect(imp.report('intune-devices.csv').getByTestId('import-rejected')).toHaveText('0');
  // The sample's lines hold no line breaks in quotes: each is one record, its quoted cells in RFC 4180 quoting.
  const lines = intune.buffer
    .toString('utf8')
    .replace(/^\ufeff/, '')
    .split(/\r?\n/);
  const cellsOf = (line: string) =>
    [...`${line},`.matchAll(/("(?:[^"]|"")*"|[^,]*),/g)].map(([, c]) =>
      c!.startsWith('"') ? c!.slice(1, -1).replace(/""/g, '"') : c!,
    );
  const header = cellsOf(lines[0]!);
  // A line in the file's second chunk of raw rows (512 a chunk) or later.
  const at = 700;
  const cells = cellsOf(lines[at]!);
  expect(cells).toHaveLength(header.length);
  await app.nav('Devices');
  const devices = new DevicesPage(page);
  await devices.search(cells[header.indexOf('Device name')]!);
  await expect(page.getByTestId('device-total')).toContainText('1 device');
  await devices.table().locator('.dt-row:not(.loading)').first().click();
  const source = page.getByTestId('device-drawer').locator('details.source', { hasText: 'intune-devices.csv' });
  await expect(source).toContainText(`line ${at + 1}`);
  await source.locator('summary').click();
  const shown = await source
    .locator('dl.raw > div')
    .evaluateAll((els) => els.map((e) => [e.querySelector('dt')!.textContent, e.querySelector('dd')!.textContent]));
  expect(shown).toEqual(header.map((h, i) => [h, cells[i]]));
  await page.keyboard.press('Escape');
  await app.nav('Import');

  // A rollout file of many 1 MiB batches: cancelled once its progress shows, while batches are in flight.
  const big = await sampleFile('rollout-events.csv', { devices: 30_000, seed: 4343 });
  expect(big.buffer.byteLength).toBeGreaterThan(8 << 20);
  await page.getByTestId('import-files').setInputFiles([big]);
  const bar = page.getByRole('status').filter({ hasText: 'rollout-events.csv' });
  await expect(bar).toContainText(/\d+%/, { timeout: 60_000 });
  await bar.getByRole('button', { name: 'Cancel' }).click();
  await expect(imp.report('rollout-events.csv')).toContainText('cancelled: nothing was imported', { timeout: 60_000 });
  await expect(imp.pastImports()).toHaveCount(2);

  // The next import starts a new reading thread and completes.
  const keys = await sampleFile('bitlocker-keys.csv', OPTS);
  await imp.importFiles([keys]);
  await expect(imp.report('bitlocker-keys.csv').getByTestId('import-rejected')).toHaveText('0');
  await expect(imp.pastImports()).toHaveCount(3);
  expect(pageErrors).toEqual([]);
});
