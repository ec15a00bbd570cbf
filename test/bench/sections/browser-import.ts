// Bench section: the bench's files imported through the import view in Chromium, with the page's longest blocked task.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/**
 * Peak resident memory (VmHWM, MiB) of each Chromium renderer process under `root` (this process: Playwright starts the browser as its child) (Linux /proc only; empty elsewhere):
 * the page, its database worker and the reading thread live in one, whose peak this is.
 */
export function rendererPeaksMiB(root: number): number[] {
  if (!existsSync('/proc/self/status')) return [];
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // The parent pid is the field after the parenthesised command name, which may itself hold spaces.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  const peaks: number[] = [];
  for (const pid of parent.keys()) {
    if (!under(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (hwm) peaks.push(Number(hwm) / 1024);
    } catch {
      // gone meanwhile
    }
  }
  return peaks.sort((a, b) => b - a);
}

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
    // A profile on disk, as a user's browser and the desktop app have: the database worker keeps its database in the
    // origin private file system there (an incognito context's is in memory, and the worker stays in memory).
    const browser = await chromium.launchPersistentContext(path.join(ctx.dir, 'chromium-profile'), {
      executablePath: chromiumPath() || undefined,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
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
      const peaks = rendererPeaksMiB(process.pid);
      const worker = page.workers().find((w) => /\/worker-[^/]*\.js$/.test(w.url()));
      const storage = (await worker?.evaluate(() =>
        (self as unknown as { ringsideStorageInfo?: () => Promise<unknown> }).ringsideStorageInfo?.(),
      )) as { mode: string; reason?: string; memoryBytes: number; databaseBytes: number } | undefined;
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
      if (peaks.length > 0)
        ctx.metric(
          'browser import',
          'renderer peak RSS',
          peaks[0]!,
          'MiB',
          `the largest renderer process's VmHWM (page + database worker + reading thread); others ${peaks
            .slice(1)
            .map((p) => p.toFixed(0))
            .join(', ')}`,
        );
      if (storage)
        ctx.metric(
          'browser import',
          'worker database file in memory',
          storage.memoryBytes / (1 << 20),
          'MiB',
          storage.mode === 'opfs'
            ? `the image (${(storage.databaseBytes / (1 << 20)).toFixed(0)} MiB) is in the origin private file system`
            : `in memory: ${storage.reason ?? ''}`,
        );
    } finally {
      await browser.close();
      server.close();
    }
  },
};
export default section;
