// End to end: export a recovery tracker, change three results in it with openpyxl, import it back, confirm, see the Overview move by three.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Download } from '@playwright/test';
import * as XLSX from '@e965/xlsx';
import { REMAINING_STATES } from '../../core/contract/analysis.js';
import { STATE_LABEL } from '../../core/analysis/rules.js';
import { AppPage } from './pages/app.js';
import { OverviewPage } from './pages/dashboard.js';
import { ImportPage, sampleFile } from './pages/import.js';

const OPTS = { devices: 400, seed: 77 };

async function bytesOf(d: Download): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await d.createReadStream()) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/**
 * The war room's edit, made by a second writer: openpyxl opens the tracker, sets Result to "fixed" on the first three
 * rows whose device is still down, saves, and prints their hostnames.
 */
function markThreeFixed(tracker: Buffer): { bytes: Buffer; hosts: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-e2e-tracker-'));
  const file = join(dir, 'tracker.xlsx');
  writeFileSync(file, tracker);
  const down = REMAINING_STATES.map((s) => STATE_LABEL[s]);
  const script = `
import json, sys, openpyxl
path, down = sys.argv[1], json.loads(sys.argv[2])
wb = openpyxl.load_workbook(path)
ws = wb["Tracker"]
head = [c.value for c in ws[1]]
host, state, result = head.index("Hostname"), head.index("State now"), head.index("Result")
hosts = []
for row in ws.iter_rows(min_row=2):
    if len(hosts) < 3 and row[state].value in down and not row[result].value:
        row[result].value = "fixed"
        hosts.append(row[host].value)
wb.save(path)
print(json.dumps(hosts))
`;
  const out = execFileSync('/usr/bin/python3', ['-c', script, file, JSON.stringify(down)], { encoding: 'utf8' });
  return { bytes: readFileSync(file), hosts: JSON.parse(out) as string[] };
}

test('a tracker round trip: three results changed in the file move the Overview by exactly three', async ({ page }) => {
  test.setTimeout(180_000);
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  await imp.importFiles(
    await Promise.all((['falcon-hosts.csv', 'rollout-events.csv'] as const).map((n) => sampleFile(n, OPTS))),
  );

  const overview = new OverviewPage(page);
  await app.nav('Overview');
  const before = await overview.counts();
  expect(before.remaining).toBeGreaterThanOrEqual(3);

  await app.nav('Report');
  await expect(page.getByTestId('report-summary')).toBeVisible();
  // The managers' workbook downloads from the same toolbar, with its sheets.
  const [book] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-xlsx').click()]);
  expect(book.suggestedFilename()).toMatch(/^incident-report-.*\.xlsx$/);
  expect(XLSX.read(await bytesOf(book), { type: 'buffer' }).SheetNames).toEqual([
    'Summary',
    'By ring',
    'By site',
    'Burn-down',
    'Gate would have spared',
    'Devices',
  ]);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('tracker-export').click()]);
  expect(download.suggestedFilename()).toBe('recovery-tracker-all.xlsx');
  const exported = await bytesOf(download);
  // One row per device, under the header.
  const rows = XLSX.utils.sheet_to_json(XLSX.read(exported, { type: 'buffer' }).Sheets.Tracker!);
  expect(rows).toHaveLength(before.devices);

  const { bytes, hosts } = markThreeFixed(exported);
  expect(hosts).toHaveLength(3);

  await app.nav('Import');
  await page
    .getByTestId('import-files')
    .setInputFiles({ name: 'tracker-back.xlsx', mimeType: 'application/octet-stream', buffer: bytes });
  const diff = page.getByTestId('tracker-diff');
  await expect(diff).toBeVisible({ timeout: 60_000 });
  await expect(diff.getByTestId('tracker-change-count')).toHaveText('3');
  await expect(diff.getByTestId('tracker-change')).toHaveCount(3);
  for (const h of hosts)
    await expect(diff.locator(`[data-testid="tracker-change"][data-host="${h}"]`)).toContainText('fixed');
  await expect(diff.getByTestId('tracker-problem')).toHaveCount(0);

  // Nothing has changed before the diff is confirmed.
  await app.nav('Overview');
  expect(await overview.counts()).toEqual(before);
  await app.nav('Import');
  // The diff panel lives in the import view: importing again shows it again (nothing was applied).
  await page
    .getByTestId('import-files')
    .setInputFiles({ name: 'tracker-back.xlsx', mimeType: 'application/octet-stream', buffer: bytes });
  await page.getByTestId('tracker-diff').first().getByTestId('tracker-apply').click();
  await expect(page.getByTestId('tracker-applied')).toContainText('Applied 3 results');

  await app.nav('Overview');
  await expect
    .poll(async () => {
      const after = await overview.counts();
      return {
        fixed: after.fixed - before.fixed,
        remaining: before.remaining - after.remaining,
        devices: after.devices,
      };
    })
    .toEqual({ fixed: 3, remaining: 3, devices: before.devices });
  expect(pageErrors).toEqual([]);
});

test('a workbook with two data sheets asks which one, then imports that one', async ({ page }) => {
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  const wb = XLSX.utils.book_new();
  const head = ['Device name', 'Serial number', 'Primary user UPN'];
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['London'], [], head, ['LON-1', 'S1', 'a@x']]), 'London');
  XLSX.utils.book_append_sheet(
    wb,
    XLSX.utils.aoa_to_sheet([head, ['NYC-1', 'S2', 'b@x'], ['NYC-2', 'S3', 'c@x']]),
    'New York',
  );
  const buffer = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
  await page
    .getByTestId('import-files')
    .setInputFiles({ name: 'sites.xlsx', mimeType: 'application/octet-stream', buffer });
  const report = imp.report('sites.xlsx');
  const picker = report.getByTestId('sheet-picker');
  await expect(picker).toBeVisible({ timeout: 60_000 });
  await expect(picker).toContainText('London: header on row 3');
  await picker.getByTestId('sheet-select').selectOption('New York');
  await picker.getByTestId('sheet-submit').click();
  await expect(imp.report('sites.xlsx').getByTestId('import-format')).toHaveAttribute('data-format', 'intune', {
    timeout: 60_000,
  });
  await expect(imp.report('sites.xlsx').getByTestId('import-imported')).toHaveText('2');
  await expect(imp.report('sites.xlsx')).toContainText('read sheet "New York" of sites.xlsx');
  expect(pageErrors).toEqual([]);
});
