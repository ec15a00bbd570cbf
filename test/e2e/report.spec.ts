// End to end: the managers' report renders every section from an imported incident, and the postmortem downloads.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Locator } from '@playwright/test';
import { AppPage } from './pages/app.js';
import { ImportPage, sampleFile } from './pages/import.js';

const OPTS = { devices: 400, seed: 77 };

test('the report renders with all its sections and the postmortem downloads', async ({ page }) => {
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  await imp.importFiles(
    await Promise.all((['falcon-hosts.csv', 'rollout-events.csv'] as const).map((n) => sampleFile(n, OPTS))),
  );
  await app.nav('Report');
  const report = page.getByTestId('report');
  for (const id of [
    'report-summary',
    'report-impact',
    'report-burndown',
    'report-open-work',
    'report-timeline',
    'report-rules',
  ])
    await expect(report.getByTestId(id), id).toBeVisible();
  await expect(report.getByTestId('report-timeline')).toContainText('2024-07-19 04:09 UTC');
  await expect(report.getByTestId('report-impact')).toContainText('Broad');
  await expect(report.getByTestId('report-ring-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();
  // The Overview's charts: the crash rate against the gates, new crashes per ring, burn-down small multiples.
  await expect(report.getByTestId('report-burn-chart').locator('.recharts-area-curve').first()).toBeVisible();
  await expect(report.getByTestId('report-burn-site-chart').locator('.sm-panel').first()).toBeVisible();
  await expect(report.getByTestId('report-crash-rate-chart').locator('.recharts-line-curve').first()).toBeVisible();
  await expect(report.getByTestId('report-crash-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-markdown').click()]);
  expect(download.suggestedFilename()).toBe('postmortem.md');
  const chunks: Buffer[] = [];
  for await (const c of await download.createReadStream()) chunks.push(c as Buffer);
  const md = Buffer.concat(chunks).toString('utf8');
  for (const h of ['## Summary', '## Impact by ring', '## Impact by site', '## Timeline (UTC)', '## Open work'])
    expect(md).toContain(h);

  // The figures, not just the headings: the summary sentence, the page's cards, and the sums of the ring, site and
  // open-work tables must all tell the same story, and the fleet file's devices must all be counted.
  const m =
    /Of (\d+) devices, (\d+) \([^)]*\) were exposed and (\d+) \([^)]*\) crashed\. (\d+) recovered by themselves, (\d+) were fixed by hand, and (\d+) remain down/.exec(
      md,
    );
  expect(m, 'summary sentence').not.toBeNull();
  const totals = m!.slice(1, 7).map(Number);
  const [devices, exposed, affected, recovered, fixed, remaining] = totals as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  expect(devices).toBe(OPTS.devices);
  expect(exposed).toBeLessThanOrEqual(devices);
  expect(affected).toBeLessThanOrEqual(exposed);
  expect(recovered + fixed + remaining).toBe(affected);
  const cards = await report.getByTestId('report-summary').locator('.card .num').allTextContents();
  expect(cards.map((c) => Number(c.replace(/[^\d]/g, '')))).toEqual(totals);
  // A section's text up to the next heading (Open work: up to its list of critical devices).
  const section = (title: string) => md.split(`## ${title}`)[1]!.split('\n## ')[0]!.split('Critical devices')[0]!;
  const rows = (title: string) =>
    section(title)
      .split('\n')
      .filter((l) => /^\| .* \| \d/.test(l))
      .map((l) =>
        l
          .split('|')
          .slice(2, -1)
          .map((c) => Number(c.trim())),
      );
  const sum = (rs: number[][]) => rs.reduce((a, r) => a.map((x, i) => x + r[i]!), [0, 0, 0, 0, 0, 0]);
  expect(sum(rows('Impact by ring'))).toEqual(totals);
  expect(sum(rows('Impact by site'))).toEqual(totals);
  const open = rows('Open work').reduce((a, r) => a + r[0]!, 0);
  expect(open).toBe(remaining);

  // In a browser the PDF comes from the print dialog: the button falls back to window.print().
  await page.evaluate(() => {
    (window as unknown as { __printed: number }).__printed = 0;
    window.print = () => {
      (window as unknown as { __printed: number }).__printed += 1;
    };
  });
  await page.getByTestId('report-pdf').click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { __printed: number }).__printed)).toBe(1);
  expect(pageErrors).toEqual([]);
});

/** Per bar series of a chart: its fill, and whether that fill is a pattern with a drawn texture. */
async function barFills(chart: Locator): Promise<Array<{ fill: string; textured: boolean }>> {
  return chart.locator('.recharts-bar-rectangles').evaluateAll((groups) =>
    groups.map((g) => {
      const fill = g.querySelector('path')?.getAttribute('fill') ?? '';
      const id = /^url\(#(.+)\)$/.exec(fill)?.[1];
      const def = id ? document.getElementById(id) : null;
      return { fill, textured: def?.tagName === 'pattern' && def.querySelector('path') !== null };
    }),
  );
}

test('in black-and-white print every chart of the report tells its series apart without colour', async ({ page }) => {
  const app = new AppPage(page);
  await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  const names = ['falcon-hosts.csv', 'intune-devices.csv', 'bitlocker-keys.csv', 'rollout-events.csv'] as const;
  await imp.importFiles(await Promise.all(names.map((n) => sampleFile(n, { devices: 2000, seed: 1907 }))));
  await app.nav('Report');
  const report = page.getByTestId('report');
  await expect(report.getByTestId('report-crash-rate-chart').locator('.recharts-line-curve').first()).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  // Stacked state bars: each state is its own texture; at most the two end shades (not exposed, reimage) are solid.
  for (const id of ['report-ring-chart', 'report-site-chart', 'report-crash-chart']) {
    const fills = await barFills(report.getByTestId(id));
    expect(fills.length, id).toBeGreaterThan(1);
    expect(new Set(fills.map((f) => f.fill)).size, id).toBe(fills.length);
    expect(fills.filter((f) => !f.textured).length, id).toBeLessThanOrEqual(id === 'report-crash-chart' ? 1 : 2);
  }
  // Crash-rate lines: one dash style per ring, shown in the legend too (so the key reads without colour).
  const dashes = await report
    .getByTestId('report-crash-rate-chart')
    .locator('.recharts-line-curve')
    .evaluateAll((ls) => ls.map((l) => l.getAttribute('stroke-dasharray') ?? ''));
  expect(new Set(dashes).size).toBe(dashes.length);
  const legendDashes = await report
    .getByTestId('report-crash-rate-chart')
    .locator('.recharts-legend-icon')
    .evaluateAll((ls) => ls.map((l) => l.getAttribute('stroke-dasharray') ?? ''));
  expect(new Set(legendDashes).size).toBe(dashes.length);
  // Burn-down small multiples: each panel is named in words above its chart.
  for (const p of await report.getByTestId('report-burn-site-chart').locator('.sm-panel').all())
    await expect(p.locator('.sm-title strong')).toHaveText((await p.getAttribute('data-key'))!);

  // The grayscale print view, to look at (written to docs/ only with UPDATE_SCREENSHOTS=1).
  const dir = path.resolve(process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots');
  await mkdir(dir, { recursive: true });
  // Through the CSSOM: the app's CSP (style-src 'self') refuses an injected <style>.
  await page.evaluate(() => (document.documentElement.style.filter = 'grayscale(1)'));
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.mouse.move(0, 0);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await report.getByTestId('report-burndown').screenshot({ path: path.join(dir, 'report-print-grayscale.png') });
  await report
    .getByTestId('report-impact')
    .locator('.chart-grid')
    .screenshot({
      path: path.join(dir, 'report-print-grayscale-states.png'),
    });
});
