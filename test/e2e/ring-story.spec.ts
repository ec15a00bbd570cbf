// End to end: the share-of-ring bars on the sample incident (values = counts / ring size, early rings visible), screenshots.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { DEVICE_STATES } from '../../core/contract/analysis.js';
import { AppPage } from './pages/app.js';
import { OverviewPage } from './pages/dashboard.js';

test('share-of-ring bars: each value is count / ring size, and the Test ring is a readable bar', async ({ page }) => {
  test.setTimeout(240_000);
  const app = new AppPage(page);
  await app.goto();
  await app.openSample();
  const ov = new OverviewPage(page);
  const counts = await ov.chartData('ring');
  const rows = page.getByTestId('ring-bars-values').locator('tbody tr');
  expect(await rows.count()).toBe(Object.keys(counts).length);
  for (const row of await rows.all()) {
    const name = (await row.getAttribute('data-name'))!;
    const devices = Number(await row.getAttribute('data-devices'));
    expect(devices, name).toBe(counts[name]!.devices);
    for (const s of DEVICE_STATES) {
      const cell = row.locator(`td[data-k="${s}"]`);
      const n = Number(await cell.getAttribute('data-n'));
      expect(Number(await cell.textContent()), `${name}.${s}`).toBeCloseTo((n / devices) * 100, 6);
    }
  }
  // The drawn Test bar (first category): its stacked segments span at least 10 % of the plot height.
  const chart = page.getByTestId('ring-chart');
  const plot = (await chart.locator('.recharts-cartesian-grid').boundingBox())!;
  const boxes = await chart.locator('.recharts-bar-rectangle path').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x + r.width / 2, top: r.top, bottom: r.bottom };
    }),
  );
  const firstX = Math.min(...boxes.map((b) => b.x));
  const test1 = boxes.filter((b) => Math.abs(b.x - firstX) < 2);
  const height = Math.max(...test1.map((b) => b.bottom)) - Math.min(...test1.map((b) => b.top));
  expect(height / plot.height).toBeGreaterThanOrEqual(0.1);

  // Counts stay one toggle away.
  await page.getByTestId('ring-bars-count').click();
  await expect(page.getByTestId('ring-bars-count')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('ring-bars-share').click();

  const dir = path.resolve('docs/screenshots');
  await mkdir(dir, { recursive: true });
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
    // Two frames: the chart theme hook re-reads the colours on the attribute change, then recharts repaints.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await chart.screenshot({ path: path.join(dir, `ring-share-20k-${theme}.png`) });
  }
});
