// End to end: the sample incident's dashboard equals the core's numbers, filters narrow charts and table, charts export.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { summary, type SummaryEx } from '../../core/analysis/summary.js';
import { loadSample } from '../../core/sample/handlers.js';
import { SAMPLE_EXPORTS } from '../../core/sample/index.js';
import { openWorkspace } from '../../core/workspace.js';
import { loadSqlJs } from '../../electron/node/sqljs.js';
import { AppPage } from './pages/app.js';
import { ImportPage, sampleFile } from './pages/import.js';
import { COUNT_KEYS, DevicesPage, OverviewPage } from './pages/dashboard.js';

// The sample incident's export files, imported through the Import view (the same path a user's files take).
const SAMPLE = { devices: 4_000, seed: 20240719 };

test.describe.configure({ mode: 'serial' });

let page: Page;
let expected: SummaryEx;
let pageErrors: string[];
let coreWs: Awaited<ReturnType<typeof openWorkspace>>;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  // The core, run in Node on the same seed through the same import path: what the database must say.
  coreWs = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(1) });
  await loadSample(coreWs, SAMPLE);
  expected = summary(coreWs);
  page = await browser.newPage();
  const app = new AppPage(page);
  ({ pageErrors } = await app.goto());
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  const names = SAMPLE_EXPORTS.filter((n) => n.endsWith('.csv'));
  await imp.importFiles(await Promise.all(names.map((n) => sampleFile(n, SAMPLE))));
  await app.nav('Overview');
});

test.afterAll(async () => {
  await page.close();
});

test('the dashboard numbers and ring chart equal the database', async () => {
  const ov = new OverviewPage(page);
  const counts = await ov.counts();
  for (const k of COUNT_KEYS) expect(counts[k], k).toBe(expected.totals[k]);
  expect(counts.devices).toBe(SAMPLE.devices);
  const rings = await ov.chartData('ring');
  expect(Object.keys(rings)).toEqual(expected.byRing.map((r) => r.ring));
  for (const r of expected.byRing) for (const k of COUNT_KEYS) expect(rings[r.ring]![k], `${r.ring}.${k}`).toBe(r[k]);
  const sites = await ov.chartData('site');
  for (const r of expected.bySite) expect(sites[r.site]!.remaining, r.site).toBe(r.remaining);
  // The charts are drawn: bars in the ring chart, one small burn-down panel per ring.
  await expect(page.getByTestId('ring-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByTestId('burn-ring-chart').locator('.recharts-area-curve').first()).toBeVisible();
  await expect(page.getByTestId('state-rules')).toContainText('sensor ≥ 7.11');
  expect(pageErrors).toEqual([]);
});

test('one filter narrows the numbers, the charts and the device table together', async () => {
  const ov = new OverviewPage(page);
  const site = expected.bySite[0]!;
  await ov.filter('site', site.site);
  const counts = await ov.counts();
  for (const k of COUNT_KEYS) expect(counts[k], k).toBe(site[k]);
  const rings = await ov.chartData('ring');
  expect(Object.values(rings).reduce((a, r) => a + r.devices, 0)).toBe(site.devices);
  const filtered = summary(coreWs, { site: site.site });
  for (const r of filtered.byRing) expect(rings[r.ring]!.affected).toBe(r.affected);
  expect(Object.keys(await ov.chartData('site'))).toEqual([site.site]);
  await expect(page.getByTestId('burn-site-chart').locator('.sm-panel')).toHaveCount(1);

  await new AppPage(page).nav('Devices');
  const dev = new DevicesPage(page);
  expect(await dev.total()).toBe(site.devices);
  const sites = await dev.visibleColumn(2);
  expect(sites.length).toBeGreaterThan(5);
  expect(new Set(sites)).toEqual(new Set([site.site]));
  // A state class narrows further, to the same number as the dashboard's.
  await page.getByTestId('filter-state').selectOption('remaining');
  await expect(page.getByTestId('device-total')).toContainText(`${site.remaining.toLocaleString('en-US')} devices`);

  // Keyboard: focus the table, move down, open the drawer with Enter, close it with Escape.
  await dev.table().focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const drawer = page.getByTestId('device-drawer');
  await expect(drawer.getByTestId('device-rule')).toContainText('crashed');
  await expect(drawer).toContainText('Source records');
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);

  await page.getByTestId('filter-state').selectOption('');
  await page.getByTestId('filter-reset').first().click();
  await new AppPage(page).nav('Overview');
  expect((await ov.counts()).devices).toBe(SAMPLE.devices);
});

test('a chart exports as a valid PNG and as SVG', async () => {
  const ov = new OverviewPage(page);
  await ov.ready();
  const png = await ov.exportChart('ring-chart', 'png');
  expect(png.download.suggestedFilename()).toBe('device-states-by-ring.png');
  expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.bytes.length).toBeGreaterThan(10_000);
  // IHDR: the image has the chart's size at 2x.
  expect(png.bytes.readUInt32BE(16)).toBeGreaterThan(600);
  const svg = await ov.exportChart('burn-ring-chart', 'svg');
  const text = svg.bytes.toString('utf8');
  expect(text).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(text).toContain('Burn-down');
  expect(text).not.toContain('var(--');
  // Small multiples export as one image: every ring's panel, titled, each with its drawn area.
  for (const r of expected.byRing) expect(text).toContain(`>${r.ring}: ${r.remaining.toLocaleString('en-US')} down<`);
  expect(text.match(/recharts-area-curve/g)?.length).toBe(expected.byRing.length);
  const sitePng = await ov.exportChart('burn-site-chart', 'png');
  expect(sitePng.download.suggestedFilename()).toBe('burn-down-devices-still-down-by-site.png');
  expect([...sitePng.bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
});

test('burn-downs are small multiples: one panel per site, sorted by devices still down, on shared axes', async () => {
  const ov = new OverviewPage(page);
  await ov.ready();
  const chart = page.getByTestId('burn-site-chart');
  const panels = chart.locator('.sm-panel');
  // The sample has fewer sites than the panel limit: one panel each, none folded into "Other".
  await expect(panels).toHaveCount(expected.bySite.length);
  const down = await panels.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-down'))));
  const byRemaining = [...expected.bySite].sort((a, b) => b.remaining - a.remaining || a.site.localeCompare(b.site));
  expect(down).toEqual(byRemaining.map((s) => s.remaining));
  const names = await panels.evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
  expect(names).toEqual(byRemaining.map((s) => s.site));
  // Shared axes: every panel shows the same y tick labels and the same x tick labels.
  const ticks = await panels.evaluateAll((els) =>
    els.map((e) => [
      [...e.querySelectorAll('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value')].map(
        (t) => t.textContent,
      ),
      [...e.querySelectorAll('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value')].map(
        (t) => t.textContent,
      ),
    ]),
  );
  for (const t of ticks) expect(t).toEqual(ticks[0]);
  expect(ticks[0]![0]!.length).toBe(3);
  // Counts one toggle away, still on one shared scale.
  await page.getByTestId('burn-site-count').click();
  const top = await panels.evaluateAll((els) =>
    els.map(
      (e) =>
        [...e.querySelectorAll('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value')].at(-1)?.textContent,
    ),
  );
  expect(new Set(top).size).toBe(1);
  await page.getByTestId('burn-site-share').click();
});

test('screenshots of the dashboard in light and dark themes', async () => {
  // The committed README images are refreshed only on request; a normal run writes beside the other test output.
  const dir = path.resolve(
    process.cwd(),
    process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots',
  );
  await mkdir(dir, { recursive: true });
  const ov = new OverviewPage(page);
  await page.setViewportSize({ width: 1600, height: 1000 });
  const html = page.locator('html');
  // A fresh profile starts light, and the sidebar's button offers the other theme.
  await expect(html).toHaveAttribute('data-theme', 'light');
  await expect(page.getByRole('button', { name: 'Light theme' })).toHaveCount(0);
  for (const theme of ['light', 'dark'] as const) {
    // Switched with the sidebar's theme button, as a user would; the button must be there.
    if (theme === 'dark') await page.getByRole('button', { name: 'Dark theme' }).click();
    await expect(html).toHaveAttribute('data-theme', theme);
    await ov.ready();
    await expect(page.getByTestId('ring-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();
    await writeFile(path.join(dir, `dashboard-${theme}.png`), await page.screenshot({ fullPage: true }));
  }
  await page.getByRole('button', { name: 'Light theme' }).click();
  await expect(html).toHaveAttribute('data-theme', 'light');
  await expect(page.getByRole('button', { name: 'Dark theme' })).toBeVisible();
});
