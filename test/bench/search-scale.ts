// `npx tsx test/bench/search-scale.ts [--devices 1000000] [--export stream|copy]`: the device text search and its index build at a
// million devices without a 15-minute import: the device table is filled by one SQL statement, then timed.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import initSqlJs from 'sql.js';
import { devices, deviceTotal } from '../../core/analysis/devices.js';
import { rebuildDirtyChunks } from '../../core/store/device-text.js';
import { textCandidates } from '../../core/store/device-text-search.js';
import { openWorkspace } from '../../core/workspace.js';
import { WorkspaceStorage } from '../../electron/storage.js';
import { rss, time } from './measure.js';

const { values } = parseArgs({
  options: { devices: { type: 'string' }, export: { type: 'string' }, keep: { type: 'string' } },
});
const n = Number(values.devices ?? 1_000_000);
if (!Number.isInteger(n) || n < 1) throw new Error(`--devices must be a positive integer, not '${values.devices}'`);

const MiB = 1 << 20;

const SQL = await initSqlJs();
const ws = await openWorkspace({ SQL, keyMaterial: new Uint8Array(32).fill(7), actor: 'bench' });
const db = ws.db;

// Host names like the sample's (site-kind-number: LON-PC 6 % of the fleet), serials, 32-hex AIDs, GUIDs and users
// from small lists, all derived from the row number so every run fills the same table.
const names = JSON.stringify(['wei', 'anna', 'john', 'maria', 'li', 'sofia', 'omar', 'lena', 'raj', 'emma']);
const surnames = JSON.stringify(['kim', 'smith', 'garcia', 'mueller', 'chen', 'silva', 'khan', 'rossi', 'tanaka']);
const sites = JSON.stringify(['LON', 'NYC', 'BER', 'SAO', 'TYO', 'SYD', 'FRA', 'CHI', 'ZRH', 'MUM']);
const fill = time(() =>
  db.tx(() =>
    db.run(
      `WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ?),
       h(n, a, b, s) AS (SELECT n, (n * 2654435761) % 4294967296, (n * 40503 + 977) % 4294967296,
         json_extract(?, '$[' || (n % 10) || ']') FROM c)
       INSERT INTO devices(id, hostname, host_key, falcon_aid, entra_id, intune_id, serial, site, ring, platform, user, state)
       SELECT n, hn, upper(hn), printf('%08x%08x%08x%08x', a, b, (a * 31 + b) % 4294967296, (b * 17 + a * 13 + n) % 4294967296),
         printf('%08x-%04x-4%03x-8%03x-%06x%06x', b, a % 65536, a / 65536 % 4096, b % 4096, (a + n) % 16777216, (b * 7 + n) % 16777216),
         printf('%08x-%04x-4%03x-9%03x-%06x%06x', a, b % 65536, b / 65536 % 4096, a % 4096, (b + n) % 16777216, (a * 5 + n) % 16777216),
         printf('PF%08X', a), s, 'ring-' || (n % 5), 'windows',
         json_extract(?, '$[' || (n % 10) || ']') || '.' || json_extract(?, '$[' || (n / 10 % 9) || ']'), 'unknown'
       FROM (SELECT n, a, b, s, s || CASE WHEN n % 100 < 60 THEN '-PC-' WHEN n % 100 < 90 THEN '-LT-' ELSE '-SRV-' END
         || printf('%06d', n / 10) AS hn FROM h)`,
      [n, sites, names, surnames],
    ),
  ),
);
console.log(
  `fill ${n.toLocaleString('en-US')} devices: ${fill.ms.toFixed(0)} ms (CPU ${fill.cpu} ms), peak RSS ${rss()} MiB`,
);

const build = time(() => db.tx(() => rebuildDirtyChunks(db)));
const pageSize = db.value<number>('PRAGMA page_size') ?? 4096;
const rows = db.value<number>('SELECT COUNT(*) FROM device_text_grams') ?? 0;
console.log(
  `index build: ${build.ms.toFixed(0)} ms (CPU ${build.cpu} ms), ${build.value} chunks, ${rows.toLocaleString('en-US')} rows; image ${(((db.value<number>('PRAGMA page_count') ?? 0) * pageSize) / MiB).toFixed(0)} MiB, peak RSS ${rss()} MiB`,
);

const sample = db.get<{ serial: string; falcon_aid: string; user: string }>(
  'SELECT serial, falcon_aid, user FROM devices WHERE id = (SELECT MAX(id) / 2 FROM devices)',
)!;
const terms = [
  'LON-PC-000001',
  'LON-PC',
  sample.serial,
  sample.falcon_aid.slice(3, 11),
  sample.user,
  'no-such-device',
  'PC',
];
const times: number[] = [];
for (const term of terms) {
  const first = time(() => devices(ws, { text: term, limit: 100 }));
  const again = time(() => devices(ws, { text: term, limit: 100 }));
  times.push(first.ms);
  const cand = time(() => textCandidates(db, term));
  const count = first.value.countPending ? time(() => deviceTotal(ws, { text: term })) : null;
  const matches = count
    ? `${count.value.total}${count.value.capped ? '+' : ''} matches counted after it in ${count.ms.toFixed(1)} ms (CPU ${count.cpu} ms)`
    : `${first.value.total} matches`;
  console.log(
    `first page "${term}": ${first.ms.toFixed(1)} ms (CPU ${first.cpu} ms), ${matches}; again ${again.ms.toFixed(1)} ms; trigram candidates ${cand.value?.length ?? 'none'} in ${cand.ms.toFixed(1)} ms`,
  );
}
times.sort((a, b) => a - b);
console.log(
  `first page median ${times[times.length >> 1]!.toFixed(1)} ms, max ${times[times.length - 1]!.toFixed(1)} ms`,
);

// One way of saving per run (peak RSS only grows): the streamed save every save now does, or db.export()'s copy.
if (values.export === 'stream' || values.export === 'copy') {
  const before = rss();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-scale-'));
  const file = path.join(dir, 'scale.ringside');
  const t0 = performance.now();
  if (values.export === 'stream') await new WorkspaceStorage().save(file, db, 0);
  else await new WorkspaceStorage().writeAtomic(file, db.export());
  const ms = performance.now() - t0;
  console.log(
    `save (${values.export === 'stream' ? 'streamed' : 'db.export() then written'}): ${ms.toFixed(0)} ms, ${(statSync(file).size / MiB).toFixed(0)} MiB; peak RSS ${before} -> ${rss()} MiB`,
  );
  rmSync(dir, { recursive: true, force: true });
} else if (values.export) throw new Error(`--export takes stream or copy, not '${values.export}'`);
// --keep FILE writes the filled workspace out, for probing plans without filling it again.
if (values.keep) writeFileSync(values.keep, db.export());
db.close();
