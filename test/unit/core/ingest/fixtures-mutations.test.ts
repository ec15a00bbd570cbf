// formats.md 6.3: every file-level mutation of the population's Falcon export joins to the same machines as the clean file.
import { beforeAll, describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFile, RawReader } from '../../../../core/ingest/index.js';
import { computeGroundTruth } from '../../../../core/sample/index.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { mutations, type Mutation } from '../../../fixtures/ingest/mutations.js';

const OPTS = { devices: 250, seed: 6303 };
const truth = computeGroundTruth(OPTS);
const { clean, rows, list } = mutations(OPTS);

interface Joined {
  aid: string;
  host_key: string;
  hostname: string;
  serial: string | null;
  first_seen: number | null;
  last_seen: number | null;
  ring: string | null;
  site: string | null;
  user: string | null;
  live: number;
}
const open = async () =>
  openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });
const joined = (ws: Workspace) =>
  ws.db.all<Joined>(
    `SELECT falcon_aid AS aid, host_key, hostname, serial, first_seen, last_seen, ring, site, user,
            superseded_by IS NULL AS live FROM devices ORDER BY falcon_aid`,
  );

describe('file-level mutations of one export', () => {
  let want: Joined[];
  beforeAll(async () => {
    const ws = await open();
    const r = await importFile(ws, inputFromBytes('falcon-hosts.csv', clean));
    expect(r).toMatchObject({ format: 'falcon', rows, imported: rows, rejected: 0, flagged: 0 });
    want = joined(ws);
    expect(want.filter((d) => d.live)).toHaveLength(truth.devices);
    expect(want).toHaveLength(truth.records);
    ws.db.raw.close();
  });

  it('covers every mutation formats.md 6.3 lists', () => {
    const names = list.map((m) => m.name).join('\n');
    for (const m of [
      /UTF-8 with BOM/,
      /UTF-16LE.*tab/,
      /UTF-16LE.*comma/,
      /Windows-1252 with Zürich/,
      /ASCII with \?/,
      /; with decimal commas/,
      /#TYPE/,
      /blank first line/,
      /banner/,
      /^CRLF$/m,
      /mixed/,
      /missing final newline/,
      /trailing empty lines/,
      /quoted commas, doubled quotes, embedded CRLF/,
      /spaces/,
      /' and = guards, leading zeros/,
      /Excel-mangled serials/,
      /duplicate header/,
      /reordered/,
      /extra unknown/,
      /missing optional/,
      /ragged/,
      /header-only/,
      /0-byte/,
      /32k/,
      /\+02:00/,
      /-07:00/,
      /DST/,
      /no zone/,
      /AM\/PM/,
    ])
      // prettier-ignore
      expect(names).toMatch(m);
  });

  it.each(list.map((m) => [m.name, m] as const))('%s', async (_n, m: Mutation) => {
    const ws = await open();
    const r = await importFile(ws, inputFromBytes(`${m.name}.csv`, m.bytes));
    if (m.fileError) {
      expect(r.importId).toBeNull();
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]!.message).toMatch(m.fileError);
      expect(ws.db.value('SELECT COUNT(*) FROM devices')).toBe(0);
      return;
    }
    expect(r.format).toBe('falcon');
    expect(r, JSON.stringify(r.errors.slice(0, 3))).toMatchObject({ rows: m.rows, imported: m.rows, rejected: 0 });
    for (const note of m.notes) expect(r.notes.join('\n')).toMatch(note);
    // Every reported problem is one this mutation should cause, and each expected kind shows up.
    for (const e of r.errors)
      expect(
        m.flags.some((f) => f.test(e.message)),
        e.message,
      ).toBe(true);
    for (const f of m.flags)
      expect(
        r.errors.some((e) => f.test(e.message)),
        String(f),
      ).toBe(true);
    expect(r.flagged).toBe(r.errors.length);
    if (m.rows === 0) {
      expect(ws.db.value('SELECT COUNT(*) FROM devices')).toBe(0);
      return;
    }
    // The same machines, the same UTC instants, the same rings and sites as the clean file.
    const got = joined(ws);
    const user = m.user ?? ((u: string) => u);
    const serial = m.serial ?? ((v: string) => v);
    expect(got).toEqual(
      want.map((d) => ({
        ...d,
        user: d.user === null ? null : user(d.user) || null,
        serial: d.serial === null ? null : serial(d.serial),
      })),
    );
    ws.db.raw.close();
  });

  it('the raw row keeps the text as written: Zürich from Windows-1252, a 40k-character cell whole', async () => {
    for (const [name, column, test] of [
      ['Windows-1252 with Zürich', 'Location', (v: string) => v === 'Zürich'],
      ['a cell over 32k characters', 'Description', (v: string) => v.length === 40_000 + 7 && v.endsWith(', "end"')],
    ] as const) {
      const m = list.find((x) => x.name === name)!;
      const ws = await open();
      const r = await importFile(ws, inputFromBytes(`${name}.csv`, m.bytes));
      const reader = new RawReader(ws);
      const src = ws.db.all<{ line: number; raw: string }>(
        'SELECT line, raw FROM device_sources WHERE import_id = ? ORDER BY line',
        [r.importId],
      );
      const values = src.map((s) => reader.row(r.importId!, s.line, s.raw)[column] ?? '');
      expect(values.some(test), name).toBe(true);
      ws.db.raw.close();
    }
  });
});
