// Rollout replay end to end: an edited policy is marked, its result is named "(edited)", and it saves under a new name.
import { expect, test } from '@playwright/test';
import { AppPage } from './pages/app.js';
import { ReplayPage } from './pages/replay.js';

const DEFAULT_NAME = 'Default: Test 1 %, 4 h bake, halt at 2 % crashes';

test('an edited policy is marked, runs as "(edited)", and is saved under a new name', async ({ page }) => {
  test.setTimeout(300_000);
  const app = new AppPage(page);
  await app.goto();
  await app.openSample();
  await app.nav('Rollout replay');
  const replay = new ReplayPage(page);
  await replay.ready();

  // As loaded: no mark, the result carries the policy's own name.
  await expect(page.getByTestId('policy-edited')).toHaveCount(0);
  await replay.run();
  await expect(page.getByTestId('replay-result-name')).toHaveText(DEFAULT_NAME);

  // The gate set to 0.5 %: marked, and the result is named as an edit of the policy, not as the policy.
  await page.getByLabel('Gate 1 threshold percent').fill('0.5');
  await expect(page.getByTestId('policy-edited')).toContainText(`differs from “${DEFAULT_NAME}”`);
  await replay.setMinSample(1, 30);
  await replay.run();
  await expect(page.getByTestId('replay-result-name')).toHaveText(`${DEFAULT_NAME} (edited)`);

  // Saved under a new name: the mark goes, the new name runs as itself and is offered in the policy list.
  await page.getByTestId('policy-save-as-name').fill('Halt at 0.5 %');
  await page.getByRole('button', { name: 'Save as new policy' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved “Halt at 0.5 %”' })).toBeVisible();
  await expect(page.getByTestId('policy-edited')).toHaveCount(0);
  await expect(page.getByLabel('Policy name')).toHaveValue('Halt at 0.5 %');
  await expect(page.getByLabel('Load policy').getByRole('option', { name: 'Halt at 0.5 %' })).toBeAttached();
  await replay.setMinSample(1, 20);
  await replay.run();
  await expect(page.getByTestId('replay-result-name')).toHaveText('Halt at 0.5 % (edited)');
  await page.getByLabel('Load policy').selectOption({ label: 'Halt at 0.5 %' });
  await expect(page.getByTestId('policy-edited')).toHaveCount(0);
  await expect(page.getByLabel('Gate 1 threshold percent')).toHaveValue('0.5');
});
