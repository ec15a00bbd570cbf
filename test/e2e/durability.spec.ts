// End to end: every action the UI confirms is on disk when it is confirmed; the host is SIGKILLed right after each one.
import { expect, test } from '@playwright/test';
import { AppPage } from './pages/app.js';
import { KillableHost } from './pages/host-kill.js';
import { ImportPage } from './pages/import.js';

test('saved view, column mapping and replay policy each survive a kill right after they are confirmed', async ({
  baseURL,
}) => {
  test.setTimeout(300_000);
  const host = new KillableHost(baseURL!);
  try {
    let page = await host.start();
    await new ImportPage(page).openEmptyWorkspace();

    // 1. A column mapping: the import is confirmed (its report shows) only after the snapshot is written.
    await new AppPage(page).nav('Import');
    const imp = new ImportPage(page);
    const generic = ['Machine,Owner,Office', 'KILL-01,zoe@example.com,LON', 'KILL-02,yan@example.com,NYC'].join('\n');
    await imp.importFiles([{ name: 'assets.csv', mimeType: 'text/csv', buffer: Buffer.from(generic) }]);
    await imp.mapColumns('assets.csv', 'fleet', { hostname: 'Machine', user: 'Owner', site: 'Office' });
    await host.kill();
    page = await host.restartAndReopen();
    await new AppPage(page).nav('Devices');
    await expect(page.getByTestId('device-total')).toContainText('2 devices');

    // 2. A saved view: "Saved view" shows only once the journal entry is on disk.
    await page.getByLabel('Save as').fill('London desks');
    await page.getByRole('button', { name: 'Save view' }).click();
    await expect(page.getByTestId('devices-note')).toHaveText('Saved view “London desks”');
    await host.kill();
    page = await host.restartAndReopen();
    await new AppPage(page).nav('Devices');
    await expect(page.getByTestId('saved-views').getByRole('option', { name: 'London desks' })).toBeAttached();

    // 3. A replay policy saved under a new name.
    await new AppPage(page).nav('Rollout replay');
    await page.getByLabel('Policy name').fill('Gate at half a percent');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'in the workspace' })).toBeVisible();
    await host.kill();
    page = await host.restartAndReopen();
    await new AppPage(page).nav('Rollout replay');
    await expect(page.getByLabel('Load policy').getByRole('option', { name: 'Gate at half a percent' })).toBeAttached();
  } finally {
    await host.dispose();
  }
});
