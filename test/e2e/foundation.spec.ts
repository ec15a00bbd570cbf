// End to end, the first complete path: one click opens the built-in sample incident, the numbers match the
// generator's ground truth, the device table filters, and a site's WinRE script is generated and checked.
import { expect, test } from '@playwright/test';
import { DEFAULT_DEVICES, DEFAULT_SEED, sampleOptions } from '../../core/sample/index.js';
import { computeGroundTruth, type GroundTruth } from '../../core/sample/truth.js';
import { AppPage } from './pages/app.js';
import { COUNT_KEYS, DevicesPage, OverviewPage } from './pages/dashboard.js';
import { ScriptsPage } from './pages/scripts.js';

// The generator's own tally of the same seed: independent of the import, analysis and UI code under test
// (the unit tests separately prove the core's summary equals it on Node).
const truth: GroundTruth = computeGroundTruth(sampleOptions({ devices: DEFAULT_DEVICES, seed: DEFAULT_SEED }));

test('sample incident: counts and ring chart equal the truth, table filters, site script is exact', async ({
  page,
}) => {
  test.setTimeout(420_000);
  const app = new AppPage(page);
  const { cspViolations, pageErrors } = await app.goto();
  await app.openSample();

  // Overview: the big numbers and the ring chart's data table.
  const overview = new OverviewPage(page);
  const counts = await overview.counts();
  const totals = truth.byRing.reduce(
    (acc, r) => {
      for (const k of COUNT_KEYS) acc[k] += r[k];
      return acc;
    },
    Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as Record<(typeof COUNT_KEYS)[number], number>,
  );
  expect(counts.devices).toBe(truth.devices);
  for (const k of COUNT_KEYS) expect(counts[k], k).toBe(totals[k]);
  await expect(page.getByTestId('ring-chart')).toBeVisible();
  const byRing = await overview.chartData('ring');
  for (const r of truth.byRing) for (const k of COUNT_KEYS) expect(byRing[r.ring]?.[k], `${r.ring} ${k}`).toBe(r[k]);

  // Devices: a site filter narrows the virtualised table to that site's machines.
  await app.nav('Devices');
  const devices = new DevicesPage(page);
  expect(await devices.total()).toBe(truth.devices);
  const site = truth.bySite.find((s) => s.site === 'LON')!;
  await page.getByTestId('filter-site').first().selectOption('LON');
  await expect(page.getByTestId('device-total')).toContainText(`${site.devices.toLocaleString('en-US')} devices`);
  const sites = await devices.visibleColumn(2);
  expect(sites.length).toBeGreaterThan(5);
  for (const s of sites) expect(s).toBe('LON');

  // Scripts: LON's affected-and-not-fixed devices, WinRE route, with keys (audited).
  await app.nav('Scripts');
  const scripts = new ScriptsPage(page);
  await scripts.choose({ playbook: 'cs-channel-291', route: 'winre-cmd', site: 'LON', state: 'remaining' });
  await scripts.includeKeys();
  await scripts.generate();
  const preview = (await page.getByTestId('preview').innerText()).replace(/\r/g, '');
  expect(preview).toContain('\\Windows\\System32\\drivers\\CrowdStrike\\C-00000291*.sys');
  const lines = preview.split('\n');
  // Exactly one delete, of exactly that path: never a wider wildcard, never another file.
  expect(lines.filter((l) => /^\s*(del|erase|rd|rmdir)\s/i.test(l))).toEqual([
    'del /f /q "%~1:\\Windows\\System32\\drivers\\CrowdStrike\\C-00000291*.sys"',
  ]);
  // An unlock step for each targeted device that has a valid key on file.
  const unlockHosts = new Set(lines.map((l) => /^rem Unlock (\S+) \(site LON,/.exec(l)?.[1]).filter(Boolean));
  const unlocks = lines.filter((l) => /manage-bde -unlock %RS_DRIVE%: -RecoveryPassword \d{6}(-\d{6}){7} /.test(l));
  expect(unlockHosts.size).toBeGreaterThan(0);
  expect(unlocks.length).toBeGreaterThanOrEqual(unlockHosts.size);

  expect(cspViolations).toEqual([]);
  expect(pageErrors).toEqual([]);
});
