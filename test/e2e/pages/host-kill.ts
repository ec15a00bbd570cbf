// Starts Chromium on a profile directory of its own and SIGKILLs it, so a spec can test what survives a host crash.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, type BrowserContext, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../chromium.js';

/** The browser process started on this profile (not its zygotes, GPU or renderer children, which carry --type=). */
function browserPid(profile: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const args = cmd.split('\0');
    if (args.some((a) => a === `--user-data-dir=${profile}`) && !args.some((a) => a.startsWith('--type='))) {
      return Number(entry);
    }
  }
  throw new Error(`no Chromium process found for profile ${profile}`);
}

export class KillableHost {
  readonly profile = mkdtempSync(join(tmpdir(), 'ringside-kill-'));
  context: BrowserContext | undefined;
  page!: Page;

  constructor(readonly baseURL: string) {}

  async start(): Promise<Page> {
    const executablePath = findChromium();
    this.context = await chromium.launchPersistentContext(this.profile, {
      ...(executablePath ? { executablePath } : {}),
      args: CHROMIUM_ARGS,
      headless: true,
      baseURL: this.baseURL,
      viewport: { width: 1400, height: 900 },
    });
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    await this.page.goto('/');
    await expect(this.page.locator('html[data-app-state="start"]')).toBeAttached();
    return this.page;
  }

  /** SIGKILL, like a power cut or a crashed app: no unload handlers, no lazy flush of browser storage. */
  async kill(): Promise<void> {
    const pid = browserPid(this.profile);
    process.kill(pid, 'SIGKILL');
    // The context notices its browser is gone; close() then only tidies Playwright's side.
    await this.context?.close().catch(() => undefined);
    this.context = undefined;
  }

  /** Starts the host again on the same profile and reopens the most recent workspace. */
  async restartAndReopen(): Promise<Page> {
    const page = await this.start();
    await page.getByRole('region', { name: 'Recent workspaces' }).getByRole('button').first().click();
    await expect(page.locator('html[data-app-state="workspace"]')).toBeAttached({ timeout: 120_000 });
    return page;
  }

  async dispose(): Promise<void> {
    await this.context?.close().catch(() => undefined);
    rmSync(this.profile, { recursive: true, force: true });
  }
}
