// The fleet rows' normalisation: each problem kind's message and values, the same however the file is cut into batches.
import { describe, expect, it } from 'vitest';
import {
  F,
  FleetNormaliser,
  normValue,
  sourceColumns,
  WIDTH,
  type FleetNormSpec,
} from '../../../../core/ingest/fleet-norm.js';
import { FIELDS, type Field } from '../../../../core/ingest/formats.js';
import type { RowNote } from '../../../../core/ingest/rows.js';
import { REDACTED } from '../../../../core/secrets/redact.js';

const HEADER = [
  'hostname',
  'falcon_aid',
  'entra_id',
  'intune_id',
  'serial',
  'platform',
  'os_version',
  'os_build',
  'device_type',
  'agent_version',
  'first_seen',
  'last_seen',
  'site',
  'groups',
  'tags',
  'user',
  'ring',
  'dn',
  'model',
] as const;

const spec = (format: FleetNormSpec['format'] = 'falcon'): FleetNormSpec => {
  const cols = Object.fromEntries(FIELDS.map((f) => [f, HEADER.indexOf(f as (typeof HEADER)[number])])) as Record<
    Field,
    number
  >;
  return {
    format,
    cols,
    names: {
      host: 'Hostname',
      aid: 'Host ID',
      entra: 'Entra',
      intune: 'Intune',
      serial: 'Serial',
      first_seen: 'First Seen',
      last_seen: 'Last Seen',
    },
  };
};

const AID = '93deb121ccf4add9da60a4d60a93bddf';
const GUID = '1918B880-316D-52B3-3578-64724D58C0AE';
/** One row per case: the cells given, the rest empty. */
const row = (cells: Partial<Record<(typeof HEADER)[number], string>>) => HEADER.map((h) => cells[h] ?? '');
const ROWS: { what: string; row: string[] }[] = [
  {
    what: 'a whole row, ring from a host group, the build merged into the version',
    row: row({
      hostname: 'PAR-LT-00000.corp.example.com',
      falcon_aid: AID.toUpperCase(),
      serial: 'SN0',
      platform: 'Windows',
      os_version: 'Windows 11',
      os_build: '22631',
      device_type: 'Workstation',
      agent_version: '7.10.17706.0',
      first_seen: '2022-04-24T21:40:41Z',
      last_seen: '2024-07-22T05:45:20Z',
      site: 'PAR',
      groups: 'Windows Workstations, Ring - Broad',
      tags: 'FalconGroupingTags/Finance',
      user: 'wei.kim',
      model: 'Latitude',
    }),
  },
  {
    what: 'a distinguished name for a host, ring column',
    row: row({ dn: 'CN=PC-DN\\,1,OU=Lab,DC=corp', ring: 'Ring: Fast' }),
  },
  { what: 'a bad AID', row: row({ hostname: 'PC-2', falcon_aid: 'not-an-aid' }) },
  { what: 'a bad Entra GUID', row: row({ hostname: 'PC-3', entra_id: '1234-5678' }) },
  { what: 'the zero GUID', row: row({ hostname: 'PC-4', entra_id: '00000000-0000-0000-0000-000000000000' }) },
  { what: 'a bad Intune GUID', row: row({ hostname: 'PC-5', intune_id: `{${GUID}` + 'x' }) },
  { what: 'an Excel-mangled serial', row: row({ hostname: 'PC-6', serial: '1.23457E+11', intune_id: `{${GUID}}` }) },
  { what: 'a bad date', row: row({ hostname: 'PC-7', first_seen: 'last Tuesday', last_seen: '2024-07-19 04:00:00' }) },
  { what: 'a redacted host name', row: row({ hostname: `PC ${REDACTED}`, serial: 'SN8' }) },
  { what: 'an empty host name', row: row({ serial: 'SN9', site: 'LON' }) },
  { what: 'ring from a tag', row: row({ hostname: 'PC-10', tags: 'SensorGroupingTags/Ring_Test;Other' }) },
  {
    what: 'a server by its OS',
    row: row({ hostname: 'SRV-11', platform: 'Windows', os_version: 'Windows Server 2019' }),
  },
  { what: 'a build alone', row: row({ hostname: 'PC-12', os_build: '19045', last_seen: '03/04/2024 10:00' }) },
  { what: 'a row its reader rejects', row: row({ hostname: 'PC-13', falcon_aid: 'bad', first_seen: '25/04/2024' }) },
  { what: 'an ambiguous date', row: row({ hostname: 'PC-14', last_seen: '05/06/2024 10:00' }) },
  { what: 'a day/month date', row: row({ hostname: 'PC-15', last_seen: '25/06/2024 10:00' }) },
  { what: 'a month/day date after it', row: row({ hostname: 'PC-16', last_seen: '06/25/2024 10:00' }) },
  { what: 'a long name', row: row({ hostname: 'A-VERY-LONG-HOSTNAME-17$', agent_version: '7.1' }) },
];
const NOTES: RowNote[] = [
  { index: 13, field: 'row', message: 'cut off', reject: true },
  { index: 14, field: 'row', message: 'ragged' },
];

type Seen = {
  ok: boolean[];
  values: (string | null)[][];
  dates: (number | null)[][];
  problems: { row: number; field: string; message: string; reject: boolean }[];
};

/** Runs the rows through one normaliser in batches of `size`, each batch's results put back at the rows' places. */
function normalise(size: number, shared: boolean, format?: FleetNormSpec['format']): Seen {
  const n = new FleetNormaliser(spec(format), shared);
  const src = sourceColumns(spec(format));
  const out: Seen = { ok: [], values: [], dates: [], problems: [] };
  const rows = ROWS.map((r) => r.row);
  for (let at = 0; at < rows.length; at += size) {
    const batch = rows.slice(at, at + size);
    const notes = NOTES.filter((x) => x.index >= at && x.index < at + size).map((x) => ({ ...x, index: x.index - at }));
    const lines = batch.map((_, i) => at + i + 2);
    const b = n.batch(batch, lines, batch.length, notes);
    expect(b.cells.length).toBe(batch.length * WIDTH);
    for (let r = 0; r < batch.length; r++) {
      out.ok.push(b.ok[r] === 1);
      out.values.push(Array.from({ length: WIDTH }, (_, k) => (b.ok[r] ? normValue(b, r, k, batch[r]!, src) : null)));
      const d = [b.dates[2 * r]!, b.dates[2 * r + 1]!].map((t) => (Number.isNaN(t) ? null : t));
      out.dates.push(d);
    }
    for (const p of b.problems)
      out.problems.push({ row: p.index + at, field: p.field, message: p.message, reject: p.reject === true });
  }
  return out;
}

describe('the fleet rows normalisation', () => {
  it('gives the same values and problems, in the same order, in one batch or many, packed shared or not', () => {
    const whole = normalise(ROWS.length, false);
    for (const size of [1, 2, 5, 7, ROWS.length])
      for (const shared of [false, true]) expect(normalise(size, shared), `batches of ${size}`).toEqual(whole);
  });

  it('rejects what the writer rejected, with the same field and message, and flags what it flagged', () => {
    const { ok, problems } = normalise(4, true);
    expect(ok).toEqual([
      true,
      true,
      false,
      false,
      true,
      false,
      true,
      true,
      false,
      false,
      true,
      true,
      true,
      false,
      true,
      true,
      true,
      true,
    ]);
    expect(problems).toEqual([
      { row: 2, field: 'Host ID', message: '"not-an-aid" is not a Falcon AID (32 hex digits)', reject: true },
      { row: 3, field: 'Entra', message: '"1234-5678" is not a GUID', reject: true },
      { row: 5, field: 'Intune', message: `"{${GUID}x" is not a GUID`, reject: true },
      {
        row: 6,
        field: 'Serial',
        message: 'serial "1.23457E+11" was turned into a number by a spreadsheet; not used to match devices',
        reject: false,
      },
      { row: 7, field: 'First Seen', message: '"last Tuesday" is not a date; left empty', reject: false },
      {
        row: 7,
        field: 'Last Seen',
        message:
          '"2024-07-19 04:00:00" has no time zone: read as UTC (as are the other dates in this column without one)',
        reject: false,
      },
      {
        row: 8,
        field: 'Hostname',
        message: `the device name cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell`,
        reject: true,
      },
      { row: 9, field: 'Hostname', message: 'no device name: the hostname cell is empty', reject: true },
      {
        row: 12,
        field: 'Last Seen',
        message:
          '"03/04/2024 10:00" could be day/month or month/day: read as month/day = 2024-03-04 (the US order; no date in this column so far could be read only one way)',
        reject: false,
      },
      {
        row: 14,
        field: 'Last Seen',
        message:
          '"05/06/2024 10:00" could be day/month or month/day: read as month/day = 2024-05-06 (the US order; no date in this column so far could be read only one way)',
        reject: false,
      },
      {
        row: 15,
        field: 'Last Seen',
        message:
          '"25/06/2024 10:00" shows this column is day/month: the 2 ambiguous dates above this line were read as month/day; the ones below are read as day/month',
        reject: false,
      },
      {
        row: 16,
        field: 'Last Seen',
        message:
          '"06/25/2024 10:00" is month/day but "25/06/2024 10:00" on line 17 is day/month: this column mixes date orders; each date is read the only way it can be',
        reject: false,
      },
    ]);
  });

  it('gives each row its values as the writer made them', () => {
    const { values, dates } = normalise(3, true);
    const v = (r: number) => Object.fromEntries(Object.entries(F).map(([name, k]) => [name, values[r]![k]]));
    expect(v(0)).toEqual({
      hostname: 'PAR-LT-00000',
      hostKey: 'PAR-LT-00000',
      aid: AID,
      entra: null,
      intune: null,
      serial: 'SN0',
      site: 'PAR',
      ring: 'Broad',
      ringSource: 'falcon host group',
      platform: 'windows',
      osVersion: 'Windows 11 (22631)',
      deviceType: 'workstation',
      agentVersion: '7.10.17706.0',
      tags: 'finance',
      user: 'wei.kim',
      model: 'Latitude',
    });
    expect(dates[0]).toEqual([Date.UTC(2022, 3, 24, 21, 40, 41), Date.UTC(2024, 6, 22, 5, 45, 20)]);
    expect(v(1)).toMatchObject({ hostname: 'PC-DN,1', hostKey: 'PC-DN,1', ring: 'Fast', ringSource: 'falcon' });
    expect(v(4)).toMatchObject({ hostname: 'PC-4', entra: null, tags: '' });
    expect(v(6)).toMatchObject({ serial: '1.23457E+11', intune: GUID.toLowerCase() });
    expect(dates[7]).toEqual([null, Date.UTC(2024, 6, 19, 4)]);
    expect(v(10)).toMatchObject({ ring: 'Test', ringSource: 'falcon tag', tags: 'ring_test,other' });
    expect(v(11)).toMatchObject({ platform: 'windows', osVersion: 'Windows Server 2019', deviceType: 'server' });
    expect(v(12)).toMatchObject({ osVersion: '19045', platform: 'other', deviceType: null });
    expect(dates[15]).toEqual([null, Date.UTC(2024, 5, 25, 10)]);
    expect(v(17)).toMatchObject({
      hostname: 'A-VERY-LONG-HOSTNAME-17',
      hostKey: 'A-VERY-LONG-HOS',
      agentVersion: '7.1',
    });
    // Only Falcon's sensor version is an agent version; other formats name the ring's source after themselves.
    const intune = normalise(ROWS.length, false, 'intune');
    expect(intune.values[17]![F.agentVersion]).toBeNull();
    expect(intune.values[1]![F.ringSource]).toBe('intune');
    expect(normalise(ROWS.length, false, 'ad').values[1]![F.ringSource]).toBe('ad ring column');
  });
});
