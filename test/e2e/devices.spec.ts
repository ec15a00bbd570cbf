// End to end: a hostile hostname imported from a Falcon CSV comes out of the device CSV export prefixed, never as a formula.
import { expect, test } from '@playwright/test';
import { AppPage } from './pages/app.js';
import { DevicesPage } from './pages/dashboard.js';
import { ImportPage } from './pages/import.js';

const HEADER =
  'Hostname,Host ID,Serial Number,Platform,OS Version,OS Build,Product Type,Sensor Version,First Seen,Last Seen,Site,Host Groups,Tags,Last Logged In User,Status';
const FALCON = [
  HEADER,
  '"=HYPERLINK(""x"")",0123456789abcdef0123456789abcdef,SN-1,Windows,Windows 11,22631,Workstation,7.16.18605.0,2024-01-02T00:00:00Z,2024-07-23T10:00:00Z,LON,"Ring - Broad, Windows Workstations",,alice,Online',
  'PC-0002,1123456789abcdef0123456789abcdef,SN-2,Windows,Windows 11,22631,Workstation,7.16.18605.0,2024-01-02T00:00:00Z,2024-07-23T10:00:00Z,LON,"Ring - Test, Windows Workstations","FalconGroupingTags/Critical-Clinical",bob,Online',
  '@SUM(A1),2123456789abcdef0123456789abcdef,SN-3,Windows,Windows 10,19045,Workstation,7.10.17706.0,2024-01-02T00:00:00Z,2024-07-23T10:00:00Z,NYC,"Ring - Broad, Windows Workstations",,carol,Online',
].join('\r\n');

test('the device CSV export prefixes formula-like cells', async ({ page }) => {
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  await imp.importFiles([{ name: 'falcon-hosts.csv', mimeType: 'text/csv', buffer: Buffer.from(FALCON) }]);
  await app.nav('Devices');
  const dev = new DevicesPage(page);
  expect(await dev.total()).toBe(3);
  // React renders the hostname as text: it shows literally in the table.
  await expect(dev.table()).toContainText('=HYPERLINK("x")');
  const all = await dev.exportCsv();
  const lines = all.split('\r\n').filter(Boolean);
  expect(lines).toHaveLength(4);
  expect(all).toContain(`"'=HYPERLINK(""x"")"`);
  expect(all).toContain(`'@SUM(A1)`);
  expect(lines.some((l) => l.startsWith('PC-0002,'))).toBe(true);
  expect(lines.some((l) => /^"?=/.test(l))).toBe(false);

  // The text filter narrows the export too.
  await dev.search('HYPERLINK');
  await expect(page.getByTestId('device-total')).toHaveText('1 device');
  const one = (await dev.exportCsv()).split('\r\n').filter(Boolean);
  expect(one).toHaveLength(2);
  expect(one[1]).toMatch(/^"'=HYPERLINK\(""x""\)",Broad,LON,/);
  expect(pageErrors).toEqual([]);
});

test('a text search with more matches than its first page shows them counted after the page', async ({ page }) => {
  // 450 hosts CNT-0001 … CNT-0450 and 3 others: "CNT-" matches 450, more than the table's first page of 200.
  const rows = Array.from({ length: 453 }, (_, i) => {
    const name = i < 450 ? `CNT-${String(i + 1).padStart(4, '0')}` : `OTHER-${i}`;
    const aid = (i + 1).toString(16).padStart(32, '0');
    return `${name},${aid},SN-${i},Windows,Windows 11,22631,Workstation,7.16.18605.0,2024-01-02T00:00:00Z,2024-07-23T10:00:00Z,LON,"Ring - Broad, Windows Workstations",,user${i},Online`;
  });
  const app = new AppPage(page);
  await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  await imp.importFiles([
    { name: 'falcon-hosts.csv', mimeType: 'text/csv', buffer: Buffer.from([HEADER, ...rows].join('\r\n')) },
  ]);
  await app.nav('Devices');
  const dev = new DevicesPage(page);
  expect(await dev.total()).toBe(453);
  await dev.search('cnt-');
  await expect(page.getByTestId('device-total')).toHaveText('450 devices');
  expect(await dev.total()).toBe(450);
  await page.screenshot({ path: 'test-results/e2e-devices/search-counted.png' });
  await dev.search('cnt-04');
  await expect(page.getByTestId('device-total')).toHaveText('51 devices');
});
