// Every script-value grammar at its edges: lengths just inside and outside, each anchor, each refusal's code and words.
import { describe, expect, it } from 'vitest';
import * as v from '../../../../core/remediation/validate.js';

const refused = (code: string, reason?: string) =>
  reason === undefined ? { ok: false, code } : { ok: false, code, reason };

describe('describeChar shows invisible characters by name', () => {
  it('named controls, other controls, DEL, printable ASCII and beyond', () => {
    expect(v.describeChar('\0')).toBe('NUL (U+0000)');
    expect(v.describeChar('\t')).toBe('tab (U+0009)');
    expect(v.describeChar('\n')).toBe('line feed (U+000A)');
    expect(v.describeChar('\r')).toBe('carriage return (U+000D)');
    expect(v.describeChar('\u001f')).toBe('control character (U+001F)');
    expect(v.describeChar('\u007f')).toBe('control character (U+007F)');
    expect(v.describeChar(' ')).toBe("' '");
    expect(v.describeChar('~')).toBe("'~'");
    expect(v.describeChar('\u0080')).toBe("'\u0080' (U+0080)");
    expect(v.describeChar('é')).toBe("'é' (U+00E9)");
    expect(v.describeChar('\uD83D\uDE00')).toBe("'\uD83D\uDE00' (U+1F600)");
    expect(v.describeChar('')).toBe('NUL (U+0000)');
  });

  it('firstBadChar counts code points from 1 and stops at the first', () => {
    expect(v.firstBadChar('ab', /[a-z]/)).toBeUndefined();
    expect(v.firstBadChar('\uD83D\uDE00a!b?', /[a-z]/)).toEqual({ ch: '\uD83D\uDE00', at: 1 });
    expect(v.firstBadChar('a!b?', /[a-z]/)).toEqual({ ch: '!', at: 2 });
  });
});

describe('hostname', () => {
  it('15 characters is the NetBIOS maximum; 16 is refused with its length', () => {
    expect(v.hostname('A'.repeat(15))).toEqual({ ok: true, value: 'A'.repeat(15) });
    expect(v.hostname('A'.repeat(16))).toEqual(
      refused('too-long', 'hostname is 16 characters long; a NetBIOS computer name has at most 15'),
    );
    expect(v.hostname('a')).toEqual({ ok: true, value: 'a' });
    expect(v.hostname('')).toEqual(refused('empty', 'hostname is empty'));
  });

  it('a bad character is named with its position; the four cmd characters get the batch explanation, others not', () => {
    for (const ch of ['&', '%', '!', '^']) {
      const r = v.hostname(`PC${ch}1`);
      expect(r).toEqual(
        refused(
          'bad-char',
          `hostname contains '${ch}' at position 3; only letters, digits and '-' are allowed (Windows allows '${ch}' in a computer name, but it is a command character for cmd.exe/batch, so no script is generated for this device)`,
        ),
      );
    }
    expect(v.hostname('PC_1')).toEqual(
      refused('bad-char', "hostname contains '_' at position 3; only letters, digits and '-' are allowed"),
    );
    expect(v.hostname('PC.1')).toMatchObject(refused('bad-char'));
  });

  it('hyphens: not first, not last, fine inside; all digits refused, digits with a letter fine', () => {
    expect(v.hostname('-PC')).toEqual(refused('leading-hyphen', "hostname starts with '-' (RFC 1123 forbids it)"));
    expect(v.hostname('PC-')).toEqual(refused('trailing-hyphen', "hostname ends with '-' (RFC 1123 forbids it)"));
    expect(v.hostname('P-C')).toEqual({ ok: true, value: 'P-C' });
    expect(v.hostname('0')).toEqual(
      refused('all-digits', 'hostname is all digits (Windows refuses numeric computer names)'),
    );
    expect(v.hostname('1A2')).toEqual({ ok: true, value: '1A2' });
    expect(v.hostname('A12')).toEqual({ ok: true, value: 'A12' });
    expect(v.hostname('12A')).toEqual({ ok: true, value: '12A' });
  });
});

describe('GUID', () => {
  const g = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';
  const G = '0A1B2C3D-4E5F-6789-ABCD-EF0123456789';
  it('36 without braces and 38 with them; upper-cased, braces dropped', () => {
    expect(v.guid(g)).toEqual({ ok: true, value: G });
    expect(v.guid(`{${g}}`)).toEqual({ ok: true, value: G });
  });

  it('35 characters is too short, 39 too long, one brace only is not a GUID', () => {
    expect(v.guid(g.slice(1))).toEqual(refused('too-short', 'GUID is shorter than 36 characters'));
    expect(v.guid(`{${g}}}`)).toEqual(refused('too-long', 'GUID is 39 characters long; at most 38 are allowed'));
    const notGuid = 'GUID is not a GUID like {0A1B2C3D-4E5F-6789-ABCD-EF0123456789}';
    expect(v.guid(`{${g}`)).toEqual(refused('format', notGuid));
    expect(v.guid(`${g}}`)).toEqual(refused('format', notGuid));
    // 37 characters: a GUID with one character before or after it is not a GUID.
    expect(v.guid(`x${g}`)).toEqual(refused('format', notGuid));
    expect(v.guid(`${g}x`)).toEqual(refused('format', notGuid));
    expect(v.guid('')).toEqual(refused('empty', 'GUID is empty'));
  });

  it('the field name is used in refusals; each group length and hex digit is checked', () => {
    expect(v.guid('x'.repeat(36), 'key protector id')).toEqual(
      refused('format', 'key protector id is not a GUID like {0A1B2C3D-4E5F-6789-ABCD-EF0123456789}'),
    );
    expect(v.guid('0a1b2c3d04e5f-6789-abcd-ef0123456789')).toMatchObject(refused('format'));
    expect(v.guid('0a1b2c3g-4e5f-6789-abcd-ef0123456789')).toMatchObject(refused('format'));
    expect(v.guid('0a1b2c3d-4e5f-6789-abcd-ef012345678g')).toMatchObject(refused('format'));
    expect(v.guid('x0a1b2c3d-4e5f-6789-abcd-ef012345678')).toMatchObject(refused('format'));
    expect(v.guid('0a1b2c3d-4e5f-6789-abcd-ef0123456789x')).toMatchObject(refused('format'));
    expect(v.guid('0a1b2c3d-4e5f-6789-abcd0-f0123456789')).toMatchObject(refused('format'));
    expect(v.validate('guid', g)).toEqual({ ok: true, value: G });
  });
});

describe('BitLocker recovery password', () => {
  const good = '000000-000011-000022-000033-000044-000055-000066-720885';
  it('720885 (65535 x 11) is the largest valid group; 720896 is refused naming the group', () => {
    expect(v.recoveryPassword(good)).toEqual({ ok: true, value: good });
    expect(v.recoveryPassword(good.replace('720885', '720896'))).toEqual(
      refused('checksum', 'recovery password group 8 is not below 720896 (mistyped or corrupted key)'),
    );
  });

  it('a group not divisible by 11 is refused with its 1-based number; every group is checked', () => {
    expect(v.recoveryPassword(good.replace('000000', '000001'))).toEqual(
      refused('checksum', 'recovery password group 1 is not divisible by 11 (mistyped or corrupted key)'),
    );
    expect(v.recoveryPassword(good.replace('000066', '000067'))).toEqual(
      refused('checksum', 'recovery password group 7 is not divisible by 11 (mistyped or corrupted key)'),
    );
    // 999999 = 11 x 90909: divisible, but too large.
    expect(v.recoveryPassword(good.replace('000033', '999999'))).toEqual(
      refused('checksum', 'recovery password group 4 is not below 720896 (mistyped or corrupted key)'),
    );
  });

  it('55 characters is the exact length; 56 is too long; empty and bad characters are named', () => {
    expect(good).toHaveLength(55);
    expect(v.recoveryPassword(`${good}0`)).toEqual(
      refused('too-long', 'recovery password is 56 characters; it has 55 (48 digits and 7 dashes)'),
    );
    expect(v.recoveryPassword('')).toEqual(refused('empty', 'recovery password is empty'));
    expect(v.recoveryPassword('00001a')).toEqual(
      refused('bad-char', "recovery password contains 'a' at position 6; only digits and dashes are allowed"),
    );
  });

  it('exactly 8 groups of exactly 6 digits', () => {
    const fmt = refused('format', "recovery password must be 8 groups of 6 digits separated by '-'");
    expect(v.recoveryPassword(good.slice(0, 48))).toEqual(fmt); // 7 groups
    expect(v.recoveryPassword(`${good.slice(0, 48)}-00000`)).toEqual(fmt); // 8 groups, last of 5
    expect(v.recoveryPassword('00000-000011-000022-000033-000044-000055-000066-7208850')).toEqual(fmt);
    expect(v.recoveryPassword('000000-000011-000022-000033-000044-000055-000066-000077-0')).toEqual(
      refused('too-long', 'recovery password is 57 characters; it has 55 (48 digits and 7 dashes)'),
    );
    expect(v.recoveryPassword('0-0-0-0-0-0-0-0-0')).toEqual(fmt); // 9 groups, short
  });
});

describe('KB number', () => {
  it('6 to 8 digits, KB prefix in any case, digits returned', () => {
    expect(v.kbNumber('123456')).toEqual({ ok: true, value: '123456' });
    expect(v.kbNumber('kb12345678')).toEqual({ ok: true, value: '12345678' });
    const fmt = refused('format', 'KB number must be 6 to 8 digits, optionally prefixed with KB (e.g. KB5040442)');
    expect(v.kbNumber('12345')).toEqual(fmt);
    expect(v.kbNumber('123456789')).toEqual(fmt);
    expect(v.kbNumber('xKB123456')).toEqual(fmt);
    expect(v.kbNumber('KB123456x')).toEqual(fmt);
    expect(v.kbNumber('KB1234567890')).toEqual(
      refused('too-long', 'KB number is 12 characters long; at most 10 are allowed'),
    );
    expect(v.kbNumber('KB12345678')).toEqual({ ok: true, value: '12345678' });
    expect(v.kbNumber('')).toEqual(refused('empty', 'KB number is empty'));
  });
});

describe('Linux package name and version', () => {
  it('name: 128 characters fine, 129 too long; never a leading hyphen; starts with a letter or digit', () => {
    expect(v.packageName('a'.repeat(128))).toMatchObject({ ok: true });
    expect(v.packageName('a'.repeat(129))).toEqual(
      refused('too-long', 'package name is 129 characters long; at most 128 are allowed'),
    );
    expect(v.packageName('-x')).toEqual(
      refused('leading-hyphen', "package name starts with '-' and could be read as an option"),
    );
    expect(v.packageName('.x')).toEqual(refused('format', 'package name must start with a letter or digit'));
    expect(v.packageName('+x')).toMatchObject(refused('format'));
    expect(v.packageName('0x')).toMatchObject({ ok: true });
    expect(v.packageName('g++_x.y-z')).toEqual({ ok: true, value: 'g++_x.y-z' });
    expect(v.packageName('a b')).toEqual(
      refused(
        'bad-char',
        "package name contains ' ' at position 2; only letters, digits and '.', '_', '+', '-' are allowed",
      ),
    );
    expect(v.packageName('')).toMatchObject(refused('empty'));
  });

  it('version: optional numeric epoch, then a digit first; 128 characters at most', () => {
    expect(v.packageVersion('1:2.3-4ubuntu1~22.04')).toMatchObject({ ok: true });
    expect(v.packageVersion('7.11.18110-1')).toMatchObject({ ok: true });
    expect(v.packageVersion('7')).toEqual({ ok: true, value: '7' });
    expect(v.packageVersion('12:3')).toMatchObject({ ok: true });
    const fmt = refused('format', "package version must start with a digit (an optional epoch like '1:' first)");
    expect(v.packageVersion('a1')).toEqual(fmt);
    expect(v.packageVersion(':1')).toEqual(fmt);
    expect(v.packageVersion('1:a')).toEqual(fmt);
    expect(v.packageVersion('1:2:3')).toEqual(fmt);
    expect(v.packageVersion('a:1')).toEqual(fmt);
    expect(v.packageVersion('1' + 'a'.repeat(127))).toMatchObject({ ok: true });
    expect(v.packageVersion('1'.repeat(129))).toMatchObject(refused('too-long'));
    expect(v.packageVersion('1 2')).toEqual(
      refused(
        'bad-char',
        "package version contains ' ' at position 2; only letters, digits and '.', '+', '~', ':', '_', '-' are allowed",
      ),
    );
    expect(v.packageVersion('')).toMatchObject(refused('empty'));
  });
});

describe('dnf transaction id', () => {
  it('1 to 999999999, no leading zero, nothing around it', () => {
    expect(v.transactionId('1')).toEqual({ ok: true, value: '1' });
    expect(v.transactionId('999999999')).toMatchObject({ ok: true });
    const fmt = refused('format', 'dnf transaction id must be a positive whole number');
    expect(v.transactionId('0')).toEqual(fmt);
    expect(v.transactionId('01')).toEqual(fmt);
    expect(v.transactionId('1000000000')).toEqual(fmt);
    expect(v.transactionId('x1')).toEqual(fmt);
    expect(v.transactionId('1x')).toEqual(fmt);
    expect(v.transactionId('')).toEqual(fmt);
  });
});

describe('winget id', () => {
  it('Publisher.Package with at least one dot, 3 to 128 characters', () => {
    expect(v.wingetId('a.b')).toEqual({ ok: true, value: 'a.b' });
    expect(v.wingetId('7zip.7zip')).toMatchObject({ ok: true });
    expect(v.wingetId('Microsoft.VisualStudio.2022.Community')).toMatchObject({ ok: true });
    expect(v.wingetId('a.')).toEqual(refused('too-short', 'winget id is shorter than 3 characters'));
    expect(v.wingetId(`a.${'b'.repeat(126)}`)).toMatchObject({ ok: true });
    expect(v.wingetId(`a.${'b'.repeat(127)}`)).toEqual(
      refused('too-long', 'winget id is 129 characters long; at most 128 are allowed'),
    );
    const fmt = refused('format', 'winget id must look like Publisher.Package');
    expect(v.wingetId('abc')).toEqual(fmt);
    expect(v.wingetId('.ab')).toEqual(fmt);
    expect(v.wingetId('ab.')).toEqual(fmt);
    expect(v.wingetId('a..b')).toEqual(fmt);
    expect(v.wingetId('-a.b')).toEqual(fmt);
    expect(v.wingetId('a_+-.b_+-')).toMatchObject({ ok: true });
    expect(v.wingetId('a b.c')).toMatchObject(refused('bad-char'));
    expect(v.wingetId('')).toMatchObject(refused('empty'));
  });
});

describe('drive letter', () => {
  it('one letter with or without a colon, upper-cased with a colon', () => {
    expect(v.driveLetter('d')).toEqual({ ok: true, value: 'D:' });
    expect(v.driveLetter('Z:')).toEqual({ ok: true, value: 'Z:' });
    const fmt = refused('format', "drive letter must be one letter, optionally followed by ':'");
    expect(v.driveLetter('1')).toEqual(fmt);
    expect(v.driveLetter('')).toEqual(fmt);
    expect(v.driveLetter('C::')).toEqual(fmt);
    expect(v.driveLetter(':C')).toEqual(fmt);
    expect(v.driveLetter('C:\\')).toEqual(fmt);
  });
});

describe('Azure names', () => {
  it('resource group: 90 characters, no leading hyphen, no trailing dot', () => {
    expect(v.azureResourceGroup('a'.repeat(90))).toMatchObject({ ok: true });
    expect(v.azureResourceGroup('a'.repeat(91))).toMatchObject(refused('too-long'));
    expect(v.azureResourceGroup('-rg')).toEqual(
      refused('leading-hyphen', "resource group starts with '-' and could be read as an option"),
    );
    expect(v.azureResourceGroup('rg.')).toEqual(refused('format', "resource group must not end with '.'"));
    expect(v.azureResourceGroup('rg-')).toMatchObject({ ok: true });
    expect(v.azureResourceGroup('.rg')).toMatchObject({ ok: true });
    expect(v.azureResourceGroup('r_g(1).x-y')).toEqual({ ok: true, value: 'r_g(1).x-y' });
    expect(v.azureResourceGroup('r g')).toEqual(
      refused(
        'bad-char',
        "resource group contains ' ' at position 2; only letters, digits and '_', '(', ')', '.', '-' are allowed",
      ),
    );
    expect(v.azureResourceGroup('')).toMatchObject(refused('empty'));
  });

  it('VM name: 64 characters, starts with a letter or digit, ends with neither dot nor hyphen', () => {
    expect(v.azureVmName('a'.repeat(64))).toMatchObject({ ok: true });
    expect(v.azureVmName('a'.repeat(65))).toMatchObject(refused('too-long'));
    expect(v.azureVmName('_vm')).toEqual(refused('format', 'VM name must start with a letter or digit'));
    expect(v.azureVmName('.vm')).toMatchObject(refused('format'));
    expect(v.azureVmName('vm.')).toEqual(refused('format', "VM name must not end with '.' or '-'"));
    expect(v.azureVmName('vm-')).toMatchObject(refused('format'));
    expect(v.azureVmName('vm_')).toEqual({ ok: true, value: 'vm_' });
    expect(v.azureVmName('9.a-b_c')).toMatchObject({ ok: true });
    expect(v.azureVmName('v m')).toEqual(
      refused('bad-char', "VM name contains ' ' at position 2; only letters, digits and '.', '_', '-' are allowed"),
    );
    expect(v.azureVmName('')).toMatchObject(refused('empty'));
  });
});

describe('AWS ids and regions', () => {
  it('instance and volume ids: exactly 8 or 17 lower-case hex digits', () => {
    expect(v.awsInstanceId('i-0123abcd')).toEqual({ ok: true, value: 'i-0123abcd' });
    expect(v.awsInstanceId('i-0123456789abcdef0')).toMatchObject({ ok: true });
    const bad = refused('format', 'AWS instance id must be i- followed by 8 or 17 lower-case hex digits');
    for (const x of [
      'i-0123abc',
      'i-0123abcd0',
      'i-0123456789abcdef',
      'i-0123456789abcdef01',
      'i-0123abcg',
      'xi-0123abcd',
      'i-0123abcdx',
    ])
      expect(v.awsInstanceId(x)).toEqual(bad);
    expect(v.awsVolumeId('vol-0123456789abcdef0')).toEqual({ ok: true, value: 'vol-0123456789abcdef0' });
    const badVol = refused('format', 'AWS volume id must be vol- followed by 8 or 17 lower-case hex digits');
    for (const x of [
      'vol-0123abc',
      'vol-0123abcd0',
      'vol-0123ABCD',
      'xvol-0123abcd',
      'vol-0123abcdx',
      'vol-0123456789abcdef',
    ])
      expect(v.awsVolumeId(x)).toEqual(badVol);
  });

  it('regions: two letters, optional -gov, a name, one digit', () => {
    expect(v.awsRegion('eu-west-1')).toEqual({ ok: true, value: 'eu-west-1' });
    expect(v.awsRegion('us-gov-west-1')).toMatchObject({ ok: true });
    const bad = refused('format', 'AWS region must look like eu-west-1');
    for (const x of [
      'e-west-1',
      'eur-west-1',
      'eu-west-12',
      'eu-west',
      'EU-west-1',
      'eu--1',
      'xeu-west-1',
      'eu-west-1x',
      'eu-we5t-1',
    ])
      expect(v.awsRegion(x)).toEqual(bad);
  });
});

describe('DISM package names', () => {
  const real = 'Package_for_RollupFix~31bf3856ad364e35~amd64~~22621.3880.1.6';
  it('the real shape is accepted; each part is required', () => {
    expect(v.dismPackageName(real)).toEqual({ ok: true, value: real });
    expect(v.dismPackageName('Package_for_KB5040442~31bf3856ad364e35~amd64~en-US~10.0.1.0')).toMatchObject({
      ok: true,
    });
    const fmt = refused(
      'format',
      'DISM package name must look like Package_for_RollupFix~31bf3856ad364e35~amd64~~22621.3880.1.6',
    );
    expect(v.dismPackageName(real.replace('Package_for_', 'Package_'))).toEqual(fmt);
    expect(v.dismPackageName(`x${real}`)).toEqual(fmt);
    expect(v.dismPackageName(`${real}x`)).toEqual(fmt);
    expect(v.dismPackageName(real.replace('31bf3856ad364e35', '31bf3856ad364e3'))).toEqual(fmt);
    expect(v.dismPackageName(real.replace('31bf3856ad364e35', '31BF3856AD364E35'))).toEqual(fmt);
    expect(v.dismPackageName(real.replace('amd64', ''))).toEqual(fmt);
    expect(v.dismPackageName(real.replace('~~', '~'))).toEqual(fmt);
    expect(v.dismPackageName(real.replace('RollupFix', ''))).toEqual(fmt);
    expect(v.dismPackageName(real.replace('22621.3880.1.6', ''))).toEqual(fmt);
    expect(v.dismPackageName(real.replace('22621', '2262a'))).toEqual(fmt);
  });

  it('200 characters at most; characters outside the set are named', () => {
    expect(v.dismPackageName(`Package_for_${'a'.repeat(188)}`)).toMatchObject(refused('format'));
    expect(v.dismPackageName(`Package_for_${'a'.repeat(189)}`)).toEqual(
      refused('too-long', 'DISM package name is 201 characters long; at most 200 are allowed'),
    );
    expect(v.dismPackageName('Package for')).toEqual(
      refused(
        'bad-char',
        "DISM package name contains ' ' at position 8; only letters, digits and '.', '_', '~', '-' are allowed",
      ),
    );
    expect(v.dismPackageName('')).toMatchObject(refused('empty'));
  });
});

describe('Falcon ids, user names, builds', () => {
  it('Falcon id: 32 lower-case hex digits exactly', () => {
    expect(v.falconId('0123456789abcdef0123456789abcdef')).toMatchObject({ ok: true });
    const bad = refused('format', 'Falcon id must be 32 lower-case hex digits');
    for (const x of [
      '0123456789abcdef0123456789abcde',
      '0123456789abcdef0123456789abcdef0',
      '0123456789ABCDEF0123456789abcdef',
    ])
      expect(v.falconId(x)).toEqual(bad);
  });

  it('user name: 1 to 20, starts with a letter', () => {
    expect(v.userName('a'.repeat(20))).toMatchObject({ ok: true });
    expect(v.userName('a'.repeat(21))).toEqual(
      refused('too-long', 'user name is 21 characters long; at most 20 are allowed'),
    );
    expect(v.userName('1admin')).toEqual(refused('format', 'user name must start with a letter'));
    expect(v.userName('_a')).toMatchObject(refused('format'));
    expect(v.userName('a.b_c-1')).toEqual({ ok: true, value: 'a.b_c-1' });
    expect(v.userName('a b')).toEqual(
      refused('bad-char', "user name contains ' ' at position 2; only letters, digits and '.', '_', '-' are allowed"),
    );
    expect(v.userName('')).toMatchObject(refused('empty'));
  });

  it('build: 1 to 4 dot-separated numbers of at most 10 digits', () => {
    expect(v.buildNumber('18605')).toEqual({ ok: true, value: '18605' });
    expect(v.buildNumber('1.2.3.4')).toMatchObject({ ok: true });
    expect(v.buildNumber('1234567890.1234567890')).toMatchObject({ ok: true });
    const bad = refused('format', 'build must be digits and dots, e.g. 18605');
    for (const x of ['1.2.3.4.5', '12345678901', '1.12345678901', '1.', '.1', '1..2', 'x1', '1x', ''])
      expect(v.buildNumber(x)).toEqual(bad);
  });
});

describe('validate() and the table of grammars', () => {
  it('each parameter type calls its own grammar', () => {
    expect(v.VALUE_TYPES).toEqual([
      'hostname',
      'guid',
      'recoveryPassword',
      'kb',
      'package',
      'version',
      'transactionId',
      'wingetId',
      'driveLetter',
      'azureResourceGroup',
      'azureVmName',
      'awsInstanceId',
      'awsVolumeId',
      'awsRegion',
      'dismPackage',
      'falconId',
      'userName',
      'build',
    ]);
    expect(v.validate('hostname', 'PC-1')).toEqual({ ok: true, value: 'PC-1' });
    expect(v.validate('kb', 'KB5040442')).toEqual({ ok: true, value: '5040442' });
    expect(v.validate('driveLetter', 'c')).toEqual({ ok: true, value: 'C:' });
    expect(v.validate('build', '1.x')).toMatchObject(refused('format'));
  });
});
