// Per-cell flags: dates with no time zone or an ambiguous day/month order, and rows with too few or too many fields.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { readCsv } from '../../../../core/ingest/readers/csv.js';
import { splitRecords } from '../../../../core/ingest/readers/csv-text.js';
import type { RowBatch } from '../../../../core/ingest/rows.js';
import { dateColumn, MAX_AMBIGUOUS_FLAGS } from '../../../../core/ingest/dates.js';
import { importErrors, importFile } from '../../../../core/ingest/index.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const T = Date.UTC(2024, 6, 23);
async function ws(): Promise<Workspace> {
  return openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => T });
}
const aid = (n: number) => n.toString(16).padStart(32, '0');
const HEADER =
  'timestamp_utc,source,device_key,hostname_raw,ring,package,version_from,version_to,state,error_code_hex,detail';
const row = (ts: string, host: string, state: string, detail = '') =>
  [ts, 'falcon', '', host, 'Broad', 'channel-file-291', '291-good', '291-bad', state, '', detail].join(',');

type Flag = { line: number; field: string; message: string };
function collector(): { flags: Flag[]; flag(line: number, field: string, message: string): void } {
  const flags: Flag[] = [];
  return { flags, flag: (line, field, message) => flags.push({ line, field, message }) };
}

describe('date flags', () => {
  it('no time zone: read as UTC, flagged once per column with the line', () => {
    const p = collector();
    const read = dateColumn('Last check-in', p);
    expect(read('2024-07-19T04:09:00Z', 2)).toBe(Date.UTC(2024, 6, 19, 4, 9));
    expect(read('2024-07-19 04:09:00.0000000', 3)).toBe(Date.UTC(2024, 6, 19, 4, 9));
    expect(read('2024-07-19 05:09:00.0000000', 4)).toBe(Date.UTC(2024, 6, 19, 5, 9));
    expect(read('2024-07-19T05:09:00+02:00', 5)).toBe(Date.UTC(2024, 6, 19, 3, 9));
    expect(read('2024-07-19', 6)).toBe(Date.UTC(2024, 6, 19));
    expect(p.flags).toEqual([
      { line: 3, field: 'Last check-in', message: expect.stringMatching(/no time zone: read as UTC/) },
    ]);
  });

  it('07/08/2024 is ambiguous: read month/day and flagged with how it was read', () => {
    const p = collector();
    const read = dateColumn('TimeCreated', p);
    expect(read('07/08/2024 04:12:33 AM UTC', 2)).toBe(Date.UTC(2024, 6, 8, 4, 12, 33));
    expect(read('7/7/2024 4:12 Z', 3)).toBe(Date.UTC(2024, 6, 7, 4, 12)); // same number twice: not ambiguous
    expect(p.flags).toEqual([
      {
        line: 2,
        field: 'TimeCreated',
        message: expect.stringMatching(/could be day\/month or month\/day: read as month\/day = 2024-07-08/),
      },
    ]);
  });

  it('a column that shows itself day-first reads later ambiguous dates day-first, and says what happened before', () => {
    const p = collector();
    const read = dateColumn('Date', p);
    expect(read('05/07/2024 10:00Z', 2)).toBe(Date.UTC(2024, 4, 7, 10)); // US until shown otherwise
    expect(read('19/07/2024 10:00Z', 3)).toBe(Date.UTC(2024, 6, 19, 10));
    expect(read('07/08/2024 10:00Z', 4)).toBe(Date.UTC(2024, 7, 7, 10));
    expect(read('7/20/2024 10:00Z', 5)).toBe(Date.UTC(2024, 6, 20, 10));
    expect(p.flags.map((f) => [f.line, f.message])).toEqual([
      [2, expect.stringMatching(/read as month\/day = 2024-05-07 \(the US order/)],
      [3, expect.stringMatching(/day\/month: the 1 ambiguous date above this line was read as month\/day/)],
      [4, expect.stringMatching(/read as day\/month = 2024-08-07, like "19\/07\/2024 10:00Z" on line 3/)],
      [5, expect.stringMatching(/mixes date orders/)],
    ]);
  });

  it('a flood of ambiguous dates gives the first few and one summary line', () => {
    const p = collector();
    const read = dateColumn('Date', p);
    for (let i = 0; i < 1000; i++) read(`0${1 + (i % 9)}/1${i % 3}/2024 10:00Z`, i + 2);
    expect(p.flags).toHaveLength(MAX_AMBIGUOUS_FLAGS + 1);
    expect(p.flags.at(-1)!.message).toMatch(/not listed one by one/);
  });

  it('flags travel through the import: kept rows, counted, stored with file line and field', async () => {
    const w = await ws();
    const text = [
      'Hostname,Host ID,Platform,Sensor Version,First Seen,Last Seen',
      `PC-1,${aid(1)},Windows,7.16.18605.0,2024-01-02T03:04:05Z,07/08/2024 4:12:33 PM`,
      `PC-2,${aid(2)},Windows,7.16.18605.0,2024-01-02T03:04:05Z,2024-07-19 05:00:00`,
    ].join('\n');
    const r = await importFile(w, inputFromBytes('hosts.csv', text));
    expect(r).toMatchObject({ format: 'falcon', imported: 2, rejected: 0, flagged: 2 });
    const stored = importErrors(w, r.importId!).errors;
    expect(stored).toEqual([
      {
        line: 2,
        field: 'Last Seen',
        message: expect.stringMatching(/^kept: "07\/08\/2024 4:12:33 PM" has no time zone/),
      },
      { line: 2, field: 'Last Seen', message: expect.stringMatching(/^kept: .*read as month\/day = 2024-07-08/) },
    ]);
    expect(w.db.value(`SELECT last_seen FROM devices WHERE host_key = 'PC-1'`)).toBe(Date.UTC(2024, 6, 8, 16, 12, 33));
  });

  it('the rollout writer flags its timestamp column once, not per row', async () => {
    const w = await ws();
    const lines = [HEADER];
    for (let i = 0; i < 500; i++)
      lines.push(row(`2024-07-19 04:${String(10 + (i % 50)).padStart(2, '0')}:00`, `PC-${i}`, 'installed'));
    const r = await importFile(w, inputFromBytes('rollout.csv', lines.join('\n')));
    expect(r).toMatchObject({ format: 'rollout', imported: 500, flagged: 1 });
    expect(r.errors).toEqual([{ line: 2, field: 'timestamp_utc', message: expect.stringMatching(/no time zone/) }]);
  });
});

describe('ragged rows', () => {
  it('splitRecords reads quotes, doubled quotes, newlines in quotes, and records', () => {
    expect(splitRecords('a,"b,c","d""e"\n"x\ny",,', ',')).toEqual([
      { fields: ['a', 'b,c', 'd"e'], offset: 0 },
      { fields: ['x\ny', '', ''], offset: 15 },
    ]);
  });

  it.each([
    ['quote-free file', ''],
    ['file with quoted cells', '"BugCheck 0x50, loop 1"'],
  ])(
    '%s: short rows are flagged and kept, no longer swallowing the next line; long rows lose the extra cells',
    async (_n, quoted) => {
      const w = await ws();
      await importFile(
        w,
        inputFromBytes(
          'f.csv',
          `Hostname,Host ID,Platform\nPC-1,${aid(1)},Windows\nPC-2,${aid(2)},Windows\nPC-3,${aid(3)},Windows\n`,
        ),
      );
      const text = [
        HEADER,
        row('2024-07-19T04:10:00Z', 'PC-1', 'installed'),
        // 9 fields: ends at `state`
        row('2024-07-19T04:11:00Z', 'PC-2', 'installed').split(',').slice(0, 9).join(','),
        row('2024-07-19T04:12:00Z', 'PC-1', 'crashed', quoted || 'BugCheck 0x50'),
        row('2024-07-19T04:13:00Z', 'PC-3', 'crashed', 'BugCheck 0x50') + ',extra1,extra2',
        // short, ending in an empty cell
        row('2024-07-19T04:14:00Z', 'PC-3', 'rebooted').split(',').slice(0, 10).join(','),
        row('2024-07-19T04:15:00Z', 'PC-2', 'crashed', 'BugCheck 0x50'),
        // a short last row without a final newline (uDSV drops it)
        row('2024-07-19T04:16:00Z', 'PC-2', 'rebooted').split(',').slice(0, 9).join(','),
      ].join('\r\n');
      const r = await importFile(w, inputFromBytes('rollout.csv', text));
      expect(r).toMatchObject({ format: 'rollout', rows: 7, imported: 7, rejected: 0, flagged: 4 });
      expect(r.errors).toEqual([
        {
          line: 3,
          field: 'error_code_hex',
          message: 'kept: row has 9 fields; the header has 11 — missing cells left empty',
        },
        { line: 5, field: '(row)', message: 'kept: row has 13 fields; the header has 11 — the 2 extra cells ignored' },
        { line: 6, field: 'detail', message: 'kept: row has 10 fields; the header has 11 — missing cells left empty' },
        {
          line: 8,
          field: 'error_code_hex',
          message: 'kept: row has 9 fields; the header has 11 — missing cells left empty',
        },
      ]);
      const ev = w.db.all<{ ts: number; kind: string; detail: string | null; host_key: string }>(
        'SELECT ts, kind, detail, host_key FROM events ORDER BY ts',
      );
      expect(ev.map((e) => [new Date(e.ts).toISOString().slice(11, 16), e.host_key, e.kind])).toEqual([
        ['04:10', 'PC-1', 'installed'],
        ['04:11', 'PC-2', 'installed'],
        ['04:12', 'PC-1', 'crashed'],
        ['04:13', 'PC-3', 'crashed'],
        ['04:14', 'PC-3', 'rebooted'],
        ['04:15', 'PC-2', 'crashed'],
        ['04:16', 'PC-2', 'rebooted'],
      ]);
      expect(ev[3]!.detail).toBe('BugCheck 0x50');
      expect(ev[2]!.detail).toBe(quoted ? 'BugCheck 0x50, loop 1' : 'BugCheck 0x50');
    },
  );

  it('line numbers stay physical after a short row and a quoted newline; blank lines are not rows', async () => {
    const batches: { rows: string[][]; lines: number[]; notes: RowBatch['notes'] }[] = [];
    async function* chunks() {
      yield 'a,b,c\n1,2\n\n"x\ny",5,6\n7,8,9\n';
    }
    await readCsv(chunks(), {
      header: () => true,
      rows: (rows, lines) =>
        void batches.push({ rows: rows.map((r) => [...r]), lines: [...lines], notes: (rows as RowBatch).notes }),
    });
    expect(batches.flatMap((b) => b.rows)).toEqual([
      ['1', '2', ''],
      ['x\ny', '5', '6'],
      ['7', '8', '9'],
    ]);
    expect(batches.flatMap((b) => b.lines)).toEqual([2, 4, 6]);
    expect(batches[0]!.notes).toEqual([
      { index: 0, field: 'c', message: expect.stringMatching(/2 fields; the header has 3/) },
    ]);
  });

  it('key exports: a short row is kept and flagged, its missing Directory cell left empty', async () => {
    const w = await ws();
    const r = await importFile(
      w,
      inputFromBytes(
        'keys.csv',
        [
          'Hostname,KeyID,RecoveryKey,Directory',
          'PC-1,{6A5F0F3E-1234-4ABC-9DEF-0123456789AB},000011-000022-000033-000044-000055-000066-000077-000088,EntraID',
          'PC-2,{7A5F0F3E-1234-4ABC-9DEF-0123456789AB},000011-000022-000033-000044-000055-000066-000077-000099',
          '',
        ].join('\n'),
      ),
    );
    expect(r).toMatchObject({ format: 'bitlocker', rows: 2, imported: 2, rejected: 0, flagged: 1 });
    expect(r.errors).toEqual([
      { line: 3, field: 'Directory', message: 'kept: row has 3 fields; the header has 4 — missing cells left empty' },
    ]);
    expect(w.db.value('SELECT COUNT(*) FROM keys')).toBe(2);
  });
});
