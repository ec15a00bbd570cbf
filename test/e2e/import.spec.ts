// End to end: an empty workspace, Falcon + Intune + keys + rollout files imported through the UI, a generic CSV mapped by hand.
import { expect, test } from '@playwright/test';
import { computeGroundTruth } from '../../core/sample/index.js';
import { AppPage } from './pages/app.js';
import { ImportPage, sampleFile } from './pages/import.js';

const OPTS = { devices: 300, seed: 4242 };

test('imports a multi-source set through the UI, maps a generic CSV, and shows the joined devices', async ({
  page,
}) => {
  const truth = computeGroundTruth(OPTS);
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  await expect(page.getByTestId('past-imports')).toContainText('Nothing imported yet');

  const files = await Promise.all(
    (['falcon-hosts.csv', 'intune-devices.csv', 'bitlocker-keys.csv', 'rollout-events.csv'] as const).map((n) =>
      sampleFile(n, OPTS),
    ),
  );
  await imp.importFiles(files);
  expect(await imp.format('falcon-hosts.csv')).toBe('falcon');
  expect(await imp.format('intune-devices.csv')).toBe('intune');
  expect(await imp.format('bitlocker-keys.csv')).toBe('bitlocker');
  expect(await imp.format('rollout-events.csv')).toBe('rollout');
  await expect(imp.report('falcon-hosts.csv').getByTestId('import-imported')).toHaveText(
    truth.records.toLocaleString('en-US'),
  );
  for (const f of files) await expect(imp.report(f.name).getByTestId('import-rejected')).toHaveText('0');
  // Invalid keys are kept and listed with their line and reason.
  await expect(imp.report('bitlocker-keys.csv').getByTestId('import-errors')).toContainText('divisible by 11');

  // A CSV no signature knows: one clear message, then mapped by hand.
  const generic = [
    'Asset Tag,Machine,Owner,Office',
    'A-1,GENERIC-01,zoe@example.com,LON',
    'A-2,GENERIC-02,yan@example.com,NYC',
    'A-3,,nobody@example.com,PAR',
  ].join('\n');
  await imp.importFiles([{ name: 'assets.csv', mimeType: 'text/csv', buffer: Buffer.from(generic) }]);
  expect(await imp.format('assets.csv')).toBe('unknown');
  await expect(imp.report('assets.csv')).toContainText('not a recognised export');
  await imp.mapColumns('assets.csv', 'fleet', { hostname: 'Machine', user: 'Owner', site: 'Office' });
  await expect(imp.report('assets.csv').getByTestId('import-imported')).toHaveText('2');
  await expect(imp.report('assets.csv').getByTestId('import-errors')).toContainText('hostname cell is empty');

  // Past imports list every file; the same file again adds nothing.
  await expect(imp.pastImports()).toHaveCount(5);
  await imp.importFiles([files[0]!]);
  await expect(imp.report('falcon-hosts.csv')).toContainText('already imported');
  await expect(imp.pastImports()).toHaveCount(5);

  await page.screenshot({ path: 'test-results/e2e-ingest/import-view.png', fullPage: true });

  // The joined devices: one per real machine (stale duplicates linked, not counted) plus the two mapped by hand.
  await app.nav('Devices');
  await expect(page.getByTestId('device-total')).toContainText(
    `${(truth.devices + 2).toLocaleString('en-US')} devices`,
  );
  await page.getByTestId('filter-text').fill('GENERIC-01');
  await expect(page.getByRole('row').filter({ hasText: 'GENERIC-01' })).toHaveCount(1);
  await page.screenshot({ path: 'test-results/e2e-ingest/devices.png', fullPage: true });
  // Machines joined across sources list them all.
  await page.getByTestId('filter-text').fill('');
  await expect(
    page
      .getByRole('row')
      .filter({ hasText: /falcon.*intune|intune.*falcon/ })
      .first(),
  ).toBeVisible();
  expect(pageErrors).toEqual([]);
});
