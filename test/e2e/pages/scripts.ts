// Page model for the Scripts view: target selection, audited keys confirmation, generation, bundle download.
import { expect, type Download, type Page } from '@playwright/test';

export class ScriptsPage {
  constructor(readonly page: Page) {}

  view() {
    return this.page.getByTestId('scripts-view');
  }

  async choose(opts: { playbook?: string; route?: string; site?: string; ring?: string; state?: string }) {
    if (opts.playbook) await this.page.getByTestId('playbook').selectOption(opts.playbook);
    if (opts.route) await this.page.getByTestId('route').selectOption(opts.route);
    if (opts.site) await this.page.getByTestId('site').selectOption(opts.site);
    if (opts.ring) await this.page.getByTestId('ring').selectOption(opts.ring);
    if (opts.state) await this.page.getByTestId('state').selectOption(opts.state);
  }

  async includeKeys() {
    // The box stays unticked until the confirmation is accepted.
    await this.page.getByTestId('with-keys').click();
    await expect(this.page.getByRole('alertdialog')).toContainText('audit');
    await this.page.getByTestId('confirm-keys').click();
    await expect(this.page.getByTestId('with-keys')).toBeChecked();
  }

  async generate(): Promise<number> {
    const existing = this.page.getByTestId('bundle');
    const before = (await existing.count()) ? await existing.getAttribute('data-generation') : null;
    await this.page.getByTestId('generate').click();
    const bundle = this.page.getByTestId('bundle');
    await expect(bundle).toBeVisible();
    if (before) await expect(bundle).not.toHaveAttribute('data-generation', before);
    return Number(await bundle.getAttribute('data-generation'));
  }

  /** Loads a playbook file through the file input (JSON text given in the test). */
  async loadPlaybook(name: string, json: string) {
    await this.page
      .getByTestId('load-playbook')
      .setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(json) });
  }

  async download(): Promise<Download> {
    const wait = this.page.waitForEvent('download');
    await this.page.getByTestId('save-bundle').click();
    return wait;
  }
}
