// Migration 041 (devices by site in hostname order): an older image opens with the new index and analyses the same, and
// the device list filtered by a site reads its pages from that index, in order, without a sort.
import { describe, expect, it } from 'vitest';
import { recompute } from '../../../../core/analysis/recompute.js';
import { importFile } from '../../../../core/ingest/index.js';
import { sampleImportInput } from '../../../../core/sample/index.js';
import { page, type PageRequest } from '../../../../core/store/devices.js';
import type { Workspace } from '../../../../core/workspace.js';
import { dumpAnalysis } from '../analysis/analysis-dump.js';
import { open } from './open-workspace.js';

const OPTS = { devices: 600, seed: 41 };
const indexSql = (ws: Workspace) =>
  ws.db.value<string>("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'ix_devices_site'") ?? null;

async function fleet(): Promise<Workspace> {
  const ws = await open();
  for (const name of ['falcon-hosts.csv', 'intune-devices.csv', 'rollout-events.csv'] as const)
    await importFile(ws, sampleImportInput(name, OPTS));
  return ws;
}

/** The device list's main query as page() runs it, caught with its parameters. */
function caught(ws: Workspace, run: () => void): { sql: string; params: unknown[] } {
  const seen: { sql: string; params: unknown[] }[] = [];
  const all = ws.db.all.bind(ws.db);
  ws.db.all = ((sql: string, params?: unknown[]) => {
    seen.push({ sql, params: params ?? [] });
    return all(sql, params as never);
  }) as typeof ws.db.all;
  try {
    run();
  } finally {
    ws.db.all = all;
  }
  return seen.find((x) => x.sql.includes('ORDER BY'))!;
}

/** Every page of the query, one after the other by the last row's cursor, as the table pages. */
function allPages(ws: Workspace, q: Parameters<typeof page>[1], dir: 'ASC' | 'DESC', states: string[] | null) {
  const ids: number[] = [];
  let after: PageRequest['after'] = null;
  for (;;) {
    const req: PageRequest = { sort: 'hostname', dir, limit: 7, offset: 0, states, after };
    const { rows } = page(ws.db, q, req);
    const shown = rows.slice(0, 7);
    ids.push(...shown.map((r) => r.id));
    if (rows.length <= 7) return ids;
    const last = shown[shown.length - 1]!;
    after = [last.sortv, last.id];
  }
}

describe('devices by site in hostname order (migration 041)', () => {
  it('an image from before 041 opens with (site, hostname, id) in place of (site), same results', async () => {
    const ws = await fleet();
    const dump = dumpAnalysis(ws);
    ws.db.run('DROP INDEX ix_devices_site');
    ws.db.run('CREATE INDEX ix_devices_site ON devices(site)');
    ws.db.run('DELETE FROM schema_migrations WHERE version = 41');
    const old = await open(ws.db.export());
    expect(indexSql(old)).toBe('CREATE INDEX ix_devices_site ON devices(site, hostname COLLATE NOCASE, id)');
    expect(old.db.value('SELECT COUNT(*) FROM schema_migrations WHERE version = 41')).toBe(1);
    expect(old.db.value('PRAGMA integrity_check')).toBe('ok');
    recompute(old);
    expect({ ...dumpAnalysis(old), summary: '' }).toEqual({ ...dump, summary: '' });
  }, 120_000);

  it("a site's first page in hostname order is read from the site index, without sorting the site's devices", async () => {
    const ws = await fleet();
    const site = ws.db.value<string>(
      'SELECT site FROM devices WHERE site IS NOT NULL GROUP BY site ORDER BY COUNT(*) DESC',
    )!;
    for (const states of [null, ['needs_fix', 'crashed', 'unknown', 'no_contact']]) {
      for (const dir of ['ASC', 'DESC'] as const) {
        const req: PageRequest = { sort: 'hostname', dir, limit: 100, offset: 0, states, after: null };
        const q = caught(ws, () => page(ws.db, { site }, req));
        const plan = ws.db
          .all<{ detail: string }>(`EXPLAIN QUERY PLAN ${q.sql}`, q.params as never)
          .map((r) => r.detail)
          .join('\n');
        expect(plan).toContain('USING INDEX ix_devices_site (site=?)');
        expect(plan).not.toContain('TEMP B-TREE FOR ORDER BY');
      }
    }
  }, 120_000);

  it("a site's pages, one after the other either way, are its devices in hostname order, with and without a state", async () => {
    const ws = await fleet();
    // Names that differ only in case, and a tie broken by id, in the site the list pages through.
    const site = ws.db.value<string>(
      'SELECT site FROM devices WHERE site IS NOT NULL GROUP BY site ORDER BY COUNT(*) DESC',
    )!;
    ws.db.run('UPDATE devices SET hostname = lower(hostname) WHERE site = ? AND id % 5 = 0', [site]);
    ws.db.run("UPDATE devices SET hostname = 'ZZ-TIE' WHERE site = ? AND id % 11 = 0", [site]);
    const states = ws.db
      .all<{ state: string }>('SELECT DISTINCT state FROM devices WHERE site = ? ORDER BY state LIMIT 2', [site])
      .map((r) => r.state);
    for (const st of [null, states]) {
      const expected = ws.db
        .all<{ id: number }>(
          `SELECT id FROM devices WHERE superseded_by IS NULL AND site = ? ${st ? `AND state IN (${st.map(() => '?').join(',')})` : ''}
           ORDER BY hostname COLLATE NOCASE, id`,
          [site, ...(st ?? [])],
        )
        .map((r) => r.id);
      expect(expected.length).toBeGreaterThan(14);
      expect(allPages(ws, { site }, 'ASC', st)).toEqual(expected);
      expect(allPages(ws, { site }, 'DESC', st)).toEqual([...expected].reverse());
    }
  }, 120_000);

  it('a text search within a site still goes by its candidates (the site index is not forced on it)', async () => {
    const ws = await fleet();
    const site = ws.db.value<string>(
      'SELECT site FROM devices WHERE site IS NOT NULL GROUP BY site ORDER BY COUNT(*) DESC',
    )!;
    const name = ws.db.value<string>('SELECT hostname FROM devices WHERE site = ? ORDER BY id LIMIT 1', [site])!;
    const req: PageRequest = { sort: 'hostname', dir: 'ASC', limit: 100, offset: 0, states: null, after: null };
    const q = caught(ws, () => page(ws.db, { site, text: name }, req));
    expect(q.sql).not.toContain('INDEXED BY ix_devices_site');
    expect(page(ws.db, { site, text: name }, req).rows.map((r) => r.hostname)).toContain(name);
  }, 120_000);
});
