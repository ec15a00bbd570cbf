// Identity and key rules at their edges: junk serials shared by many machines, the 4-character serial floor, the
// 15-character NetBIOS cut, and the 720896 bound of a recovery-password group; expected values worked out by hand.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { hostKey, importFiles, keyProblem } from '../../../../core/ingest/index.js';
import { usableSerial } from '../../../../core/ingest/identity.js';
import { emptyWorkspace } from '../analysis/fixtures.js';

/** An Intune device export with only the columns these rules read. */
function intune(rows: Array<[name: string, serial: string]>): string {
  return ['Device name,Serial number,Last check-in', ...rows.map(([n, s]) => `${n},${s},2024-07-19T03:00:00Z`)].join(
    '\r\n',
  );
}

async function devicesAfter(rows: Array<[string, string]>) {
  const ws = await emptyWorkspace();
  const [r] = await importFiles(ws, [inputFromBytes('intune.csv', intune(rows))]);
  expect(r!.rejected).toBe(0);
  return ws.db.all<{ hostname: string; serial: string | null }>(
    'SELECT hostname, serial FROM devices WHERE superseded_by IS NULL ORDER BY id',
  );
}

describe('a shared junk serial never identifies a machine', () => {
  it('two machines named differently with the OEM placeholder serial stay two devices', async () => {
    const d = await devicesAfter([
      ['PC-1', 'To be filled by O.E.M.'],
      ['PC-2', 'To be filled by O.E.M.'],
    ]);
    expect(d.map((x) => x.hostname)).toEqual(['PC-1', 'PC-2']);
  });
  it('nor do "System Serial Number", "0000" and a spreadsheet-mangled 1.23457E+47', async () => {
    for (const junk of ['System Serial Number', '0000', '1.23457E+47', 'Default string']) {
      expect(
        await devicesAfter([
          ['PC-1', junk],
          ['PC-2', junk],
        ]),
        junk,
      ).toHaveLength(2);
    }
  });
  it('a real serial does: a renamed machine (same serial, new name) is one device', async () => {
    expect(
      await devicesAfter([
        ['PC-1', '5CG1234XYZ'],
        ['PC-1-NEW', '5CG1234XYZ'],
      ]),
    ).toHaveLength(1);
  });
  it('the serial floor: 3 characters identify nothing, 4 characters do', async () => {
    expect(
      await devicesAfter([
        ['PC-1', 'A1B'],
        ['PC-2', 'A1B'],
      ]),
    ).toHaveLength(2);
    expect(
      await devicesAfter([
        ['PC-1', 'A1B2'],
        ['PC-2', 'A1B2'],
      ]),
    ).toHaveLength(1);
    expect(usableSerial(' a1b2 ')).toBe('A1B2');
    expect(usableSerial('a1b')).toBeNull();
    // Only the whole value is junk: a real serial that starts with zeros is kept.
    expect(usableSerial('00001')).toBe('00001');
  });
});

describe('host key: the 15 characters NetBIOS keeps', () => {
  it('14 and 15 characters are kept whole; the 16th is cut', () => {
    expect(hostKey('abcdefghijklmn')).toBe('ABCDEFGHIJKLMN');
    expect(hostKey('abcdefghijklmno')).toBe('ABCDEFGHIJKLMNO');
    expect(hostKey('abcdefghijklmnop')).toBe('ABCDEFGHIJKLMNO');
  });
  it('the cut comes after the domain, DN and $ are taken off', () => {
    expect(hostKey('workstation-lon-0142.corp.example.com')).toBe('WORKSTATION-LON');
    expect(hostKey('CN=WORKSTATION-LON-0142,OU=Clinical,DC=corp')).toBe('WORKSTATION-LON');
    expect(hostKey('CORP\\WORKSTATION-LON$')).toBe('WORKSTATION-LON');
  });
  it('a long DNS name and its 15-character NetBIOS name are one device', async () => {
    const d = await devicesAfter([
      ['WORKSTATION-LON-0142', 'To be filled by O.E.M.'],
      ['WORKSTATION-LON', 'To be filled by O.E.M.'],
    ]);
    expect(d).toHaveLength(1);
  });
});

describe('recovery password groups: multiples of 11 below 720896', () => {
  const pw = (last: string) => `000011-000022-000033-000044-000055-000066-000077-${last}`;
  it('720885 (65535 x 11, the largest) is valid; 720896 (65536 x 11, on the bound) is not; 720907 is not', () => {
    expect(keyProblem(pw('720885'))).toBeNull();
    expect(keyProblem(pw('720896'))).toBe('group 8 of the recovery password is 720896 or more');
    expect(keyProblem(pw('720907'))).toBe('group 8 of the recovery password is 720896 or more');
  });
  it('000000 (0 x 11) is valid; 720884 fails the checksum, not the bound', () => {
    expect(keyProblem(pw('000000'))).toBeNull();
    expect(keyProblem(pw('720884'))).toBe('group 8 of the recovery password is not divisible by 11 (checksum)');
  });
  it('8 groups are needed: 7 or 9 are refused with the count', () => {
    expect(keyProblem(pw('000088').split('-').slice(0, 7).join('-'))).toMatch(/has 7 groups; expected 8/);
    expect(keyProblem(`${pw('000088')}-000099`)).toMatch(/has 9 groups; expected 8/);
  });
});
