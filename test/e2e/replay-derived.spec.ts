// End to end: the replay runs on a workspace with only Falcon, Intune and Windows event exports (no rollout log).
import { expect, test } from '@playwright/test';
import { inputFromBytes } from '../../core/contract/ingest.js';
import { importFiles } from '../../core/ingest/index.js';
import { sampleImportInput } from '../../core/sample/index.js';
import { openWorkspace } from '../../core/workspace.js';
import { loadSqlJs } from '../../electron/node/sqljs.js';
import { eventFixtures } from '../fixtures/ingest/winevents.js';
import { AppPage } from './pages/app.js';
import { ImportPage, sampleFile } from './pages/import.js';
import { ReplayPage } from './pages/replay.js';

const SAMPLE = { devices: 400, seed: 19 };

test('a Falcon + Intune + events workspace replays from derived receipts and says which facts it used', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const events = eventFixtures(SAMPLE).files;
  // The recipients the replay must count: devices the analysis finds exposed, by plain SQL on the same imports.
  const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(5) });
  await importFiles(ws, [
    sampleImportInput('falcon-hosts.csv', SAMPLE),
    sampleImportInput('intune-devices.csv', SAMPLE),
    ...events.map((f) => inputFromBytes(f.name, f.bytes)),
  ]);
  expect(ws.db.value<number>("SELECT COUNT(*) FROM events WHERE kind IN ('installed','received')")).toBe(0);
  const exposed = ws.db.value<number>(
    "SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL AND state NOT IN ('not_exposed', 'unknown')",
  )!;
  expect(exposed).toBeGreaterThan(0);

  const app = new AppPage(page);
  await app.goto();
  const imp = new ImportPage(page);
  await imp.openEmptyWorkspace();
  await app.nav('Import');
  await imp.importFiles([
    await sampleFile('falcon-hosts.csv', SAMPLE),
    await sampleFile('intune-devices.csv', SAMPLE),
    ...events.map((f) => ({ name: f.name, mimeType: 'application/octet-stream', buffer: Buffer.from(f.bytes) })),
  ]);
  await app.nav('Rollout replay');
  const replay = new ReplayPage(page);
  await replay.ready();
  await replay.run();
  await expect(page.getByTestId('replay-basis')).toContainText('No rollout log in this workspace');
  await expect(page.getByTestId('replay-basis')).toContainText('sensor version ≥ 7.11');
  await expect(page.getByTestId('replay-results')).toContainText(
    `devices spared of ${exposed.toLocaleString('en-US')}`,
  );
  await expect(page.getByTestId('replay-halt')).toContainText('derived-from-exports');
});
