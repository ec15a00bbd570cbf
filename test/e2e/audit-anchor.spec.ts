// Issue 17: a workspace whose audit tail was cut opens with a warning that stays until an audited acknowledgement.
import { expect, test } from '@playwright/test';
import { loadSqlJs } from '../../electron/node/sqljs.js';
import { AppPage } from './pages/app.js';

test('a cut audit tail is shown on open and its acknowledgement is audited', async ({ page }) => {
  test.setTimeout(240_000);
  const app = new AppPage(page);
  await app.goto();
  await app.openSample();
  const readSnapshot = () =>
    page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const open = indexedDB.open('ringside');
          open.onsuccess = () => {
            const get = open.result.transaction('snapshots').objectStore('snapshots').getAll();
            get.onsuccess = async () => {
              const blob = (get.result as Blob[]).find((b) => b instanceof Blob);
              open.result.close();
              if (!blob) return resolve('');
              const bytes = new Uint8Array(await blob.arrayBuffer());
              let s = '';
              for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
              resolve(btoa(s));
            };
          };
        }),
    );
  await expect.poll(async () => (await readSnapshot()).length, { timeout: 120_000 }).toBeGreaterThan(0);
  // Cut the tail the way a reviewer did with sqlite3, on the stored snapshot itself.
  const SQL = await loadSqlJs();
  const db = new SQL.Database(Buffer.from(await readSnapshot(), 'base64'));
  const count = Number(db.exec('SELECT count(*) FROM audit')[0]!.values[0]![0]);
  expect(count).toBeGreaterThan(1);
  db.run('DELETE FROM audit WHERE seq = ?', [count]);
  const cut = Buffer.from(db.export()).toString('base64');
  await page.evaluate(
    (b64) =>
      new Promise<void>((resolve) => {
        const open = indexedDB.open('ringside');
        open.onsuccess = () => {
          const store = open.result.transaction('snapshots', 'readwrite').objectStore('snapshots');
          const keys = store.getAllKeys();
          keys.onsuccess = () => {
            const bin = atob(b64);
            const bytes = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
            const put = store.put(new Blob([bytes]), keys.result[0]!);
            put.onsuccess = () => {
              open.result.close();
              resolve();
            };
          };
        };
      }),
    cut,
  );
  await page.reload();
  await expect(page.locator('html[data-app-state="start"]')).toBeAttached();
  await page.getByRole('region', { name: 'Recent workspaces' }).getByRole('button').first().click();
  await expect(page.locator('html[data-app-state="workspace"]')).toBeAttached({ timeout: 120_000 });
  const warning = page.getByTestId('audit-warning');
  await expect(warning).toBeVisible({ timeout: 60_000 });
  await expect(warning).toContainText(`recorded ${count}`);
  await expect(page.getByTestId('audit-ack')).toBeDisabled();
  await page.screenshot({ path: 'test-results/audit-warning.png' });
  await page.getByTestId('audit-ack-note').fill('restored from the morning backup');
  await page.getByTestId('audit-ack').click();
  await expect(warning).toBeHidden({ timeout: 30_000 });
  await app.nav('Audit');
  await page.getByTestId('audit-filter-action').selectOption('overrides');
  await expect(page.getByRole('table', { name: 'Audit entries' })).toContainText('audit.acknowledge');
  await expect(page.getByRole('table', { name: 'Audit entries' })).not.toContainText('import');
  await page.getByTestId('audit-receipt-button').click();
  await expect(page.getByTestId('audit-receipt')).toHaveText(
    /^RINGSIDE-AUDIT-1 ws=\S+ n=\d+ head=[0-9a-f]{64} mac=[0-9a-f]{32}$/,
  );
  await page.screenshot({ path: 'test-results/audit-view.png' });
});
