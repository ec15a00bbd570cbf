// BitLocker key rules: each recovery-password refusal at its edge, key-ID spellings, lookup by full ID or 8-hex prefix.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFile } from '../../../../core/ingest/index.js';
import { findKeys, keyProblem, normKeyId } from '../../../../core/ingest/keys.js';
import { openWorkspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

// Groups 0, 11, ... 77 are multiples of 11; 720885 = 65535 x 11 is the largest group below 720896.
const good = '000000-000011-000022-000033-000044-000055-000066-720885';

describe('keyProblem: validation, never correction', () => {
  it('a valid password (spaces around it trimmed) has no problem', () => {
    expect(keyProblem(good)).toBeNull();
    expect(keyProblem(`  ${good} `)).toBeNull();
  });

  it('empty and spreadsheet-mangled keys are named as such', () => {
    expect(keyProblem('  ')).toBe('the recovery password is empty');
    expect(keyProblem('1.23457E+47')).toBe(
      'the recovery password was turned into a number by a spreadsheet (scientific notation)',
    );
  });

  it('48 digits without hyphens, and 8 groups with spaces, are named; 47 digits is just the wrong group count', () => {
    const digits = good.replace(/-/g, '');
    expect(keyProblem(digits)).toBe('the recovery password has no hyphens (expected 8 groups of 6 digits)');
    expect(keyProblem(digits.slice(1))).toBe('the recovery password has 1 groups; expected 8 groups of 6 digits');
    expect(keyProblem(good.replace(/-/g, ' '))).toBe('the recovery password uses spaces instead of hyphens');
    expect(keyProblem(`x${good.replace(/-/g, ' ')}`)).toBe(
      'the recovery password has 1 groups; expected 8 groups of 6 digits',
    );
  });

  it('the no-hyphens and spaces shapes must be the whole value: extra characters make it one group', () => {
    const digits = good.replace(/-/g, '');
    const one = 'the recovery password has 1 groups; expected 8 groups of 6 digits';
    expect(keyProblem(`x${digits}`)).toBe(one);
    expect(keyProblem(`${digits}x`)).toBe(one);
    expect(keyProblem(`${digits}0`)).toBe(one);
    expect(keyProblem(`${good.replace(/-/g, ' ')} 1`)).toBe(one);
  });

  it('7 and 9 groups are refused with their count', () => {
    expect(keyProblem(good.slice(7))).toBe('the recovery password has 7 groups; expected 8 groups of 6 digits');
    expect(keyProblem(`${good}-000000`)).toBe('the recovery password has 9 groups; expected 8 groups of 6 digits');
  });

  it('each group must be exactly 6 digits; the 1-based group number is named', () => {
    expect(keyProblem(good.replace('000000', '00000'))).toBe('group 1 of the recovery password is not 6 digits');
    expect(keyProblem(good.replace('720885', '7208850'))).toBe('group 8 of the recovery password is not 6 digits');
    expect(keyProblem(good.replace('000033', '00003a'))).toBe('group 4 of the recovery password is not 6 digits');
    expect(keyProblem(good.replace('000033', 'x000033'))).toBe('group 4 of the recovery password is not 6 digits');
    // Characters just below '0' and just above '9' in ASCII, and a sign Number() would have read.
    expect(keyProblem(good.replace('000033', '00003/'))).toBe('group 4 of the recovery password is not 6 digits');
    expect(keyProblem(good.replace('000033', '00003:'))).toBe('group 4 of the recovery password is not 6 digits');
    expect(keyProblem(good.replace('000033', '+00033'))).toBe('group 4 of the recovery password is not 6 digits');
  });

  it('checksum: not divisible by 11, then 720896 or more', () => {
    expect(keyProblem(good.replace('000011', '000012'))).toBe(
      'group 2 of the recovery password is not divisible by 11 (checksum)',
    );
    expect(keyProblem(good.replace('720885', '720896'))).toBe('group 8 of the recovery password is 720896 or more');
    // 720907 = 720896 + 11 is divisible too, and refused for its size.
    expect(keyProblem(good.replace('720885', '720907'))).toBe('group 8 of the recovery password is 720896 or more');
  });

  it('every one-character change to a valid password is valid exactly when the rule says so', () => {
    // The rule, written out plainly: 8 hyphen-joined groups of 6 ASCII digits, each a multiple of 11 below 720896
    // (spaces around the whole value trimmed).
    const valid = (v: string) => {
      const groups = v.trim().split('-');
      return groups.length === 8 && groups.every((g) => /^[0-9]{6}$/.test(g) && +g % 11 === 0 && +g < 720896);
    };
    const bases = [good, '720885-000000-123464-654324-011011-099099-555555-000011'];
    const chars = ['0', '1', '5', '9', '-', ' ', '/', ':', 'x', '\u2013', '\u0660'];
    let checked = 0;
    for (const base of bases) {
      expect(valid(base)).toBe(true);
      for (let i = 0; i <= base.length; i++)
        for (const ch of chars) {
          // Replace the character at i, and insert one before it: both keep or break the shape.
          for (const v of [base.slice(0, i) + ch + base.slice(i + 1), base.slice(0, i) + ch + base.slice(i)]) {
            expect(keyProblem(v) === null, v).toBe(valid(v));
            checked++;
          }
        }
    }
    // ':' just above '9', placed where reading it as the digit 10 would make a multiple of 11 (10 x 10 + 10 = 110).
    expect(keyProblem(good.replace('000011', '00010:'))).toBe('group 2 of the recovery password is not 6 digits');
    // Group edges: the largest multiple of 11 below 720896, the next one, and one that is not a multiple.
    expect(keyProblem(good.replace('000011', '720885'))).toBeNull();
    expect(keyProblem(good.replace('000011', '720896'))).toBe('group 2 of the recovery password is 720896 or more');
    expect(keyProblem(good.replace('000011', '000012'))).toBe(
      'group 2 of the recovery password is not divisible by 11 (checksum)',
    );
    expect(checked).toBe(2 * 56 * chars.length * 2);
  });

  it('the reason never quotes the digits', () => {
    expect(keyProblem(good.replace('000011', '000012'))).not.toContain('000012');
    expect(keyProblem(good.replace('720885', '720907'))).not.toContain('720907');
  });
});

describe('normKeyId: every spelling of a key ID', () => {
  const id = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';
  it('braces, upper case, bare: lower case without braces', () => {
    expect(normKeyId(`{${id.toUpperCase()}}`)).toBe(id);
    expect(normKeyId(id)).toBe(id);
  });

  it('an AD object name with the GUID in braces after the time', () => {
    expect(normKeyId(`2017-10-20T09:38:39-00:00{${id.toUpperCase()}}`)).toBe(id);
    expect(normKeyId(`prefix ${id} suffix`)).toBeNull();
    expect(normKeyId(`x{${id.slice(0, -1)}}`)).toBeNull();
    expect(normKeyId('')).toBeNull();
  });
});

describe('findKeys: by full ID or an 8-hex prefix, never the secret', () => {
  async function withKeys() {
    const w = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });
    await importFile(w, inputFromBytes('f.csv', `Hostname,Host ID\nPC-0142,${'1'.padStart(32, '0')}\n`));
    const csv = [
      'ComputerName,RecoveryGuid,RecoveryPassword',
      `PC-0142$,abcdef01-0000-4000-8000-000000000001,${good}`,
      `PC-0142$,abcdef01-0000-4000-8000-000000000002,${good.replace('000011', '000012')}`,
      `PC-9999$,abcdef02-0000-4000-8000-000000000001,${good}`,
    ].join('\n');
    await importFile(w, inputFromBytes('dsinternals.csv', `${csv}\n`));
    return w;
  }

  it('a full ID in any spelling finds exactly that key, with its device and validity', async () => {
    const w = await withKeys();
    const r = findKeys(w, '{ABCDEF01-0000-4000-8000-000000000002}');
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({
      keyId: 'abcdef01-0000-4000-8000-000000000002',
      hostname: 'PC-0142',
      valid: false,
      problem: 'group 2 of the recovery password is not divisible by 11 (checksum)',
    });
    expect(r[0]!.deviceId).toBeGreaterThan(0);
    expect(JSON.stringify(r)).not.toContain('000022');
    const ok = findKeys(w, 'abcdef01-0000-4000-8000-000000000001');
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatchObject({ valid: true, problem: null });
  });

  it('8 hex digits is the shortest prefix; 7 finds nothing; the prefix is matched from the start only', async () => {
    const w = await withKeys();
    expect(findKeys(w, 'ABCDEF01').map((k) => k.keyId)).toEqual([
      'abcdef01-0000-4000-8000-000000000001',
      'abcdef01-0000-4000-8000-000000000002',
    ]);
    expect(findKeys(w, '{abcdef01-0000')).toHaveLength(2);
    expect(findKeys(w, 'abcdef02')).toHaveLength(1);
    expect(findKeys(w, 'abcdef0')).toEqual([]);
    expect(findKeys(w, 'bcdef01-')).toEqual([]);
    expect(findKeys(w, 'abcdef01x')).toEqual([]);
    expect(findKeys(w, 'zzzzzzzz')).toEqual([]);
    // Spaces around it and one pair of braces are taken off; a brace anywhere else is not.
    expect(findKeys(w, '  abcdef01 ')).toHaveLength(2);
    expect(findKeys(w, '{abcdef01}')).toHaveLength(2);
    expect(findKeys(w, 'abcdef01}')).toHaveLength(2);
    expect(findKeys(w, 'abcdef01{')).toEqual([]);
    expect(findKeys(w, 'abcdef0}1')).toEqual([]);
    // A key on a machine that is not in the fleet keeps its host hint and no device.
    expect(findKeys(w, 'abcdef02')[0]).toMatchObject({ deviceId: null, hostname: null });
  });
});
