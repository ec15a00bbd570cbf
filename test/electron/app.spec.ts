// Electron smoke: the packaged-style app starts, is locked down (CSP, no Node in the page, named HostApi), opens the sample.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { electronBinary, SKIP_REASON } from './electron-binary.js';

const exe = electronBinary();
const root = fileURLToPath(new URL('../..', import.meta.url));

test.describe('Electron app', () => {
  test.skip(!exe, SKIP_REASON);

  let app: ElectronApplication;
  let page: Page;
  const errors: string[] = [];

  test.beforeAll(async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'ringside-electron-'));
    app = await _electron.launch({
      executablePath: exe!,
      args: [root],
      env: {
        ...process.env,
        RINGSIDE_USER_DATA: path.join(scratch, 'userData'),
        RINGSIDE_WORKSPACE_DIR: path.join(scratch, 'Documents'),
        RINGSIDE_HOME: path.join(scratch, 'cli'),
      },
    });
    page = await app.firstWindow();
    page.on('pageerror', (e) => errors.push(e.message));
    await expect(page.locator('html[data-app-state="start"]')).toBeAttached();
  });

  test.afterAll(async () => {
    await app?.close();
  });

  test('the window loads the app from app://, never file://', async () => {
    expect(page.url()).toBe('app://ringside/index.html');
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  test('the CSP is in force: meta policy present, eval throws, WebAssembly allowed', async () => {
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(
      await page.evaluate(() => {
        try {
          return String((0, eval)('1'));
        } catch (e) {
          return (e as Error).name;
        }
      }),
    ).toBe('EvalError');
  });

  test('the page has window.ringside with named functions and no Node', async () => {
    const shape = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      const api = w.ringside as Record<string, unknown>;
      return {
        keys: Object.keys(api).sort(),
        kinds: Object.fromEntries(Object.entries(api).map(([k, v]) => [k, typeof v])),
        require: typeof w.require,
        process: typeof w.process,
        module: typeof w.module,
      };
    });
    expect(shape.keys).toEqual(
      [
        'appInfo',
        'appendJournal',
        'createWorkspace',
        'kind',
        'onMenuCommand',
        'onOpenFile',
        'openWorkspace',
        'printToPdf',
        'recentWorkspaces',
        'saveFile',
        'saveSnapshot',
      ].sort(),
    );
    for (const [k, t] of Object.entries(shape.kinds)) expect(t, k).toBe(k === 'kind' ? 'string' : 'function');
    expect(shape).toMatchObject({ require: 'undefined', process: 'undefined', module: 'undefined' });
  });

  test('navigation away and window.open are refused', async () => {
    await page.evaluate(() => window.open('https://example.com/'));
    expect(app.windows()).toHaveLength(1);
    await page.evaluate(() => {
      location.href = 'https://example.com.attacker.com/';
    });
    await expect.poll(() => page.url()).toBe('app://ringside/index.html');
  });

  test('the sample incident opens and is saved as a .ringside file', async () => {
    await page.getByTestId('open-sample').click();
    await expect(page.locator('html[data-app-state="workspace"]')).toBeAttached({ timeout: 150_000 });
    const recent = await page.evaluate(() =>
      (
        window as unknown as { ringside: { recentWorkspaces(): Promise<{ location: string }[]> } }
      ).ringside.recentWorkspaces(),
    );
    expect(recent[0]?.location).toMatch(/\.ringside$/);
    expect(errors).toEqual([]);
  });
});
