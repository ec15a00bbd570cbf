// FleetStage: a fleet batch's source rows, their facts' values and review items, written straight to their tables.
import { describe, expect, it } from 'vitest';
import { FleetStage, type StagedRow } from '../../../../core/store/device-writes.js';
import { emptyWorkspace } from '../analysis/fixtures.js';

/** Row i of a batch: a review item every 9th row, no sensor every 2nd, no OS every 3rd, a ring every 5th, no check-in every 4th. */
const staged = (i: number): StagedRow => ({
  deviceId: 1 + (i % 5),
  line: 100 + i,
  nativeId: i % 6 === 0 ? null : `n-${i}`,
  review: i % 9 === 0 ? `matched PC-${i} by name only` : null,
  lastSeen: i % 4 === 0 ? null : 1_720_000_000_000 + i,
  at: i % 7 === 0 ? null : 1_720_000_500_000 + i,
  asOf: i % 4 === 0 ? 1 : 0,
  sensor: i % 2 === 0 ? null : `7.${i}`,
  os: i % 3 === 0 ? null : `10.0.${i}`,
  ring: i % 5 === 0 ? `ring ${i}` : null,
  ringType: i % 5 === 0 ? 'falcon' : null,
});

describe('FleetStage', () => {
  it('writes each batch’s source rows in order after the ids on file, with their fact values and review items', async () => {
    const ws = await emptyWorkspace();
    const db = ws.db;
    for (const id of [1, 2])
      db.run(
        `INSERT INTO imports(id, file_name, sha256, format, kind, started_at) VALUES (?, ?, ?, 'falcon', 'fleet', 0)`,
        [id, `f${id}.csv`, `h${id}`],
      );
    for (let d = 1; d <= 5; d++)
      db.run('INSERT INTO devices(id, hostname, host_key) VALUES (?, ?, ?)', [d, `PC-${d}`, `pc-${d}`]);
    // Three source rows on file already: the batch's ids start at 4.
    for (let k = 0; k < 3; k++)
      db.run(`INSERT INTO device_sources(device_id, import_id, source, line, raw) VALUES (1, 1, 'intune', ?, '{}')`, [
        k,
      ]);
    const stage = new FleetStage(db, 2, "fal'con", 'Last Seen');
    // 70 rows (a full statement and a flush's rest), then a second batch of 12.
    const batches = [70, 12];
    let i = 0;
    for (const n of batches) {
      for (let k = 0; k < n; k++) stage.add(staged(i + k));
      if (n === 70) expect(db.value('SELECT COUNT(*) FROM device_sources')).toBe(3);
      stage.flush();
      i += n;
    }
    stage.flush();
    stage.free();
    expect(db.value('SELECT seen_field FROM imports WHERE id = 2')).toBe('Last Seen');
    const rows = db.all(
      `SELECT id, device_id, import_id, source, line, native_id, raw, fact_seen, fact_at, fact_as_of, fact_sensor,
         fact_os, fact_ring, fact_ring_type FROM device_sources WHERE id > 3 ORDER BY id`,
    );
    // By hand: row i has id 4 + i; fact_at only where the row has a sensor, OS or ring version.
    expect(rows).toEqual(
      Array.from({ length: 82 }, (_, k) => {
        const s = staged(k);
        return {
          id: 4 + k,
          device_id: s.deviceId,
          import_id: 2,
          source: "fal'con",
          line: s.line,
          native_id: s.nativeId,
          raw: '',
          fact_seen: s.lastSeen,
          fact_at: s.sensor !== null || s.os !== null || s.ring !== null ? s.at : null,
          fact_as_of: s.asOf,
          fact_sensor: s.sensor,
          fact_os: s.os,
          fact_ring: s.ring,
          fact_ring_type: s.ringType,
        };
      }),
    );
    expect(rows[0]).toMatchObject({ id: 4, line: 100, fact_at: null, fact_ring: 'ring 0' });
    // Review items: rows 0, 9, …, 63 of the first batch, 72 and 81 of the second, pointing at their source rows.
    expect(
      db.all('SELECT id, device_id, source_id, import_id, line, reason, status FROM identity_review ORDER BY id'),
    ).toEqual(
      [0, 9, 18, 27, 36, 45, 54, 63, 72, 81].map((k, n) => ({
        id: n + 1,
        device_id: 1 + (k % 5),
        source_id: 4 + k,
        import_id: 2,
        line: 100 + k,
        reason: `matched PC-${k} by name only`,
        status: 'open',
      })),
    );
  });
});
