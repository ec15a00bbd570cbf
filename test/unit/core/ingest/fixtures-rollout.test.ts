// Rollout and crash-evidence exports of one seeded population join onto its machines; sources with rings agree with it.
import { beforeAll, describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFile } from '../../../../core/ingest/index.js';
import { computeGroundTruth, sampleImportInput } from '../../../../core/sample/index.js';
import { population } from '../../../../core/sample/model.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { rolloutFixtures } from '../../../fixtures/ingest/rollout.js';

const OPTS = { devices: 400, seed: 2024 };
const truth = computeGroundTruth(OPTS);
const devs = [...population(OPTS)];
const files = rolloutFixtures(OPTS);

const open = async () =>
  openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });

/** Live devices per ring, as the ground truth's byRing counts them. */
const ringCounts = (ws: Workspace) =>
  Object.fromEntries(
    ws.db
      .all<{ ring: string; n: number }>(
        'SELECT ring, COUNT(*) AS n FROM devices WHERE superseded_by IS NULL GROUP BY ring ORDER BY ring',
      )
      .map((r) => [r.ring, r.n]),
  );
const truthRings = Object.fromEntries(truth.byRing.filter((b) => b.devices).map((b) => [b.ring, b.devices]));

interface EventRow {
  line: number;
  device_id: number | null;
  aid: string | null;
  superseded: number | null;
  kind: string;
  ring: string | null;
  detail: string | null;
}
const eventsOf = (ws: Workspace, importId: number) =>
  ws.db.all<EventRow>(
    `SELECT e.id AS line, e.device_id, d.falcon_aid AS aid, d.superseded_by AS superseded, e.kind, e.ring, e.detail
       FROM events e LEFT JOIN devices d ON d.id = e.device_id WHERE e.import_id = ? ORDER BY e.id`,
    [importId],
  );

describe('rollout and health exports from one population', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await open();
    for (const name of ['falcon-hosts.csv', 'intune-devices.csv'] as const)
      expect((await importFile(ws, sampleImportInput(name, OPTS))).rejected).toBe(0);
    expect(ringCounts(ws)).toEqual(truthRings);
  });

  it('covers every rollout format of the issue', () => {
    expect(new Set(files.map((f) => f.format))).toEqual(new Set(['autopatch', 'wufb', 'configmgr', 'events']));
    expect(files.map((f) => f.name)).toEqual(
      expect.arrayContaining(['UCClientUpdateStatus.csv', 'UCUpdateAlert.csv', 'system-events.csv']),
    );
  });

  it.each(files.map((f) => [f.name, f] as const))(
    '%s: detected, every row imported onto its live machine with the right event kind',
    async (_n, f) => {
      const r = await importFile(ws, inputFromBytes(f.name, f.bytes));
      expect(r.format, f.mutations.join(', ')).toBe(f.format);
      expect(r, JSON.stringify(r.errors.slice(0, 3))).toMatchObject({
        rows: f.devices.length,
        imported: f.devices.length,
        rejected: 0,
      });
      const ev = eventsOf(ws, r.importId!);
      expect(ev).toHaveLength(f.devices.length);
      // Rows land in file order: row i is machine i's, on its current record, never the reimaged machine's old one.
      ev.forEach((e, i) => {
        expect(e.device_id, `row ${i + 1}`).not.toBeNull();
        expect(e.superseded).toBeNull();
        expect(e.aid, `row ${i + 1}`).toBe(f.devices[i]!.aid);
        expect(e.kind, `row ${i + 1}`).toBe(f.kinds[i]);
      });
      // Times without a zone are read as UTC, and said so once per column.
      const noZone = r.errors.filter((e) => /has no time zone/.test(e.message));
      expect(noZone.length).toBeLessThanOrEqual(1);
      expect(r.errors.filter((e) => !/has no time zone/.test(e.message))).toEqual([]);
      // Rings: sources that carry one leave every machine in its population ring.
      expect(ringCounts(ws)).toEqual(truthRings);
    },
  );

  it('Autopatch rings come from the Autopatch report; ConfigMgr error codes are rendered as hex', () => {
    const managed = devs.filter((d) => d.platform === 'Windows' && d.intune);
    const autopatch = ws.db.all<{ aid: string; ring: string }>(
      `SELECT falcon_aid AS aid, ring FROM devices WHERE ring_source = 'autopatch' AND superseded_by IS NULL`,
    );
    expect(autopatch).toHaveLength(managed.length);
    const ringOf = new Map(devs.map((d) => [d.aid, d.ring]));
    for (const a of autopatch) expect(a.ring).toBe(ringOf.get(a.aid));
    const failed = ws.db.all<{ detail: string }>(
      `SELECT e.detail FROM events e JOIN imports i ON i.id = e.import_id
        WHERE i.file_name = 'cm-deployment-status.csv' AND e.kind = 'failed'`,
    );
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(f.detail).toBe('EnforcementState 5006 (error 0x87D00664)');
    const alerts = ws.db.all<{ detail: string }>(
      `SELECT e.detail FROM events e JOIN imports i ON i.id = e.import_id WHERE i.file_name = 'UCUpdateAlert.csv'`,
    );
    for (const a of alerts) expect(a.detail).toMatch(/\(error 0x8326CFA2D_C3FD\)$/);
    // 1001's hex stop code is read from the message; the machine name is an FQDN.
    const bugchecks = ws.db.value<number>(
      `SELECT COUNT(*) FROM events e JOIN imports i ON i.id = e.import_id
        WHERE i.file_name = 'system-events.csv' AND e.detail = 'BugCheck 0x50 (event 1001)'`,
    );
    expect(bugchecks).toBe(devs.reduce((n, d) => n + d.events.filter((e) => e.state === 'crashed').length, 0));
  });

  it('the generic rollout log: every event on its machine, each in the population ring, states as the ground truth', async () => {
    const r = await importFile(ws, sampleImportInput('rollout-events.csv', OPTS));
    expect(r).toMatchObject({ format: 'rollout', rows: truth.events, imported: truth.events, rejected: 0 });
    const ev = eventsOf(ws, r.importId!);
    expect(ev.filter((e) => e.device_id === null)).toEqual([]);
    const ringOf = new Map(devs.map((d) => [d.aid, d.ring]));
    for (const e of ev) expect(e.ring).toBe(ringOf.get(e.aid!));
    expect(ringCounts(ws)).toEqual(truthRings);
    expect(ws.db.value('SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL')).toBe(truth.devices);
  });
});

describe('rollout importer: phase collections, Autopatch states, timestamp fallback', () => {
  const f = files.find((x) => x.name === 'cm-deployment-status.csv')!;
  // A phase collection `CrowdStrike Sensor - Ring - Fast` gives the event the ring `Fast`, not the label.
  it('a ConfigMgr phase collection on a deployment row gives the event its ring, and a device without one', async () => {
    const ws = await open();
    await importFile(ws, sampleImportInput('falcon-hosts.csv', OPTS));
    // One machine whose fleet sources named no ring: the collection fills it in; the others keep their own.
    const bare = ws.db.value<number>('SELECT id FROM devices WHERE falcon_aid = ? AND superseded_by IS NULL', [
      f.devices[0]!.aid,
    ])!;
    ws.db.run('UPDATE devices SET ring = NULL, ring_source = NULL WHERE id = ?', [bare]);
    const r = await importFile(ws, inputFromBytes(f.name, f.bytes));
    const ev = eventsOf(ws, r.importId!);
    ev.forEach((e, i) => expect(e.ring).toBe(f.devices[i]!.ring));
    expect(ws.db.get('SELECT ring, ring_source FROM devices WHERE id = ?', [bare])).toEqual({
      ring: f.devices[0]!.ring,
      ring_source: 'configmgr collection',
    });
    expect(ws.db.value("SELECT COUNT(*) FROM devices WHERE ring_source = 'configmgr collection'")).toBe(1);
    // Each row naming a collection is a ring fact of its device, typed as a ConfigMgr collection.
    const facts = ws.db.all(
      `SELECT device_id, type, value FROM stored_facts
        WHERE class = 'ring' AND event_id IN (SELECT id FROM events WHERE import_id = ?) ORDER BY event_id`,
      [r.importId!],
    );
    expect(facts.length).toBeGreaterThan(0);
    expect(facts).toEqual(
      ev.filter((e) => e.ring).map((e) => ({ device_id: e.device_id, type: 'configmgr collection', value: e.ring })),
    );
  });

  // Autopatch's `Not up to date` is offered, not installed (it contains "up to date").
  it('Autopatch "Not up to date" is not read as installed', async () => {
    const { vendorKind } = await import('../../../../core/ingest/writers/event-kinds.js');
    expect(vendorKind('autopatch', 'Not up to date', '').kind).not.toBe('installed');
  });

  // An Autopatch export has `Quality update Installed Time` (empty until installed) and `Intune last check in time`:
  // a not-yet-installed row takes the check-in time instead of being rejected.
  it('an empty first timestamp column falls back to the next one', async () => {
    const ws = await open();
    const d = devs.find((x) => x.platform === 'Windows' && x.intune)!;
    const csv =
      'Device name,Deployment ring,Update status,Quality update Installed Time,Intune last check in time\n' +
      `${d.intune!.name},Windows Autopatch - Test,In progress,,2024-07-19T05:00:00Z\n`;
    const r = await importFile(ws, inputFromBytes('qu.csv', csv));
    expect(r.rejected).toBe(0);
  });
});
