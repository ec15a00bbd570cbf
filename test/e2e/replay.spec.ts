// Rollout replay end to end: edit the default policy, run the replay, see the spared count change, open the halt commands.
import { expect, test } from '@playwright/test';
import { AppPage } from './pages/app.js';
import { ReplayPage } from './pages/replay.js';

test('edit a policy, replay, see spared change, open halt commands', async ({ page }) => {
  test.setTimeout(300_000);
  const app = new AppPage(page);
  const { pageErrors, cspViolations } = await app.goto();
  await app.openSample();
  await app.nav('Rollout replay');
  const replay = new ReplayPage(page);
  await replay.ready();

  // The default policy on the sample: the Test ring trips after 10 devices, every later ring is spared.
  const first = await replay.run();
  expect(first).toBeGreaterThan(12_000);
  await expect(replay.ringCell('Test', 'reached')).toHaveText('10');
  await expect(page.getByTestId('replay-halt')).toContainText('Halted: ring Test');

  // A larger minimum sample lets more Test devices receive the content before the gate may trip.
  await replay.setMinSample(1, 60);
  const second = await replay.run();
  expect(second).toBeLessThan(first);
  await expect(replay.ringCell('Test', 'reached')).toHaveText(String(first - second + 10));

  const panel = await replay.openHaltCommands();
  await expect(panel).toContainText('over threshold');
  const target = panel.getByTestId('halt-target').first();
  await expect(target).toContainText('falcon-content');
  await expect(target.locator('pre').first()).not.toBeEmpty();
  await page.screenshot({ path: 'test-results/replay.png', fullPage: true });

  expect(pageErrors).toEqual([]);
  expect(cspViolations).toEqual([]);
});
