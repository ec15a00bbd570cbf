// Page model for the import view: open an empty workspace, import files through the picker, map a generic CSV.
import { expect, type Locator, type Page } from '@playwright/test';
import { sampleByteStream, type SampleExportName } from '../../../core/sample/index.js';

export interface FilePayload {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

export class ImportPage {
  constructor(readonly page: Page) {}

  async openEmptyWorkspace(): Promise<void> {
    await this.page.getByRole('button', { name: 'New empty workspace' }).click();
    await expect(this.page.locator('html[data-app-state="workspace"]')).toBeAttached({ timeout: 60_000 });
  }

  /** The newest report for that file name (reports are listed newest first). */
  report(file: string): Locator {
    return this.page.locator(`[data-testid="import-report"][data-file="${file}"]`).first();
  }

  /**
   * Picks the files and waits until every one has its report. A status report without a time column first asks for
   * its "as of" time: the time found is accepted (the as-of spec changes it).
   */
  async importFiles(files: FilePayload[]): Promise<void> {
    await this.page.getByTestId('import-files').setInputFiles(files);
    const step = this.page.getByTestId('as-of-step');
    const first = this.report(files[0]!.name).getByTestId('import-summary');
    await expect(step.or(first).first()).toBeVisible({ timeout: 90_000 });
    if (await step.isVisible()) await step.getByTestId('as-of-submit').click();
    for (const f of files)
      await expect(this.report(f.name).getByTestId('import-summary')).toBeVisible({ timeout: 90_000 });
  }

  async format(file: string): Promise<string | null> {
    return this.report(file).getByTestId('import-format').getAttribute('data-format');
  }

  /** Fills the column-mapping form of an unrecognised file and imports it. */
  async mapColumns(file: string, kind: 'fleet' | 'keys' | 'rollout', columns: Record<string, string>): Promise<void> {
    const form = this.report(file).getByTestId('mapping-form');
    await expect(form).toBeVisible();
    await form.getByTestId('mapping-kind').selectOption(kind);
    for (const [field, header] of Object.entries(columns)) await form.getByTestId(`map-${field}`).selectOption(header);
    await form.getByTestId('mapping-submit').click();
    await expect(this.report(file).getByTestId('import-format')).toHaveAttribute('data-format', 'generic', {
      timeout: 60_000,
    });
  }

  pastImports(): Locator {
    return this.page.getByTestId('past-import');
  }
}

/** One of the sample incident's export files, generated in Node, as a payload for the Import view's file input. */
export async function sampleFile(
  name: SampleExportName,
  opts: { devices: number; seed: number },
): Promise<FilePayload> {
  const parts: Uint8Array[] = [];
  const reader = sampleByteStream(name, opts).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return { name, mimeType: 'text/csv', buffer: Buffer.concat(parts) };
}
