// End to end: the sample incident, one site's affected devices in one ring, the WinRE bundle with keys, downloaded and checked.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { expect, test } from '@playwright/test';
import { loadSample } from '../../core/sample/handlers.js';
import { SAMPLE_EXPORTS } from '../../core/sample/index.js';
import { KeyVault } from '../../core/secrets/key-vault.js';
import { SEALED_KEY_COLUMNS, type SealedKeyRef } from '../../core/store/keys.js';
import { openWorkspace } from '../../core/workspace.js';
import { loadSqlJs } from '../../electron/node/sqljs.js';
import { AppPage } from './pages/app.js';
import { ImportPage, sampleFile } from './pages/import.js';
import { ScriptsPage } from './pages/scripts.js';

// The sample incident's export files, imported through the Import view; the same seed in Node is the reference.
const SAMPLE = { devices: 2_000, seed: 20240719 };
const REMAINING = ['crashed', 'needs_fix', 'fix_in_progress', 'needs_reimage'];

test('WinRE bundle for one site and ring: manifest, exact path, one unlock per key, only that site', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const core = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(3) });
  await loadSample(core, SAMPLE);
  const q = (where: string) =>
    core.db.all<SealedKeyRef>(
      `SELECT ${SEALED_KEY_COLUMNS.split(', ')
        .map((c) => `k.${c}`)
        .join(', ')} FROM keys k JOIN devices d ON d.id = k.device_id
       WHERE k.valid = 1 AND d.superseded_by IS NULL AND d.platform = 'windows' AND ${where}`,
      REMAINING,
    );
  const inList = `d.state IN (${REMAINING.map(() => '?').join(',')})`;
  const expectedKeyIds = q(`d.site = 'LON' AND COALESCE(d.ring_override, d.ring) = 'Broad' AND ${inList}`).map((r) =>
    r.key_id.toUpperCase(),
  );
  // Passwords are sealed 256 to a chunk since migration 23: the vault is the one way to open them.
  const vault = new KeyVault(core.db, core.box);
  const otherPasswords = await Promise.all(
    q(`(d.site <> 'LON' OR COALESCE(d.ring_override, d.ring) <> 'Broad') AND ${inList}`).map((r) => vault.reveal(r)),
  );
  expect(expectedKeyIds.length).toBeGreaterThan(0);
  expect(otherPasswords.length).toBeGreaterThan(0);

  const app = new AppPage(page);
  const { cspViolations, pageErrors } = await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  await imp.importFiles(
    await Promise.all(SAMPLE_EXPORTS.filter((n) => n.endsWith('.csv')).map((n) => sampleFile(n, SAMPLE))),
  );
  await app.nav('Scripts');
  const scripts = new ScriptsPage(page);
  await expect(scripts.view()).toBeVisible();
  await expect(page.getByTestId('site').locator('option[value="LON"]')).toBeAttached();

  await scripts.choose({
    playbook: 'cs-channel-291',
    route: 'winre-cmd',
    site: 'LON',
    ring: 'Broad',
    state: 'remaining',
  });
  await scripts.includeKeys();
  await scripts.generate();
  await expect(page.getByTestId('preview')).toContainText('C-00000291*.sys');
  await page.screenshot({ path: 'test-results/e2e-scripts/scripts-view.png', fullPage: false });

  const download = await scripts.download();
  const zip = unzipSync(new Uint8Array(readFileSync(await download.path())));
  expect(Object.keys(zip)).toEqual(
    expect.arrayContaining(['manifest.json', 'KEYS-ROTATE.txt', 'cs-channel-291/winre-cmd.cmd']),
  );
  const manifest = JSON.parse(strFromU8(zip['manifest.json']!)) as {
    workspaceId: string;
    generatedAt: string;
    what: { playbookId: string; route: string };
    devices: Array<{ hostname: string; site: string; ring: string; state: string; keyIds: string[] }>;
    keyIdsToRotate: string[];
    files: Array<{ path: string; sha256: string }>;
  };
  expect(manifest.what).toMatchObject({ playbookId: 'cs-channel-291', route: 'winre-cmd' });
  expect(manifest.workspaceId).toMatch(/^[0-9a-f-]{36}$/);
  expect(manifest.devices.length).toBeGreaterThan(0);
  for (const d of manifest.devices) {
    expect(d.site).toBe('LON');
    expect(d.ring).toBe('Broad');
    expect(['crashed', 'needs_fix', 'fix_in_progress', 'needs_reimage']).toContain(d.state);
  }
  for (const f of manifest.files) expect(createHash('sha256').update(zip[f.path]!).digest('hex')).toBe(f.sha256);

  const script = strFromU8(zip['cs-channel-291/winre-cmd.cmd']!);
  expect(script).toContain('\\Windows\\System32\\drivers\\CrowdStrike\\C-00000291*.sys');
  const lines = script.split('\r\n');
  const deletes = lines.filter((l) => /^\s*(del|erase|rd|rmdir)\s/i.test(l));
  expect(deletes).toEqual(['del /f /q "%~1:\\Windows\\System32\\drivers\\CrowdStrike\\C-00000291*.sys"']);

  // One unlock step per key of each targeted device, and no key of any other device.
  const siteKeys = manifest.devices.flatMap((d) => d.keyIds);
  expect(manifest.keyIdsToRotate.sort()).toEqual([...siteKeys].sort());
  const matched = lines.filter((l) => l.includes('call :rs_match')).map((l) => /call :rs_match %%D (\S+)/.exec(l)![1]);
  expect(matched.sort()).toEqual([...siteKeys].sort());
  expect(
    lines.filter((l) => /manage-bde -unlock %RS_DRIVE%: -RecoveryPassword \d{6}(-\d{6}){7} /.test(l)),
  ).toHaveLength(siteKeys.length);
  for (const d of manifest.devices.filter((x) => x.keyIds.length))
    expect(script).toContain(`rem Unlock ${d.hostname} (site LON, ring Broad)`);
  const allIds = [...script.matchAll(/\{([0-9A-F-]{36})\}/g)].map((m) => m[1]);
  for (const id of allIds) expect(siteKeys).toContain(id);
  expect(strFromU8(zip['KEYS-ROTATE.txt']!)).toContain(siteKeys[0]!);
  // Against the reference database: exactly that site's and ring's valid keys, and no other device's password.
  expect([...siteKeys].sort()).toEqual([...expectedKeyIds].sort());
  for (const pw of otherPasswords) expect(script).not.toContain(pw);

  // The generation is in the history; comparing with the previous works.
  await expect(page.getByTestId('history')).toContainText('winre-cmd');
  await page.getByTestId('compare').click();
  await expect(page.getByTestId('diff')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e-scripts/scripts-compare.png', fullPage: true });

  // The playbook can be exported for sharing.
  const exported = page.waitForEvent('download');
  await page.getByTestId('export-playbook').click();
  const file = JSON.parse(readFileSync(await (await exported).path(), 'utf8')) as { format: string; id: string };
  expect(file).toMatchObject({ format: 'ringside-playbook', id: 'cs-channel-291' });
  expect(cspViolations).toEqual([]);
  expect(pageErrors).toEqual([]);
});

test('a loaded playbook: a built-in id is refused; its own id is marked "not a built-in playbook" in the view and the files', async ({
  page,
}) => {
  const app = new AppPage(page);
  const { cspViolations, pageErrors } = await app.goto();
  await app.openSample();
  await app.nav('Scripts');
  const scripts = new ScriptsPage(page);
  await expect(scripts.view()).toBeVisible();
  const exported = page.waitForEvent('download');
  await page.getByTestId('export-playbook').click();
  const file = JSON.parse(readFileSync(await (await exported).path(), 'utf8')) as Record<string, unknown>;

  // The issue's attack: the same id, version 2.
  await scripts.loadPlaybook('shadow.json', JSON.stringify({ ...file, version: 2 }));
  await expect(page.getByTestId('scripts-error')).toContainText("playbook id 'cs-channel-291' is reserved");
  await expect(page.getByTestId('not-builtin')).toHaveCount(0);

  await scripts.loadPlaybook('site.json', JSON.stringify({ ...file, id: 'cs-291-site', name: 'Channel 291, site' }));
  await expect(page.getByTestId('playbook')).toHaveValue('cs-291-site');
  await expect(page.getByTestId('not-builtin')).toContainText('Not a built-in playbook');
  await expect(page.getByTestId('playbook').locator('option[value="cs-291-site"]')).toContainText('not built-in');
  await scripts.choose({ route: 'winre-cmd' });
  await scripts.generate();
  await expect(page.getByTestId('preview')).toContainText(
    'rem NOT A BUILT-IN PLAYBOOK: cs-291-site version 1 was loaded from a file into this workspace.',
  );
  await page
    .getByTestId('not-builtin')
    .locator('..')
    .screenshot({ path: test.info().outputPath('not-builtin.png') });
  expect(cspViolations).toEqual([]);
  expect(pageErrors).toEqual([]);
});
