// Page models for field packs (console side) and technician mode (a fresh browser profile). Specs use these, not raw selectors.
import { expect, type Page } from '@playwright/test';
import path from 'node:path';

export class PacksPage {
  constructor(readonly page: Page) {}

  async fixedCount(): Promise<number> {
    const text = await this.page.getByTestId('packs-fixed').textContent();
    return Number((text ?? '').replace(/[^\d]/g, ''));
  }

  /** The first site that still has devices to fix, as offered in the site picker. */
  async firstSiteWithWork(): Promise<string> {
    const select = this.page.getByTestId('pack-site');
    await expect(select.locator('option:not([disabled])').nth(1)).toBeAttached();
    return (await select.locator('option:not([disabled])').nth(1).getAttribute('value')) ?? '';
  }

  /** Types a passphrase twice for the site; returns the hint under the form (why Create is disabled, if it is). */
  async typePassphrase(site: string, passphrase: string): Promise<string> {
    await this.page.getByTestId('pack-site').selectOption(site);
    await this.page.getByTestId('pack-passphrase').fill(passphrase);
    await this.page.getByTestId('pack-passphrase2').fill(passphrase);
    await expect(this.page.getByTestId('pack-strength')).toBeVisible();
    return (await this.page.getByTestId('pack-create').getAttribute('title')) ?? '';
  }

  /** Creates a pack for the site through the confirm step and returns where the download was saved. */
  async createPack(site: string, passphrase: string, dir: string): Promise<string> {
    await this.page.getByTestId('pack-site').selectOption(site);
    await this.page.getByTestId('pack-passphrase').fill(passphrase);
    await this.page.getByTestId('pack-passphrase2').fill(passphrase);
    await this.page.getByTestId('pack-create').click();
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId('pack-confirm').click(),
    ]);
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    await expect(this.page.getByTestId('pack-message')).toContainText('recovery key');
    return file;
  }

  async importResults(file: string): Promise<string> {
    const report = this.page.getByTestId('merge-report');
    const before = (await report.count()) ? Number(await report.getAttribute('data-imports')) : 0;
    await this.page.getByTestId('results-file').setInputFiles(file);
    await expect(report).toHaveAttribute('data-imports', String(before + 1));
    return (await report.textContent()) ?? '';
  }
}

export class TechnicianPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto('/#/technician');
    await expect(this.page.locator('html[data-technician-state="locked"]')).toBeAttached();
  }

  async tryOpen(file: string, passphrase: string): Promise<void> {
    await this.page.getByTestId('pack-file').setInputFiles(file);
    await expect(this.page.getByTestId('pack-header')).toBeVisible();
    await this.page.getByTestId('pack-passphrase').fill(passphrase);
    await this.page.getByTestId('pack-passphrase').press('Enter');
  }

  async open(file: string, passphrase: string): Promise<void> {
    await this.tryOpen(file, passphrase);
    await expect(this.page.locator('html[data-technician-state="open"]')).toBeAttached();
  }

  async error(): Promise<string> {
    const e = this.page.getByTestId('pack-error');
    await expect(e).toBeVisible();
    return (await e.textContent()) ?? '';
  }

  async setName(name: string): Promise<void> {
    await this.page.getByTestId('technician-name').fill(name);
  }

  deviceList() {
    return this.page.getByRole('listbox', { name: 'Devices in this pack' });
  }

  /** Reveals the current device's first key through the confirm step and returns what is shown. */
  async revealKey(): Promise<string> {
    await this.page.getByTestId('reveal-key').first().click();
    await this.page.getByTestId('confirm-reveal').click();
    const shown = this.page.getByTestId('revealed-key');
    await expect(shown).toBeVisible();
    return (await shown.textContent()) ?? '';
  }

  /** Records a result with the keyboard (Alt+1 = fixed) and waits until it is saved (the done count moves). */
  async recordFixedByKeyboard(): Promise<void> {
    const done = this.page.getByTestId('tech-done');
    const before = Number(await done.getAttribute('data-done'));
    const host = (await this.page.getByTestId('tech-device').textContent()) ?? '';
    await this.page.keyboard.press('Alt+1');
    await expect(done).toHaveAttribute('data-done', String(before + 1));
    await expect(this.page.getByTestId('tech-status')).toContainText(`${host}: fixed saved`);
  }

  async nextDeviceByKeyboard(): Promise<void> {
    const heading = this.page.getByTestId('tech-device');
    const host = (await heading.textContent()) ?? '';
    await this.page.keyboard.press('Alt+ArrowDown');
    await expect(heading).not.toHaveText(host);
  }

  async exportResults(dir: string): Promise<string> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId('export-results').click(),
    ]);
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    return file;
  }
}
