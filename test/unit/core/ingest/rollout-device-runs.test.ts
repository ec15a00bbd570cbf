// The rollout writer finds a row's device once per run of rows naming it the same way, and never carries it further.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFile } from '../../../../core/ingest/index.js';
import { open } from '../store/open-workspace.js';

const aid = (n: number) => n.toString(16).padStart(32, 'a');
const hosts = [
  'Hostname,Host ID,Serial Number,Platform,OS Version,OS Build,Product Type,Sensor Version,First Seen,Last Seen,Site,Host Groups,Tags,Last Logged In User,Status',
  ...[1, 2, 3].map(
    (n) =>
      `PC-${n},${aid(n)},SN00000${n},Windows,Windows 11,22631,Workstation,7.10.17706.0,2022-04-24T21:40:41Z,2024-07-22T05:45:20Z,PAR,"Ring - Broad",,u${n},normal`,
  ),
  '',
].join('\n');
const HEAD =
  'timestamp_utc,source,device_key,hostname_raw,ring,package,version_from,version_to,state,error_code_hex,detail';
/** [device_key, hostname] per event, in file order; every event otherwise alike. */
const events = (rows: [string, string][]) =>
  [
    HEAD,
    ...rows.map(
      ([k, h], i) =>
        `2024-07-19T04:${String(10 + i).padStart(2, '0')}:00Z,falcon,${k},${h},Broad,,,,crashed,0x50,BugCheck 0x50`,
    ),
    '',
  ].join('\n');

describe('rollout rows find their devices', () => {
  it('a row naming its device otherwise than the row before is looked up again', async () => {
    const ws = await open();
    expect((await importFile(ws, inputFromBytes('hosts.csv', new TextEncoder().encode(hosts)))).rejected).toBe(0);
    const id = (host: string) => ws.db.value<number>('SELECT id FROM devices WHERE hostname = ?', [host])!;
    const rows: [string, string][] = [
      ['', 'PC-1'],
      ['', 'PC-1'],
      // Same (empty) ID, another name: PC-2.
      ['', 'PC-2'],
      // PC-1's ID with PC-2's name: the ID wins (PC-1); then PC-2's name alone again: PC-2.
      [aid(1), 'PC-2'],
      ['', 'PC-2'],
      // PC-3's ID and no name, then a name nobody has: no device (kept, with its host key), then PC-3's ID again.
      [aid(3), ''],
      ['', 'PC-9'],
      ['', ''],
      [aid(3), ''],
    ];
    const r = await importFile(ws, inputFromBytes('events.csv', new TextEncoder().encode(events(rows))));
    // By hand: the empty row (line 9) is rejected; the others are imported in file order.
    expect(r.rejected).toBe(1);
    expect(r.errors.map((e) => e.line)).toEqual([9]);
    const got = ws.db.all<{ device_id: number | null; host_key: string | null; line: number }>(
      'SELECT device_id, host_key, line FROM events ORDER BY id',
    );
    expect(got).toEqual([
      { device_id: id('PC-1'), host_key: 'PC-1', line: 2 },
      { device_id: id('PC-1'), host_key: 'PC-1', line: 3 },
      { device_id: id('PC-2'), host_key: 'PC-2', line: 4 },
      { device_id: id('PC-1'), host_key: 'PC-2', line: 5 },
      { device_id: id('PC-2'), host_key: 'PC-2', line: 6 },
      { device_id: id('PC-3'), host_key: null, line: 7 },
      { device_id: null, host_key: 'PC-9', line: 8 },
      { device_id: id('PC-3'), host_key: null, line: 10 },
    ]);
  });
});
