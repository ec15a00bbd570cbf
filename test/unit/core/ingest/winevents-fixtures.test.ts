// Event XML and wevtutil text generated from the seeded population join onto the sample's Falcon devices.
import { beforeAll, describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFile } from '../../../../core/ingest/index.js';
import { sampleImportInput } from '../../../../core/sample/index.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { eventFixtures } from '../../../fixtures/ingest/winevents.js';

const OPTS = { devices: 400, seed: 4242 };

describe('Windows event files from one population', () => {
  let ws: Workspace;
  const { files, truth } = eventFixtures(OPTS);

  beforeAll(async () => {
    ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });
    const r = await importFile(ws, sampleImportInput('falcon-hosts.csv', OPTS));
    expect(r.rejected).toBe(0);
  });

  it('the population gives each file real crash evidence', () => {
    expect(files.map((f) => f.name)).toEqual(['System-saved.xml', 'wevtutil-system.xml', 'wevtutil-system.txt']);
    for (const f of files) expect(f.events, f.name).toBeGreaterThan(20);
    expect([...truth.crashedHosts.values()]).toContain('0x7E');
  });

  it.each(files.map((f) => [f.name, f] as const))(
    '%s: detected as events, every crash event imported and joined to its machine',
    async (_n, f) => {
      const before = ws.db.value<number>('SELECT COUNT(*) FROM events')!;
      const r = await importFile(ws, inputFromBytes(f.name, f.bytes));
      expect(r.format).toBe('events');
      expect(r, JSON.stringify(r.errors.slice(0, 3))).toMatchObject({
        rows: f.events,
        imported: f.events,
        rejected: 0,
      });
      // All times carry Z: nothing to flag.
      expect(r.flagged).toBe(0);
      if (f.noise) expect(r.notes.join(' ')).toMatch(new RegExp(`skipped ${f.noise} events`));
      const added = ws.db.all<{ device_id: number | null; host_key: string; superseded: number | null }>(
        `SELECT e.device_id, e.host_key, d.superseded_by AS superseded FROM events e LEFT JOIN devices d ON d.id = e.device_id
          WHERE e.id > (SELECT COALESCE(MAX(id), 0) FROM events) - ?`,
        [f.events],
      );
      expect(added).toHaveLength(f.events);
      expect(before + f.events).toBe(ws.db.value('SELECT COUNT(*) FROM events'));
      // FQDNs (and case variants) land on the live record of the machine, never a reimaged machine's stale one.
      expect(added.filter((e) => e.device_id === null)).toEqual([]);
      expect(added.filter((e) => e.superseded !== null)).toEqual([]);
    },
  );

  it('every crashed machine has its crash with the right stop code; every machine with events is known', () => {
    const crashed = ws.db.all<{ host_key: string; detail: string }>(
      `SELECT DISTINCT d.host_key, e.detail FROM events e JOIN devices d ON d.id = e.device_id
        WHERE e.kind = 'crashed' AND e.detail LIKE '%event 1001%'`,
    );
    expect(new Map(crashed.map((c) => [c.host_key, /BugCheck (0x\w+)/.exec(c.detail)![1]]))).toEqual(
      truth.crashedHosts,
    );
    // The XML files' Event 41 carries the decimal code too; the text export's 41 has no event data (a restart).
    const from41 = ws.db.value<number>(`SELECT COUNT(*) FROM events WHERE detail LIKE 'BugCheck 0x__ (event 41)'`)!;
    expect(from41).toBeGreaterThan(0);
    const hosts = ws.db.all<{ host_key: string }>(
      'SELECT DISTINCT d.host_key FROM events e JOIN devices d ON d.id = e.device_id',
    );
    expect(new Set(hosts.map((h) => h.host_key))).toEqual(truth.hosts);
  });
});
