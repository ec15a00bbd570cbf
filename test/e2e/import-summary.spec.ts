// End to end: the batch summary puts a fully rejected file first with its grouped reason; a day-2 import shows its changes.
import { expect, test } from '@playwright/test';
import { summary } from '../../core/analysis/summary.js';
import { importFiles } from '../../core/ingest/index.js';
import { sampleImportInput } from '../../core/sample/index.js';
import { openWorkspace } from '../../core/workspace.js';
import { loadSqlJs } from '../../electron/node/sqljs.js';
import { AppPage } from './pages/app.js';
import { ImportPage, sampleFile } from './pages/import.js';

const HEADER =
  'Hostname,Host ID,Serial Number,Platform,OS Version,OS Build,Product Type,Sensor Version,First Seen,Last Seen,Site,Host Groups,Tags,Last Logged In User,Status';
const row = (host: string, aid: string) =>
  `${host},${aid},SN-${host},Windows,Windows 11,22631,Workstation,7.16.18605.0,2024-01-02T00:00:00Z,2024-07-23T10:00:00Z,LON,"Ring - Broad",,alice,Online`;
const aid = (n: number) => n.toString(16).padStart(32, '0');

test('a 10-file batch shows the fully rejected file first, its reason grouped, and offers to map it', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const app = new AppPage(page);
  await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  const files = Array.from({ length: 10 }, (_, f) => {
    // File 8 (index 7): every row has a Host ID that is not 32 hex digits, so every row is rejected for one reason.
    const lines =
      f === 7
        ? Array.from({ length: 6 }, (_, i) => row(`BAD-${i}`, `not-an-aid-${i}`))
        : [row(`PC-${f}-A`, aid(f * 10 + 1)), row(`PC-${f}-B`, aid(f * 10 + 2))];
    return {
      name: `falcon-${String(f + 1).padStart(2, '0')}.csv`,
      mimeType: 'text/csv',
      buffer: Buffer.from([HEADER, ...lines].join('\r\n')),
    };
  });
  await imp.importFiles(files);
  const summaryPanel = page.getByTestId('batch-summary');
  // By hand: 9 files of 2 good rows each, one file of 6 bad rows.
  await expect(page.getByTestId('batch-headline')).toHaveText('10 files: 9 imported cleanly, 1 file with problems');
  const first = summaryPanel.getByTestId('batch-file').first();
  await expect(first).toHaveAttribute('data-file', 'falcon-08.csv');
  await expect(first).toContainText('all 6 rows rejected');
  await expect(first.getByTestId('batch-reason')).toContainText('6 rows; lines 2, 3, 4, 5, 6, …');
  await expect(summaryPanel.getByTestId('batch-changes')).toContainText('+18 devices (now 18)');
  // The file's own card is first too, with one grouped reason instead of six identical lines.
  await expect(page.getByTestId('import-report').first()).toHaveAttribute('data-file', 'falcon-08.csv');
  await expect(imp.report('falcon-08.csv').getByTestId('import-reason')).toHaveCount(1);
  await expect(imp.report('falcon-08.csv').getByTestId('import-reason').first()).toContainText('6');
  // A recognised file can still be sent to the column-mapping step.
  await first.getByRole('button', { name: /Map the columns/ }).click();
  await expect(imp.report('falcon-08.csv').getByTestId('mapping-form')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e-import/batch-summary.png', fullPage: true });
});

test('a day-2 import says what it changed: no new devices, states moved, the data time', async ({ page }) => {
  test.setTimeout(180_000);
  const SAMPLE = { devices: 300, seed: 7 };
  // The expected change, computed in Node with plain SQL around the same imports.
  const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(2) });
  await importFiles(ws, [
    sampleImportInput('falcon-hosts.csv', SAMPLE),
    sampleImportInput('intune-devices.csv', SAMPLE),
  ]);
  const day1 = new Map(
    ws.db
      .all<{ id: number; state: string }>('SELECT id, state FROM devices WHERE superseded_by IS NULL')
      .map((r) => [r.id, r.state]),
  );
  const before = summary(ws);
  await importFiles(ws, [sampleImportInput('rollout-events.csv', SAMPLE)]);
  const after = ws.db.all<{ id: number; state: string }>('SELECT id, state FROM devices WHERE superseded_by IS NULL');
  const moved = after.filter((r) => day1.get(r.id) !== r.state).length;
  const asOf = summary(ws).asOf!;
  expect(moved).toBeGreaterThan(0);
  const iso = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' ');

  const app = new AppPage(page);
  await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  await imp.importFiles([await sampleFile('falcon-hosts.csv', SAMPLE), await sampleFile('intune-devices.csv', SAMPLE)]);
  await imp.importFiles([await sampleFile('rollout-events.csv', SAMPLE)]);
  const changes = page.getByTestId('batch-changes');
  await expect(changes).toContainText(`+0 devices (now ${before.totals.devices})`);
  await expect(changes).toContainText(`${moved} devices changed state`);
  // The summary names the data time before and after, or says it did not move (events inside the fleet's span).
  await expect(changes).toContainText(
    before.asOf === asOf
      ? `data time unchanged, ${iso(asOf)} UTC`
      : `data time ${iso(before.asOf!)} UTC → ${iso(asOf)} UTC`,
  );
  // The Overview's change log lists both batches, newest first.
  await app.nav('Overview');
  const log = page.getByTestId('change-log');
  await expect(log.getByRole('listitem')).toHaveCount(2);
  await expect(log.getByRole('listitem').first()).toContainText('import of 1 file: rollout-events.csv');
  await expect(log.getByRole('listitem').first()).toContainText(`${moved} devices changed state`);
});
