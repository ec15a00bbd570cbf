// Bench section: the bench's files imported through the import view in Chromium, with the page's longest blocked task.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../e2e/chromium.js';
import type { BenchSection } from '../types.js';
import { chromiumPath, serve } from './first-number.js';

/** Long tasks (> 50 ms on the page's main thread) as the browser reports them; a string: tsx's helpers are not in the page. */
const WATCH = `(() => {
  const lt = (window.__lt = { max: 0, count: 0, over100: 0, total: 0 });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      lt.max = Math.max(lt.max, e.duration);
      lt.count++;
      lt.total += e.duration;
      if (e.duration > 100) lt.over100++;
    }
  }).observe({ type: 'longtask', buffered: false });
})()`;

const section: BenchSection = {
  name: 'browser import',
  order: 96,
  skip: () => (chromiumPath() === null ? 'no Chromium (set CHROMIUM_PATH)' : null),
  async run(ctx) {
    // The renderer the first-number section built into the bench's folder, or a fresh build of this checkout.
    const out = path.join(ctx.dir, 'renderer');
    if (!existsSync(path.join(out, 'index.html')))
      execFileSync(
        process.execPath,
        ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'],
        { env: { ...process.env, RENDERER_OUT_DIR: out }, stdio: 'inherit' },
      );
    const server = await serve(out);
    const browser = await chromium.launch({ executablePath: chromiumPath() || undefined, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.locator('html[data-app-state="start"]').waitFor({ state: 'attached' });
      await page.getByRole('button', { name: 'New empty workspace' }).click();
      await page.locator('html[data-app-state="workspace"]').waitFor({ state: 'attached', timeout: 60_000 });
      await page
        .getByRole('navigation', { name: 'Views' })
        .getByRole('button', { name: 'Import', exact: true })
        .click();
      await page.evaluate(WATCH);
      const t0 = performance.now();
      // Picked by path: Chromium reads the files from disk itself, as it does for a user's pick.
      await page.getByTestId('import-files').setInputFiles(ctx.files.map((f) => f.path));
      const step = page.getByTestId('as-of-step');
      const last = page
        .locator(`[data-testid="import-report"][data-file="${ctx.files.at(-1)!.file}"]`)
        .getByTestId('import-summary');
      await step.or(last).first().waitFor({ timeout: 3_600_000 });
      if (await step.isVisible()) await step.getByTestId('as-of-submit').click();
      for (const f of ctx.files)
        await page
          .locator(`[data-testid="import-report"][data-file="${f.file}"]`)
          .getByTestId('import-summary')
          .waitFor({ timeout: 3_600_000 });
      const ms = performance.now() - t0;
      const lt = await page.evaluate(
        () => (window as unknown as { __lt: { max: number; count: number; over100: number; total: number } }).__lt,
      );
      const cli = ctx.get('import', 'end to end time');
      ctx.metric(
        'browser import',
        'import view: all files imported',
        ms,
        'ms',
        `${ctx.files.length} files, from the pick to the last report${cli ? `; ${(ms / cli).toFixed(2)}× the Node import above` : ''}`,
      );
      ctx.metric(
        'browser import',
        'longest main-thread task',
        lt.max,
        'ms',
        `${lt.count} long tasks (> 50 ms), ${lt.over100} over 100 ms, ${Math.round(lt.total)} ms in all; budget 100 ms`,
      );
    } finally {
      await browser.close();
      server.close();
    }
  },
};
export default section;
