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
  const peaks: number[] = [];
  for (const pid of rendererPids(root)) {
    try {
      const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (hwm) peaks.push(Number(hwm) / 1024);
    } catch {
      // gone meanwhile
    }
  }
  return peaks.sort((a, b) => b - a);
}

/** The processes under `root` (Linux /proc only; empty elsewhere), with whether each is a Chromium renderer. */
function descendants(root: number): Array<{ pid: number; renderer: boolean }> {
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
  const out: Array<{ pid: number; renderer: boolean }> = [];
  for (const pid of parent.keys()) {
    if (!under(pid)) continue;
    try {
      out.push({ pid, renderer: readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const rendererPids = (root: number): number[] => descendants(root).flatMap((p) => (p.renderer ? [p.pid] : []));

/** utime + stime of a /proc stat line, ms (clock ticks of 10 ms, Linux's USER_HZ). */
function statCpuMs(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/**
 * CPU of the renderer processes under `root` (threads that ended included) and of each live thread by name, ms: the
 * page's main thread, the database worker and the reading thread are Chromium threads of one renderer process.
 */
export function rendererCpu(root: number): { total: number; all: number; threads: Map<string, number> } {
  let total = 0;
  let all = 0;
  const threads = new Map<string, number>();
  for (const { pid, renderer } of descendants(root)) {
    try {
      const own = statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      all += own;
      if (!renderer) continue;
      total += own;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = `${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}#${tid}`;
        threads.set(name, statCpuMs(stat));
      }
    } catch {
      // gone meanwhile
    }
  }
  return { total, all, threads };
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
      const cpu0 = rendererCpu(process.pid);
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
      const cpu1 = rendererCpu(process.pid);
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
      if (cpu1.total > 0) {
        const busiest = [...cpu1.threads]
          .map(([name, v]) => [name, v - (cpu0.threads.get(name) ?? 0)] as const)
          .filter(([, v]) => v >= 100)
          .sort((a, b) => b[1] - a[1])
          .map(([name, v]) => `${name.replace(/#\d+$/, '')} ${(v / 1000).toFixed(1)} s`);
        ctx.metric(
          'browser import',
          'renderer CPU',
          cpu1.total - cpu0.total,
          'ms',
          `the renderer processes' user + system time over the import (all of Chromium's ${((cpu1.all - cpu0.all) / 1000).toFixed(1)} s); threads: ${busiest.join(', ')}`,
        );
      }
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
