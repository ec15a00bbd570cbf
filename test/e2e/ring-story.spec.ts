// End to end: the share-of-ring bars on the sample incident (values = counts / ring size, early rings visible), screenshots.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { DEVICE_STATES } from '../../core/contract/analysis.js';
import { AppPage } from './pages/app.js';
import { OverviewPage } from './pages/dashboard.js';
import { ReplayPage } from './pages/replay.js';

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

  const dir = path.resolve(process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots');
  await mkdir(dir, { recursive: true });
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
    // Two frames: the chart theme hook re-reads the colours on the attribute change, then recharts repaints.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await chart.screenshot({ path: path.join(dir, `ring-share-20k-${theme}.png`) });
  }
});

test('the replay trip time appears on the crash-rate timeline at the time the replay reports', async ({ page }) => {
  test.setTimeout(240_000);
  const app = new AppPage(page);
  await app.goto();
  await app.openSample();
  await new OverviewPage(page).ready();
  await app.nav('Rollout replay');
  const replay = new ReplayPage(page);
  await replay.ready();
  const spared = await replay.run();
  const halt = (await page.getByTestId('replay-halt').textContent())!;
  const m = /at (\d\d:\d\d:\d\d) UTC on (\d{4}-\d\d-\d\d)/.exec(halt)!;
  const reported = Date.parse(`${m[2]}T${m[1]}Z`);
  await app.nav('Overview');
  const note = page.getByTestId('crash-rate-trip');
  await expect(note).toBeVisible();
  const at = Number(await note.getAttribute('data-trip-at'));
  expect(Math.floor(at / 1000) * 1000).toBe(reported);
  expect(Number(await note.getAttribute('data-spared'))).toBe(spared);
  await expect(note).toContainText(`at ${m[1]!.slice(0, 5)} UTC`);
  // The vertical mark sits where the x axis puts that time (domain = first to last point).
  const chart = page.getByTestId('crash-rate-chart');
  await expect(chart.locator('.recharts-reference-line').first()).toBeAttached();
  const t0 = Number(await note.getAttribute('data-t0'));
  const t1 = Number(await note.getAttribute('data-t1'));
  const plot = (await chart.locator('.recharts-cartesian-grid').boundingBox())!;
  const line = (await chart.locator('.recharts-reference-line line').first().boundingBox())!;
  const expectedX = plot.x + ((at - t0) / (t1 - t0)) * plot.width;
  expect(Math.abs(line.x - expectedX)).toBeLessThan(2);
  await expect(chart.locator('svg.recharts-surface').last()).toContainText(`trip ${m[1]!.slice(0, 5)}`);
  await chart.screenshot({
    path: path.resolve(
      process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots',
      'crash-rate-20k-light.png',
    ),
  });
});
