// Bench section: the device text search through its trigram index (first page), the scan it replaced, and what the index costs the import.
import { devices, deviceTotal } from '../../../core/analysis/devices.js';
import { CHUNK_BITS, rebuildDirtyChunks, textMatch } from '../../../core/store/device-text.js';
import { median, timed, type BenchContext, type BenchSection } from '../types.js';

const MiB = 1 << 20;

/** The search as it ran before the index: a LIKE scan for the first page and one for the total. */
function scan(ctx: BenchContext, term: string): number {
  const db = ctx.ws!.db;
  const m = textMatch(term);
  const where = `WHERE d.superseded_by IS NULL AND ${m.sql}`;
  db.all(`SELECT d.id FROM devices d ${where} ORDER BY d.hostname COLLATE NOCASE, d.id LIMIT 101`, m.params);
  return db.value<number>(`SELECT COUNT(*) FROM devices d ${where}`, m.params) ?? 0;
}

const section: BenchSection = {
  name: 'search',
  order: 25,
  skip(ctx) {
    return ctx.ws ? null : 'no workspace (the import section did not finish)';
  },
  async run(ctx) {
    const ws = ctx.ws!;
    const db = ws.db;
    // The import's share: every chunk rebuilt, as a batch of new devices leaves them all dirty. The pages the index
    // held are measured as the free pages its deletion leaves (the rebuild reuses them).
    const pageSize = db.value<number>('PRAGMA page_size') ?? 4096;
    const cpu0 = process.cpuUsage();
    let bytes = 0;
    const rebuild = await timed(() =>
      db.tx(() => {
        const free0 = db.value<number>('PRAGMA freelist_count') ?? 0;
        db.run('DELETE FROM device_text_grams');
        db.run('DELETE FROM device_text_order');
        bytes = ((db.value<number>('PRAGMA freelist_count') ?? 0) - free0) * pageSize;
        db.run(`INSERT OR IGNORE INTO device_text_dirty(chunk) SELECT DISTINCT id >> ${CHUNK_BITS} FROM devices`);
        return rebuildDirtyChunks(db);
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    const importMs = ctx.get('import', 'end to end time');
    const rows = db.value<number>('SELECT COUNT(*) FROM device_text_grams') ?? 0;
    ctx.metric(
      'search',
      'trigram index build (the import pays it once per batch)',
      rebuild.ms,
      'ms',
      `${rebuild.value} chunks, CPU ${Math.round((cpu.user + cpu.system) / 1000)} ms${importMs ? `, ${((100 * rebuild.ms) / importMs).toFixed(1)} % of the import` : ''}`,
    );
    ctx.metric(
      'search',
      'trigram index size',
      bytes / MiB,
      'MiB',
      `${rows.toLocaleString('en-US')} rows, ${(bytes / ctx.devices).toFixed(0)} bytes per device`,
    );

    // Host names, a serial, an AID fragment, a user, a miss, and a two-character term (no trigram: a scan).
    const sample = db.get<{ hostname: string; serial: string | null; falcon_aid: string | null; user: string | null }>(
      'SELECT hostname, serial, falcon_aid, user FROM devices WHERE id = (SELECT MAX(id) / 2 FROM devices)',
    );
    const terms = [
      'LON-PC-0001',
      'LON-PC',
      sample?.serial ?? 'PF0001',
      (sample?.falcon_aid ?? '93deb121ccf4').slice(3, 11),
      sample?.user ?? 'wei.kim',
      'no-such-device',
      'PC',
    ];
    const times: number[] = [];
    for (const term of terms) {
      const first = await timed(() => devices(ws, { text: term, limit: 100 }));
      const again = await timed(() => devices(ws, { text: term, limit: 100 }));
      times.push(first.ms);
      // A page that holds every match has counted them; otherwise the table asks for the (capped) count next.
      const count = first.value.countPending ? await timed(() => deviceTotal(ws, { text: term })) : null;
      const matches = count
        ? `${count.value.total.toLocaleString('en-US')}${count.value.capped ? '+' : ''} matches counted after it in ${count.ms.toFixed(1)} ms`
        : `${first.value.total} matches`;
      ctx.metric('search', `first page, text "${term}"`, first.ms, 'ms', `${matches}; again ${again.ms.toFixed(1)} ms`);
    }
    ctx.metric('search', 'first page (median of the terms above)', median(times), 'ms');
    ctx.metric('search', 'first page (max of the terms above)', Math.max(...times), 'ms');
    const before = await timed(() => scan(ctx, 'LON-PC-0001'));
    ctx.metric('search', 'the LIKE scan it replaced, text "LON-PC-0001"', before.ms, 'ms', `${before.value} matches`);
  },
};
export default section;
