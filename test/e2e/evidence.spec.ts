// End to end: day-1 then day-2 default-column exports through the Import view; counts, bars and evidence explained.
import { expect, test, type Page } from '@playwright/test';
import {
  day1Files,
  day2Files,
  falconSeen,
  population,
  type ExportFile,
  type Machine,
} from '../fixtures/published/exports.js';
import { AppPage } from './pages/app.js';
import { ImportPage, type FilePayload } from './pages/import.js';

// Tall enough that the device table renders every listed row (it is virtual).
test.use({ viewport: { width: 1400, height: 2400 } });

const pop = population();
const payload = (files: ExportFile[]): FilePayload[] =>
  files.map((f) => ({
    name: f.name,
    mimeType: f.name.endsWith('.zip') ? 'application/zip' : 'text/csv',
    buffer: Buffer.from(f.data),
  }));

const crashed = (m: Machine) => m.fate === 'bsod' || m.fate === 'loop';

async function listedHosts(page: Page): Promise<string[]> {
  const rows = page.getByTestId('device-table').locator('.dt-body [role="row"]');
  await expect(rows.first()).not.toHaveClass(/loading/);
  return (await rows.locator('[role="gridcell"]:first-child').allInnerTexts()).map((t) => t.trim()).sort();
}

test('day 1 then day 2 through the UI: burn-down gains a point, recovered rises, counts list their devices, evidence opens', async ({
  page,
}) => {
  const app = new AppPage(page);
  const { pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  const d1 = payload(day1Files(pop));
  await imp.importFiles(d1);
  for (const f of d1) await expect(imp.report(f.name).getByTestId('import-rejected')).toHaveText('0');

  await app.nav('Overview');
  const points = page.getByTestId('export-points').locator('[data-t]');
  await expect(points.first()).toBeAttached();
  const pointsDay1 = await points.count();
  // Each export is also a dot on every ring's panel (the list above is the screen-reader text of the same points).
  const dots = page.getByTestId('burn-ring').locator('.sm-panel').first().locator('.sm-export-point');
  await expect(dots).toHaveCount(pointsDay1);
  await expect(page.getByTestId('count-recovered')).toHaveText('0');
  // The Falcon export's as-of time is its latest Last Seen; data time is the Autopatch report's 09:12.
  const falconAsOf = new Date(Math.max(...pop.map((m) => falconSeen(m, 1))));
  const hhmm = falconAsOf.toISOString().slice(11, 16);
  const ageMin = Math.round((Date.UTC(2024, 6, 19, 9, 12) - falconAsOf.getTime()) / 60_000);
  await expect(page.getByTestId('freshness').locator('[data-source="falcon"]')).toHaveText(
    `Falcon export as of 19 Jul ${hhmm} UTC, ${ageMin} min old`,
  );

  await app.nav('Import');
  const d2 = payload(day2Files(pop));
  await imp.importFiles(d2);
  await app.nav('Overview');
  await expect(points).toHaveCount(pointsDay1 + 2);
  await expect(dots).toHaveCount(pointsDay1 + 2);
  const recovered = pop.filter((m) => crashed(m) && m.back).length;
  await expect(page.getByTestId('count-recovered')).toHaveText(String(recovered));
  expect(recovered).toBeGreaterThan(0);
  // Entra and Autopatch were exported once, on day 1: flagged as stale against the day-2 Falcon export.
  await expect(page.getByTestId('freshness').locator('[data-source="entra"]')).toHaveAttribute('data-stale', 'true');
  await page.screenshot({ path: 'test-results/e2e-evidence/overview-day2.png', fullPage: true });

  // A big number lists exactly its devices.
  const remaining = pop.filter((m) => (crashed(m) && !m.back) || (m.fate === 'silent' && !m.back));
  await expect(page.getByTestId('count-remaining')).toHaveText(String(remaining.length));
  await page.getByTestId('count-remaining').click();
  await expect(page.getByTestId('device-total')).toContainText(`${remaining.length} devices`);
  expect(await listedHosts(page)).toEqual(remaining.map((m) => m.host).sort());

  // The suspected part of "affected" lists the silent machines only.
  await app.nav('Overview');
  await page.getByTestId('suspected-affected').click();
  const silent = pop.filter((m) => m.fate === 'silent' && !m.back);
  expect(silent.length).toBeGreaterThan(0);
  await expect(page.getByTestId('device-total')).toContainText(`${silent.length} devices`);
  expect(await listedHosts(page)).toEqual(silent.map((m) => m.host).sort());

  // A bar segment (confirmed "needs hands-on fix" of one ring) lists exactly that ring's devices in that state.
  await app.nav('Overview');
  await page.getByTestId('ring-bars-count').click();
  const seg = page.locator('[data-testid="ring-chart"] .bar-needs_fix .recharts-rectangle');
  await expect(seg.first()).toBeVisible();
  await seg.first().click();
  // The click moves to the device list with the ring filter set; wait for it rather than read the old "All".
  await expect(page.getByTestId('filter-ring')).not.toHaveValue('');
  const ring = await page.getByTestId('filter-ring').inputValue();
  const inRing = pop.filter((m) => m.ring === ring && crashed(m) && !m.back);
  expect(inRing.length).toBeGreaterThan(0);
  await expect(page.getByTestId('device-total')).toContainText(`${inRing.length} devices`);
  expect(await listedHosts(page)).toEqual(inRing.map((m) => m.host).sort());

  // A device's evidence chain: its crash from the event log, with file and line, and the deciding fact marked.
  await page.getByTestId('device-table').locator('.dt-body [role="row"]').first().click();
  const chain = page.getByTestId('evidence-chain');
  await expect(chain).toBeVisible();
  await expect(chain).toContainText('system-41-1001.csv, line');
  await expect(chain.locator('tr[data-deciding]')).toHaveCount(1);
  await expect(chain.locator('tr[data-deciding]')).toHaveAttribute('data-class', 'crash');
  await page.screenshot({ path: 'test-results/e2e-evidence/evidence-chain.png', fullPage: true });
  expect(pageErrors).toEqual([]);
});
