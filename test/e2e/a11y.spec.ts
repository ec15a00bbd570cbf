// End to end: keyboard paths (skip link, heading focus, drawer Escape and focus trap, chart tab stops) and axe-core on every screen.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { AppPage } from './pages/app.js';

// The sidebar's views (renderer/app/routes.tsx), by label and data-view id.
const routes = [
  { id: 'overview', label: 'Overview' },
  { id: 'devices', label: 'Devices' },
  { id: 'import', label: 'Import' },
  { id: 'scripts', label: 'Scripts' },
  { id: 'packs', label: 'Field packs' },
  { id: 'replay', label: 'Rollout replay' },
  { id: 'audit', label: 'Audit' },
  { id: 'report', label: 'Report' },
];

/** Serious and critical axe-core violations on the page as it is now, as "rule: target" lines (empty = clean). */
async function axeProblems(page: Page, name: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.slice(0, 3).map((n) => `${name}: ${v.id} (${v.impact}) at ${n.target.join(' ')}`));
}

const focusedText = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el
      ? `${el.tagName.toLowerCase()}:${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 60)}`
      : '';
  });

test.describe.configure({ mode: 'serial' });

test('axe-core finds no serious or critical violation on any screen, drawer open or not, in both themes', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const app = new AppPage(page);
  await app.goto();
  const problems: string[] = [];
  problems.push(...(await axeProblems(page, 'start')));
  await app.openSample();
  for (const r of routes) {
    await app.nav(r.label);
    await expect(page.locator(`main[data-view="${r.id}"] h1`)).toBeVisible();
    // Settled: the view's queries have answered (no busy region left).
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 60_000 });
    problems.push(...(await axeProblems(page, r.id)));
  }
  await app.nav('Devices');
  await page.getByTestId('device-table').getByRole('row').nth(1).click();
  await expect(page.getByTestId('device-rule')).toBeVisible();
  problems.push(...(await axeProblems(page, 'device drawer')));
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await app.nav('Overview');
  await expect(page.getByTestId('ring-chart')).toBeVisible();
  problems.push(...(await axeProblems(page, 'overview (dark)')));
  await page.goto('/#/technician');
  await expect(page.locator('html[data-app-state="technician"]')).toBeAttached();
  problems.push(...(await axeProblems(page, 'technician')));
  expect(problems).toEqual([]);
});

test('keyboard: skip link, heading focus, one named tab stop per chart, drawer Escape and focus trap', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const app = new AppPage(page);
  await app.goto();
  await app.openSample();

  // Overview: focus starts on the view's heading, not on the body.
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeFocused();
  // The skip link is the page's first tab stop (just before the sidebar); it takes focus to the heading of the view.
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button').first().focus();
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeFocused();

  // Each chart is one tab stop with a name, and holds its data table.
  const chart = page.getByTestId('burn-ring-chart-box');
  await expect(chart).toHaveAttribute('aria-label', /Burn-down: devices still down, by ring/);
  // Inside the box the drawing adds no tab stop of its own; the only stops are the chart's named value toggles
  // (e.g. "% of ring down" / "Devices down"), which are real controls with their own names.
  const stops = await chart.evaluate((el) =>
    [...el.querySelectorAll<HTMLElement>('[tabindex]:not([tabindex="-1"]), a[href], button, input, select')].map(
      (n) => ({ control: !!n.closest('[data-chart-controls]'), name: n.textContent?.trim() ?? '' }),
    ),
  );
  expect(stops.filter((s) => !s.control)).toEqual([]);
  for (const s of stops) expect(s.name).not.toBe('');
  await expect(page.getByTestId('burn-ring-chart-table').locator('tbody tr').first()).toBeAttached();
  await chart.focus();
  for (let i = 0; i <= stops.length; i++) await page.keyboard.press('Tab');
  // After the toggles the next stop is outside the chart (its PNG/SVG buttons come before the box).
  expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="burn-ring-chart-box"]'))).toBeNull();

  // Devices: navigation moves focus to the heading; Enter on a row opens the drawer with focus inside.
  await app.nav('Devices');
  await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeFocused();
  const grid = page.getByRole('grid', { name: 'Devices' });
  await expect(page.locator('#device-table-row-1:not(.loading)')).toBeVisible();
  await grid.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const drawer = page.getByTestId('device-drawer');
  await expect(drawer).toBeVisible();
  await expect(drawer).toBeFocused();
  await expect(drawer.getByTestId('device-timeline')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e-a11y/device-drawer.png' });
  // Tab cycles inside the drawer, in both directions, however far it goes.
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    expect(await drawer.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await drawer.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  // Escape closes it and focus goes back to the table it was opened from.
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);
  await expect(grid).toBeFocused();
  expect(await focusedText(page)).toMatch(/^div:/);

  // Escape also works when the drawer was opened with the mouse.
  await grid.getByRole('row').nth(2).click();
  await expect(drawer).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);
});
