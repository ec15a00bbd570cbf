// Field work on site: the pack flow names devices without a key before saving; the checklist shows typed steps whose commands and keys never break.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppPage } from './pages/app.js';
import { PacksPage, TechnicianPage } from './pages/packs.js';

const PASS = 'technician e2e passphrase';

/**
 * Command, path and key tokens whose characters do not all sit on one line: for each character a Range gives its
 * box, and a token is broken when two boxes' tops differ by more than half the font size.
 */
async function brokenTokens(page: Page): Promise<{ checked: number; kinds: string[]; broken: string[] }> {
  return page.evaluate(() => {
    const broken: string[] = [];
    const kinds = new Set<string>();
    let checked = 0;
    for (const el of document.querySelectorAll<HTMLElement>('[data-token]')) {
      const tops: number[] = [];
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        for (let i = 0; i < text.length; i++) {
          range.setStart(n, i);
          range.setEnd(n, i + 1);
          const r = range.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue;
          tops.push(r.top);
        }
      }
      checked++;
      kinds.add(el.dataset.token ?? '');
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (tops.length === 0 || Math.max(...tops) - Math.min(...tops) > size / 2) broken.push(el.textContent ?? '');
    }
    return { checked, kinds: [...kinds].sort(), broken };
  });
}

async function makePack(page: Page, dir: string, pick?: (packs: PacksPage) => Promise<void>) {
  const app = new AppPage(page);
  const { cspViolations, pageErrors } = await app.goto();
  await app.openSample();
  await app.nav('Field packs');
  const packs = new PacksPage(page);
  await packs.firstSiteWithWork(); // waits until the site list has loaded
  const sites = await page
    .getByTestId('pack-site')
    .locator('option:not([disabled])')
    .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
  // The first site with a device that has no valid recovery key (the sample leaves about 6 % without one).
  let site = '';
  for (const s of sites) {
    await packs.openConfirm(s, PASS);
    if ((await packs.noKeyRows().count()) > 0) {
      site = s;
      break;
    }
    await page.getByRole('button', { name: 'Cancel' }).click();
  }
  expect(site, 'a site with a keyless device').not.toBe('');
  if (pick) await pick(packs);
  const file = await packs.confirmAndSave(dir);
  return { file, site, packs, cspViolations, pageErrors };
}

test('pack flow: the devices without a valid key are listed with why before saving; one is carried with Safe Mode', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-e2e-nokey-'));
  try {
    let chosen = '';
    let total = 0;
    const made = await makePack(page, dir, async (packs) => {
      const rows = packs.noKeyRows();
      total = await rows.count();
      // Each row says why, in the words of the issue.
      for (let i = 0; i < total; i++)
        await expect(rows.nth(i)).toContainText(/none imported|invalid checksum|key ID mismatch/);
      await expect(page.getByTestId('pack-nokey')).toContainText(
        `${total} ${total === 1 ? 'device' : 'devices'} without a valid recovery key`,
      );
      await packs.leaveAllOut();
      await expect(page.getByTestId('pack-nokey')).toContainText(`(${total} left out)`);
      chosen = (await rows.first().getAttribute('data-host')) ?? '';
      await packs.choosePath(chosen, 'Carry with the Safe Mode path');
      await expect(page.getByTestId('pack-nokey')).toContainText(total > 1 ? `(${total - 1} left out)` : 'key');
      await page.screenshot({ path: path.join('test-results', 'e2e', 'pack-nokey.png'), fullPage: true });
    });
    await expect(page.getByTestId('pack-message')).toContainText(
      `1 device without a valid key carried with Safe Mode or reimage, ${total - 1} left out`,
    );

    const ctx = await browser.newContext({ baseURL, acceptDownloads: true, viewport: { width: 1280, height: 800 } });
    const tpage = await ctx.newPage();
    const tech = new TechnicianPage(tpage);
    await tech.goto();
    await tech.open(made.file, PASS);
    await tech.selectDevice(chosen);
    await expect(tpage.getByTestId('tech-nokey')).toBeVisible();
    expect(await tech.procedure()).toBe('safe-mode');
    await expect(tpage.getByTestId('tech-method')).toHaveValue('Safe mode');
    // The Method field picks the procedure; without a key, WinRE means WinRE then Safe Mode.
    await tech.setMethod('WinRE command prompt');
    expect(await tech.procedure()).toBe('winre-safe-mode');
    await expect(tpage.getByTestId('tech-steps')).toContainText('bcdedit /set {default} safeboot minimal');
    await expect(tpage.getByTestId('tech-steps')).toContainText('bcdedit /deletevalue {default} safeboot');
    await tech.setMethod('Reimage');
    expect(await tech.procedure()).toBe('reimage');
    await ctx.close();
    expect(made.cspViolations.filter((v) => v !== 'script-src eval')).toEqual([]);
    expect(made.pageErrors).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('technician checklist: commands and keys never break across lines at 1280x800 and 1920x1080, light and dark', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-e2e-tech-'));
  const shots = path.resolve(process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots');
  mkdirSync(shots, { recursive: true });
  try {
    const made = await makePack(page, dir);
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ] as const)
      for (const theme of ['light', 'dark'] as const) {
        const ctx = await browser.newContext({ baseURL, viewport: { width, height } });
        await ctx.addInitScript((t) => localStorage.setItem('ringside.theme', t), theme);
        const tpage = await ctx.newPage();
        const tech = new TechnicianPage(tpage);
        await tech.goto();
        await tech.open(made.file, PASS);
        await tech.setName('tech-e2e');
        // A device with a key: reveal it, so the key and the unlock command with its key are on screen.
        await tech.deviceList().getByRole('option').first().focus();
        expect(await tech.procedure()).toBe('winre-key');
        const key = await tech.revealKey();
        expect(key).toMatch(/^\d{6}(-\d{6}){7}$/);
        await expect(tpage.getByTestId('tech-steps')).toContainText('manage-bde -unlock C: -RecoveryPassword');
        await expect(tpage.locator('html')).toHaveAttribute('data-theme', theme);
        const r = await brokenTokens(tpage);
        expect(r.kinds).toEqual(['command', 'key', 'path']);
        // By hand from the WinRE-with-key procedure: 5 commands (unlock, status, del, dir, wpeutil), 1 path, and
        // the key twice (the BitLocker panel and after the unlock command).
        expect(r.checked).toBe(8);
        expect(r.broken, `${width}x${height} ${theme}`).toEqual([]);
        // The key's groups are separated by a visible mark, and its text is the key as typed.
        const seps = tpage.getByTestId('revealed-key').locator('.tech-key-sep');
        await expect(seps).toHaveCount(7);
        await tpage.screenshot({ path: path.join(shots, `technician-${width}x${height}-${theme}.png`) });
        if (theme === 'light') {
          // The printed run sheet uses the same tokens: none breaks on paper either.
          await tpage.emulateMedia({ media: 'print' });
          const printed = await brokenTokens(tpage);
          expect(printed.checked).toBe(8);
          expect(printed.broken, `${width}x${height} print`).toEqual([]);
          await expect(tpage.getByRole('listbox', { name: 'Devices in this pack' })).toBeHidden();
          await tpage.emulateMedia({ media: 'screen' });
        }
        if (width === 1280 && theme === 'light') {
          // The check can fail: with wrapping allowed in a narrow box, the same tokens break.
          // (Set through the CSSOM: the page's CSP refuses an injected style sheet.)
          await tpage.evaluate(() => {
            for (const el of document.querySelectorAll<HTMLElement>('.tech-token')) {
              el.style.setProperty('white-space', 'normal', 'important');
              el.style.setProperty('max-width', '9ch', 'important');
              el.style.setProperty('display', 'inline-block', 'important');
            }
          });
          expect((await brokenTokens(tpage)).broken.length).toBeGreaterThan(3);
        }
        await ctx.close();
      }
    expect(made.pageErrors).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
