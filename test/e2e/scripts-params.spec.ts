// The cloud routes' resource group and rescue instance start empty (a placeholder, no made-up value) and are required before generating.
import { expect, test } from '@playwright/test';
import { AppPage } from './pages/app.js';
import { ScriptsPage } from './pages/scripts.js';

test('Azure and AWS values are empty with a placeholder and required before Generate', async ({ page }) => {
  test.setTimeout(180_000);
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  await app.openSample();
  await app.nav('Scripts');
  const scripts = new ScriptsPage(page);
  await expect(scripts.view()).toBeVisible();
  for (const [route, name, value] of [
    ['azure-cli', 'resourceGroup', 'rg-servers-weu'],
    ['aws-cli', 'rescueInstance', 'i-0abc123def4567890'],
  ] as const) {
    await scripts.choose({ playbook: 'cs-channel-291', route });
    const input = scripts.param(name);
    await expect(input).toHaveValue('');
    await expect(input).toHaveAttribute('placeholder', /^e\.g\. /);
    await expect(input).toHaveAttribute('required', '');
    await expect(scripts.generateButton()).toBeDisabled();
    await expect(page.getByTestId('params-missing')).toBeVisible();
    await input.fill(value);
    await expect(scripts.generateButton()).toBeEnabled();
    await expect(page.getByTestId('params-missing')).toHaveCount(0);
  }
  // The WinRE route uses neither, so nothing blocks it.
  await scripts.choose({ route: 'winre-cmd' });
  await scripts.param('resourceGroup').fill('');
  await expect(scripts.generateButton()).toBeEnabled();
  expect(pageErrors).toEqual([]);
});
