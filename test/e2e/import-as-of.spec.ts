// End to end: an Autopatch default-column report (no time column) asks for its "as of" time once, and rows carry it.
import { expect, test } from '@playwright/test';
import { autopatchCsv, day1Files, population } from '../fixtures/published/exports.js';
import { AppPage } from './pages/app.js';
import { DevicesPage } from './pages/dashboard.js';
import { ImportPage } from './pages/import.js';

// Tall enough that the device table renders its rows (it is virtual).
test.use({ viewport: { width: 1400, height: 2400 } });

const pop = population();
const csv = (name: string, data: string | Uint8Array) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(data) });

test('the as-of time found in the file name is shown, changed by the user, and carried by the ring facts', async ({
  page,
}) => {
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  // The devices first (Falcon rows carry their own Last Seen: nothing to ask).
  const falcon = day1Files(pop).find((f) => f.name.startsWith('falcon-'))!;
  await imp.importFiles([csv(falcon.name, falcon.data)]);

  const name = 'QualityUpdateStatus_2024-07-19_0912.csv';
  await page.getByTestId('import-files').setInputFiles([csv(name, autopatchCsv(pop))]);
  const step = page.getByTestId('as-of-step');
  await expect(step).toBeVisible();
  const row = step.locator(`[data-testid="as-of-file"][data-file="${name}"]`);
  // Found from the name's 2024-07-19_0912, and nothing written yet.
  await expect(row.getByTestId('as-of-found')).toHaveText('found 2024-07-19 09:12 UTC, from the file name');
  await expect(row.getByTestId('as-of-input')).toHaveValue('2024-07-19T09:12Z');
  await expect(imp.report(name)).toHaveCount(0);
  await page.screenshot({ path: 'test-results/e2e-as-of/as-of-step.png', fullPage: true });

  // A time that is not one is refused before anything is imported.
  await row.getByTestId('as-of-input').fill('2024-07-19 9h');
  await expect(step.getByTestId('as-of-submit')).toBeDisabled();
  await row.getByTestId('as-of-input').fill('2024-07-19T10:30Z');
  await step.getByTestId('as-of-submit').click();
  await expect(step).toHaveCount(0);
  await expect(imp.report(name).getByTestId('import-summary')).toBeVisible({ timeout: 90_000 });
  await expect(imp.report(name).getByTestId('import-rejected')).toHaveText('0');

  // The Overview's freshness line and a ringed device's evidence chain carry the chosen 10:30, not the found 09:12.
  await app.nav('Overview');
  await expect(page.getByTestId('freshness').locator('[data-source="autopatch"]')).toContainText(
    'Autopatch export as of 19 Jul 10:30 UTC',
  );
  await app.nav('Devices');
  const ringed = pop.find((m) => m.ring !== null)!;
  await new DevicesPage(page).search(ringed.host);
  await page.getByTestId('device-table').getByRole('gridcell', { name: ringed.host, exact: true }).click();
  const ringFact = page.getByTestId('evidence-chain').locator('tr[data-class="ring"]');
  await expect(ringFact).toHaveCount(1);
  await expect(ringFact).toContainText('07-19 10:30');
  await expect(ringFact).toContainText('as of export');
  await expect(ringFact).toContainText(`${name}, line`);
  expect(pageErrors).toEqual([]);
});
