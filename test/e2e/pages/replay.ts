// Page model for the rollout replay view: policy editor fields, run, results, halt commands.
import { expect, type Locator, type Page } from '@playwright/test';

export class ReplayPage {
  constructor(readonly page: Page) {}

  get editor(): Locator {
    return this.page.getByTestId('policy-editor');
  }

  async ready(): Promise<void> {
    await expect(this.page.getByRole('heading', { name: 'Rollout replay' })).toBeVisible();
    await expect(this.editor).toBeVisible();
  }

  async setMinSample(gate: number, value: number): Promise<void> {
    await this.page.getByLabel(`Gate ${gate} minimum sample`).fill(String(value));
  }

  async setBakeHours(ring: string, hours: number): Promise<void> {
    await this.page.getByLabel(`Ring ${ring} bake hours`).fill(String(hours));
  }

  /** Runs the replay and returns the spared count once the result is on screen. */
  async run(): Promise<number> {
    // Read the previous count only if one is shown: textContent() would wait for the element to appear.
    const spared = this.page.getByTestId('replay-spared');
    const before = (await spared.count()) > 0 ? await spared.textContent() : null;
    await this.page.getByRole('button', { name: 'Run replay' }).click();
    await expect(this.page.getByRole('button', { name: 'Run replay' })).toBeEnabled({ timeout: 120_000 });
    await expect(this.page.getByTestId('replay-spared')).toBeVisible();
    if (before !== null) await expect(this.page.getByTestId('replay-spared')).not.toHaveText(before);
    return Number((await this.page.getByTestId('replay-spared').textContent())!.replace(/,/g, ''));
  }

  ringCell(ring: string, key: 'reached' | 'spared'): Locator {
    return this.page.getByTestId('replay-rings').locator(`tr[data-ring="${ring}"] td[data-k="${key}"]`);
  }

  async openHaltCommands(): Promise<Locator> {
    await this.page.getByRole('button', { name: 'Halt commands' }).click();
    const panel = this.page.getByTestId('halt-panel');
    await expect(panel).toBeVisible({ timeout: 60_000 });
    return panel;
  }
}
