// Bench section: time from "Open the sample incident" to its first number, and to the analysed Overview, in Chromium.
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../e2e/chromium.js';
import { median, type BenchSection } from '../types.js';

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** A Chromium to drive: a path, '' for Playwright's own browser, or null when there is none. */
export function chromiumPath(): string | null {
  try {
    return findChromium() ?? '';
  } catch {
    return null;
  }
}

/** Serves the built renderer read-only on 127.0.0.1 (what `vite preview` does, without another process). */
export function serve(root: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, rel === '/' ? 'index.html' : rel);
    if (!file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

const WATCH = `(() => {
  const fn = (window.__fn = {});
  const cards = [
    ['first', '[data-testid="preview-count-devices"], [data-testid="count-devices"]'],
    ['overview', '[data-testid="count-devices"]'],
  ];
  new MutationObserver(() => {
    const now = performance.now();
    for (const [k, sel] of cards)
      if (!fn[k] && [...document.querySelectorAll(sel)].some((e) => /\\d/.test(e.textContent || ''))) fn[k] = now;
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
  document
    .querySelector('[data-testid="open-sample"]')
    .addEventListener('click', () => (fn.click = performance.now()), { capture: true });
})()`;

const section: BenchSection = {
  name: 'first number',
  order: 95,
  skip: (ctx) => {
    if (chromiumPath() === null) return 'no Chromium (set CHROMIUM_PATH)';
    // The built-in sample does not depend on --sizes: measure it once per run, with the first size.
    const first = process.env.BENCH_FIRST_SIZE;
    return first && first !== ctx.label ? `measured once per run (with ${first})` : null;
  },
  async run(ctx) {
    // This checkout's renderer, built into the bench's temp folder (so a stale dist/ is never measured).
    const out = path.join(ctx.dir, 'renderer');
    execFileSync(
      process.execPath,
      ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'],
      {
        env: { ...process.env, RENDERER_OUT_DIR: out },
        stdio: 'inherit',
      },
    );
    const server = await serve(out);
    const browser = await chromium.launch({ executablePath: chromiumPath() || undefined, args: CHROMIUM_ARGS });
    const first: number[] = [];
    const overview: number[] = [];
    try {
      for (let i = 0; i < (ctx.quick ? 1 : 3); i++) {
        // A fresh context each time: empty IndexedDB, nothing cached from the run before.
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        const page = await context.newPage();
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await page.locator('html[data-app-state="start"]').waitFor({ state: 'attached' });
        // Times are taken in the page (performance.now), from the click to the first digit in a number card.
        // Times are taken in the page (performance.now), from the click to the first digit in a number card. A
        // string, not a function: tsx's keep-names helper (__name) does not exist in the page.
        await page.evaluate(WATCH);
        await page.getByTestId('open-sample').click();
        await page.waitForFunction(() => (window as unknown as { __fn: { overview?: number } }).__fn.overview, null, {
          timeout: 300_000,
          polling: 100,
        });
        const t = await page.evaluate(() => (window as unknown as { __fn: Record<string, number> }).__fn);
        first.push(t.first! - t.click!);
        overview.push(t.overview! - t.click!);
        await context.close();
      }
    } finally {
      await browser.close();
      server.close();
    }
    const runs = `median of ${first.length}; built-in sample, 20,000 devices, seed 1907 (independent of --sizes)`;
    ctx.metric('first number', 'sample incident: first number shown', median(first), 'ms', `${runs}; generator totals`);
    ctx.metric('first number', 'sample incident: analysed Overview', median(overview), 'ms', `${runs}; real import`);
  },
};
export default section;
