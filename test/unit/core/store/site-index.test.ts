// Migration 034 (devices by site through an index on the site alone): an older workspace opens with the new index and
// analyses to the same results, the site readers still search an index, and an event load leaves the index alone.
import { describe, expect, it } from 'vitest';
import { recompute } from '../../../../core/analysis/recompute.js';
import { dropIndexes } from '../../../../core/ingest/bulk.js';
import { importFile } from '../../../../core/ingest/index.js';
import { sampleImportInput } from '../../../../core/sample/index.js';
import type { Workspace } from '../../../../core/workspace.js';
import { page } from '../../../../core/store/devices.js';
import { NONE } from '../../../../core/store/where.js';
import { dumpAnalysis, rows } from '../analysis/analysis-dump.js';
import { open } from './open-workspace.js';

const OPTS = { devices: 400, seed: 31 };
const indexSql = (ws: Workspace, name: string) =>
  ws.db.value<string>("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", [name]) ?? null;
const plan = (ws: Workspace, sql: string) =>
  rows(ws, `EXPLAIN QUERY PLAN ${sql}`)
    .map((r) => String(r[3]))
    .join('\n');

describe('devices by site (migration 034)', () => {
  it('an image from before 034 opens with the site index in place of (site, ring, state), same results', async () => {
    const ws = await open();
    for (const name of ['falcon-hosts.csv', 'intune-devices.csv', 'rollout-events.csv'] as const)
      await importFile(ws, sampleImportInput(name, OPTS));
    const dump = dumpAnalysis(ws);
    // The image as 031 left it: the three-column index there, 034 not recorded.
    ws.db.run('DROP INDEX ix_devices_site');
    ws.db.run('CREATE INDEX ix_devices_site_ring ON devices(site, ring, state)');
    ws.db.run('DELETE FROM schema_migrations WHERE version = 34');
    const old = await open(ws.db.export());
    expect(indexSql(old, 'ix_devices_site_ring')).toBeNull();
    expect(indexSql(old, 'ix_devices_site')).toBe('CREATE INDEX ix_devices_site ON devices(site)');
    expect(old.db.value('SELECT COUNT(*) FROM schema_migrations WHERE version = 34')).toBe(1);
    expect(old.db.value('PRAGMA integrity_check')).toBe('ok');
    recompute(old);
    expect({ ...dumpAnalysis(old), summary: '' }).toEqual({ ...dump, summary: '' });
  }, 120_000);

  it('the site readers search the site index', async () => {
    const ws = await open();
    // The forms the site filter (device list, counts), a site's tracker and renaming a site take.
    for (const sql of [
      "SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL AND site = 'LON'",
      `SELECT id, hostname, serial, model, site, COALESCE(ring_override, ring) AS ring, state, user, tags, platform
       FROM devices WHERE site = ? AND superseded_by IS NULL AND state IN (?,?,?,?) ORDER BY hostname`,
      'UPDATE devices SET site = ? WHERE site = ?',
    ])
      expect(plan(ws, sql)).toContain('USING INDEX ix_devices_site (site=?)');
  });

  it('an event load leaves the site index standing: it holds no column the analysis writes', async () => {
    const ws = await open();
    const dropped = dropIndexes(ws, 'rollout').map((d) => d.name);
    expect(dropped.sort()).toEqual(['ix_devices_state', 'ix_events_device_ts']);
    expect(indexSql(ws, 'ix_devices_site')).not.toBeNull();
  });

  it("the device list's site filter searches the site index, and no site still finds the devices without one", async () => {
    const ws = await open();
    await importFile(ws, sampleImportInput('falcon-hosts.csv', OPTS));
    ws.db.run('UPDATE devices SET site = NULL WHERE id % 7 = 0');
    const site = ws.db.value<string>("SELECT site FROM devices WHERE site <> '' GROUP BY site ORDER BY COUNT(*) DESC")!;
    const seen: { sql: string; params: unknown[] }[] = [];
    const all = ws.db.all.bind(ws.db);
    ws.db.all = ((sql: string, params?: unknown[]) => {
      seen.push({ sql, params: params ?? [] });
      return all(sql, params as never);
    }) as typeof ws.db.all;
    const req = { sort: 'state', dir: 'ASC', limit: 5000, offset: 0, states: null, after: null } as const;
    const named = page(ws.db, { site }, req);
    const query = seen.find((x) => x.sql.includes('ORDER BY'))!;
    const planned = ws.db
      .all<{ detail: string }>(`EXPLAIN QUERY PLAN ${query.sql}`, query.params as never)
      .map((r) => r.detail);
    expect(planned.join('\n')).toContain('USING INDEX ix_devices_site (site=?)');
    const none = page(ws.db, { site: NONE }, req);
    const count = (where: string) =>
      ws.db.value<number>(`SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL AND ${where}`);
    expect(named.rows.length).toBe(count(`site = '${site}'`));
    expect(none.rows.length).toBe(count("COALESCE(site, '') = ''"));
    expect(none.rows.length).toBeGreaterThan(0);
    ws.db.all = all;
  });
});
