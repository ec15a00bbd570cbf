// End to end: the database worker keeps the open workspace's database and SQLite's temp files in the origin private
// file system, not in memory; a save and reopen gives the same numbers; without OPFS it works in memory as before.
import { chromium, expect, test, type BrowserContext, type Page, type TestInfo, type Worker } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './chromium.js';
import { DEFAULT_DEVICES, DEFAULT_SEED, sampleOptions } from '../../core/sample/index.js';
import { computeGroundTruth } from '../../core/sample/truth.js';
import { AppPage, storedSnapshot } from './pages/app.js';
import { COUNT_KEYS, OverviewPage } from './pages/dashboard.js';
import { ImportPage, sampleFile } from './pages/import.js';

interface StorageInfo {
  mode: 'opfs' | 'memory';
  reason?: string;
  databaseBytes: number;
  memoryBytes: number;
  pool: { size: number; available: number; served: number; declined: number; largest: number };
}

/**
 * A browser with a profile on disk, as a user's Chromium and the desktop app have: Playwright's usual contexts are
 * incognito ones, whose private files Chromium keeps in memory (the worker then stays in memory: the last test).
 */
async function profiled(
  testInfo: TestInfo,
  baseURL: string | undefined,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(testInfo.outputPath('profile'), {
    executablePath: findChromium(),
    args: CHROMIUM_ARGS,
    baseURL,
    viewport: { width: 1400, height: 900 },
  });
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
}

/** The database worker (named ringside-db; Playwright knows workers by script URL: the built worker-*.js). */
async function dbWorker(page: Page): Promise<Worker> {
  await expect.poll(() => page.workers().filter((w) => /\/worker-[^/]*\.js$/.test(w.url())).length).toBe(1);
  return page.workers().find((w) => /\/worker-[^/]*\.js$/.test(w.url()))!;
}

function storageInfo(worker: Worker): Promise<StorageInfo> {
  return worker.evaluate(() =>
    (self as unknown as { ringsideStorageInfo: () => Promise<StorageInfo> }).ringsideStorageInfo(),
  );
}

/** The files in the app's OPFS folder and their sizes, as the page sees them. */
function opfsFiles(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('ringside-work', { create: true });
    const out: Record<string, number> = {};
    for await (const [name, h] of (
      dir as unknown as { entries(): AsyncIterable<[string, FileSystemFileHandle]> }
    ).entries())
      out[name] = (await h.getFile()).size;
    return out;
  });
}

const truth = computeGroundTruth(sampleOptions({ devices: DEFAULT_DEVICES, seed: DEFAULT_SEED }));
const totals = Object.fromEntries(COUNT_KEYS.map((k) => [k, truth.byRing.reduce((s, r) => s + r[k], 0)])) as Record<
  (typeof COUNT_KEYS)[number],
  number
>;

test('the sample incident opens with its database and temp files in OPFS, and a save and reopen gives the same numbers', async ({
  baseURL,
}, testInfo) => {
  test.setTimeout(420_000);
  const { context, page } = await profiled(testInfo, baseURL);
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  await app.openSample();
  const overview = new OverviewPage(page);
  const counts = await overview.counts();
  for (const k of COUNT_KEYS) expect(counts[k], k).toBe(totals[k]);
  expect(counts.devices).toBe(truth.devices);

  const worker = await dbWorker(page);
  const info = await storageInfo(worker);
  expect(info.mode).toBe('opfs');
  // The database file holds nothing in the worker's memory: its pages are in the OPFS file.
  expect(info.memoryBytes).toBe(0);
  // 20,000 devices with their events and analysis: several MiB of image.
  expect(info.databaseBytes).toBeGreaterThan(4 << 20);
  const files = await opfsFiles(page);
  const dbFiles = Object.entries(files).filter(([n]) => n.startsWith('db-'));
  expect(dbFiles).toHaveLength(1);
  expect(dbFiles[0]![1]).toBe(info.databaseBytes);
  // The import's sorts (index builds) and statement journals went to pooled OPFS files, all back and emptied now.
  expect(info.pool.size).toBe(8);
  expect(info.pool.served).toBeGreaterThan(0);
  expect(info.pool.largest).toBeGreaterThan(0);
  expect(info.pool.available).toBe(8);
  const temps = Object.entries(files).filter(([n]) => n.startsWith('tmp-'));
  expect(temps.map(([n]) => Number(n.split('-').at(-1))).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(temps.map(([, size]) => size)).toEqual(Array(8).fill(0));

  // The browser host's save (db.export into IndexedDB), then a reload: the reopened workspace is in OPFS again.
  await expect.poll(() => storedSnapshot(page), { timeout: 120_000 }).toBeGreaterThan(4 << 20);
  await page.reload();
  await expect(page.locator('html[data-app-state="start"]')).toBeAttached();
  await page.getByRole('region', { name: 'Recent workspaces' }).getByRole('button').first().click();
  await expect(page.locator('html[data-app-state="workspace"]')).toBeAttached({ timeout: 120_000 });
  await app.nav('Overview');
  const again = await overview.counts();
  expect(again).toEqual(counts);
  const reopened = await storageInfo(await dbWorker(page));
  expect(reopened).toMatchObject({ mode: 'opfs', memoryBytes: 0 });
  expect(reopened.databaseBytes).toBeGreaterThan(4 << 20);
  // The worker before the reload is gone: its files were removed at this worker's start-up (or at its close).
  expect(Object.keys(await opfsFiles(page)).filter((n) => n.startsWith('db-'))).toHaveLength(1);
  expect(pageErrors).toEqual([]);
  await context.close();
});

test("a second window's worker leaves the first one's files, and removes a crashed one's", async ({
  baseURL,
}, testInfo) => {
  const { context, page } = await profiled(testInfo, baseURL);
  const app = new AppPage(page);
  await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  const first = await storageInfo(await dbWorker(page));
  expect(first.mode).toBe('opfs');
  // A file no worker holds, as a crashed window leaves it.
  await page.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('ringside-work', { create: true });
    const w = await (await dir.getFileHandle('db-crashed-1', { create: true })).createWritable();
    await w.write(new Uint8Array(1000));
    await w.close();
  });
  const before = Object.keys(await opfsFiles(page));
  expect(before).toContain('db-crashed-1');

  const second = await context.newPage();
  await new AppPage(second).goto();
  await new ImportPage(second).openEmptyWorkspace();
  expect((await storageInfo(await dbWorker(second))).mode).toBe('opfs');
  const after = Object.keys(await opfsFiles(page));
  expect(after).not.toContain('db-crashed-1');
  // Every file of the first window is still there (the second added its own).
  for (const name of before.filter((n) => n !== 'db-crashed-1')) expect(after).toContain(name);

  // The first window still imports into its file.
  await app.nav('Import');
  await imp.importFiles([await sampleFile('falcon-hosts.csv', { devices: 300, seed: 4242 })]);
  await expect(imp.report('falcon-hosts.csv').getByTestId('import-rejected')).toHaveText('0');
  expect((await storageInfo(await dbWorker(page))).memoryBytes).toBe(0);
  await context.close();
});

/** A new empty workspace with a 300-device Falcon export imported through the import view, every row of it. */
async function importSmallFleet(page: Page): Promise<{ pageErrors: string[] }> {
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  const opts = { devices: 300, seed: 4242 };
  await imp.importFiles([await sampleFile('falcon-hosts.csv', opts)]);
  await expect(imp.report('falcon-hosts.csv').getByTestId('import-imported')).toHaveText(
    computeGroundTruth(opts).records.toLocaleString('en-US'),
  );
  await expect(imp.report('falcon-hosts.csv').getByTestId('import-rejected')).toHaveText('0');
  return { pageErrors };
}

test('without OPFS the database is kept in memory, said once in the log, and imports work as before', async ({
  page,
}) => {
  // The worker is a module script the page fetches: served with OPFS's entry point removed before its code runs.
  await page.route(/\/assets\/worker-[^/]*\.js$/, async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, body: `delete StorageManager.prototype.getDirectory;\n${await res.text()}` });
  });
  const logged: string[] = [];
  page.on('console', (m) => logged.push(m.text()));
  const { pageErrors } = await importSmallFleet(page);
  const worker = await dbWorker(page);
  const info = await storageInfo(worker);
  expect(info).toMatchObject({ mode: 'memory', reason: 'this browser has no origin private file system' });
  expect(info.memoryBytes).toBeGreaterThan(0);
  expect(info.pool.served).toBe(0);
  expect(logged.filter((t) => t.includes('kept in memory'))).toHaveLength(1);
  expect(pageErrors).toEqual([]);
});

test("in an incognito context, whose private files Chromium keeps in memory, the database stays in the worker's memory", async ({
  page,
}) => {
  const logged: string[] = [];
  page.on('console', (m) => logged.push(m.text()));
  const { pageErrors } = await importSmallFleet(page);
  const info = await storageInfo(await dbWorker(page));
  expect(info.mode).toBe('memory');
  expect(info.reason).toMatch(/keeps the origin's private files in memory .* µs a call$/);
  expect(info.memoryBytes).toBeGreaterThan(0);
  // The pool's files were closed and removed: nothing of this worker is left in OPFS.
  expect(await opfsFiles(page)).toEqual({});
  expect(logged.filter((t) => t.includes('kept in memory'))).toHaveLength(1);
  expect(pageErrors).toEqual([]);
});
