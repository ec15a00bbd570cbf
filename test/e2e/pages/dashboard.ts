// Page models for the analysis views: overview numbers and charts, the device table and drawer, the report.
import { expect, type Download, type Page } from '@playwright/test';

export const COUNT_KEYS = ['devices', 'exposed', 'affected', 'recovered', 'fixed', 'remaining'] as const;
export type CountKey = (typeof COUNT_KEYS)[number];

const num = (s: string | null) => Number((s ?? '').replace(/[^0-9-]/g, ''));

export class OverviewPage {
  constructor(readonly page: Page) {}

  async ready(): Promise<void> {
    await expect(this.page.getByTestId('count-devices')).not.toHaveText('…');
    await expect(this.page.locator('section.overview[aria-busy="false"]')).toBeAttached();
  }

  async counts(): Promise<Record<CountKey, number>> {
    await this.ready();
    const out = {} as Record<CountKey, number>;
    for (const k of COUNT_KEYS) out[k] = num(await this.page.getByTestId(`count-${k}`).textContent());
    return out;
  }

  /** The numbers behind the ring or site chart, by row name. */
  async chartData(which: 'ring' | 'site'): Promise<Record<string, Record<CountKey, number>>> {
    await this.ready();
    const rows = this.page.getByTestId(`${which}-data`).locator('tbody tr');
    const out: Record<string, Record<CountKey, number>> = {};
    for (const row of await rows.all()) {
      const name = (await row.getAttribute('data-name')) ?? '';
      const r = {} as Record<CountKey, number>;
      for (const k of COUNT_KEYS) r[k] = num(await row.locator(`td[data-k="${k}"]`).textContent());
      out[name] = r;
    }
    return out;
  }

  async filter(field: 'ring' | 'site' | 'platform' | 'tag', value: string): Promise<void> {
    await this.page.getByTestId(`filter-${field}`).first().selectOption(value);
    await this.ready();
  }

  /** Clicks a chart's export button and returns the saved file (a download in the browser host). */
  async exportChart(chart: string, kind: 'png' | 'svg'): Promise<{ download: Download; bytes: Buffer }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId(`${chart}-${kind}`).click(),
    ]);
    const stream = await download.createReadStream();
    const parts: Buffer[] = [];
    for await (const c of stream) parts.push(c as Buffer);
    return { download, bytes: Buffer.concat(parts) };
  }
}

export class DevicesPage {
  constructor(readonly page: Page) {}

  table() {
    return this.page.getByTestId('device-table');
  }

  async total(): Promise<number> {
    const t = this.page.getByTestId('device-total');
    // The count is final once the first page for the current query has arrived (timings show only with ?debug).
    await expect(t).toHaveAttribute('data-ready', 'true');
    return num((await t.textContent())?.split(' device')[0] ?? '');
  }

  async search(text: string): Promise<void> {
    await this.page.getByTestId('filter-text').fill(text);
  }

  async visibleColumn(index: number): Promise<string[]> {
    const rows = this.table().locator('.dt-row:not(.loading)');
    await expect(rows.first()).toBeVisible();
    return rows.evaluateAll(
      (els, i) => els.map((e) => (e.children[i] as HTMLElement | undefined)?.innerText ?? ''),
      index,
    );
  }

  async exportCsv(): Promise<string> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId('export-csv').click(),
    ]);
    const stream = await download.createReadStream();
    const parts: Buffer[] = [];
    for await (const c of stream) parts.push(c as Buffer);
    return Buffer.concat(parts).toString('utf8');
  }
}
