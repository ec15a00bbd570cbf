// The first and second safety layers: each grammar accepts the real thing and refuses with a named reason; quoting per shell.
import { describe, expect, it } from 'vitest';
import * as v from '../../../../core/remediation/validate.js';
import {
  batchToken,
  bashQuote,
  comment,
  commentText,
  PS_SINGLE_QUOTES,
  psQuote,
} from '../../../../core/remediation/quote.js';

describe('grammars', () => {
  it('hostname: NetBIOS and RFC 1123, with the offending character named', () => {
    expect(v.hostname('PC-0142')).toEqual({ ok: true, value: 'PC-0142' });
    const amp = v.hostname('LAB&01');
    expect(amp.ok).toBe(false);
    if (!amp.ok) {
      expect(amp.code).toBe('bad-char');
      expect(amp.reason).toContain("'&'");
      expect(amp.reason).toContain('batch');
    }
    const pct = v.hostname('LAB%2');
    expect(!pct.ok && pct.reason.includes("'%'") && pct.reason.includes('batch')).toBe(true);
    expect(v.hostname('A'.repeat(16))).toMatchObject({ ok: false, code: 'too-long' });
    expect(v.hostname('-PC')).toMatchObject({ ok: false, code: 'leading-hyphen' });
    expect(v.hostname('PC-')).toMatchObject({ ok: false, code: 'trailing-hyphen' });
    expect(v.hostname('12345')).toMatchObject({ ok: false, code: 'all-digits' });
    expect(v.hostname('')).toMatchObject({ ok: false, code: 'empty' });
    expect(v.hostname('PC\u0000')).toMatchObject({ ok: false, code: 'bad-char' });
  });

  it('recovery password: 8 x 6 digits, each divisible by 11 and below 720896', () => {
    const good = '000011-000022-000033-000044-000055-000066-000077-720885';
    expect(v.recoveryPassword(good)).toEqual({ ok: true, value: good });
    expect(v.recoveryPassword(good.replace('000011', '000012'))).toMatchObject({ ok: false, code: 'checksum' });
    expect(v.recoveryPassword(good.replace('720885', '720896'))).toMatchObject({ ok: false, code: 'checksum' });
    expect(v.recoveryPassword('000011-000022')).toMatchObject({ ok: false, code: 'format' });
    expect(v.recoveryPassword('000011 000022')).toMatchObject({ ok: false, code: 'bad-char' });
  });

  it('GUID, KB, packages, winget, drive letter, cloud ids', () => {
    expect(v.guid('{0a1b2c3d-4e5f-6789-abcd-ef0123456789}')).toEqual({
      ok: true,
      value: '0A1B2C3D-4E5F-6789-ABCD-EF0123456789',
    });
    expect(v.guid('{0a1b2c3d-4e5f-6789-abcd-ef0123456789')).toMatchObject({ ok: false });
    expect(v.kbNumber('KB5040442')).toEqual({ ok: true, value: '5040442' });
    expect(v.kbNumber('5040442&x')).toMatchObject({ ok: false });
    expect(v.packageName('falcon-sensor')).toMatchObject({ ok: true });
    expect(v.packageName('-o')).toMatchObject({ ok: false, code: 'leading-hyphen' });
    expect(v.packageVersion('1:2.3-4ubuntu1~22.04')).toMatchObject({ ok: true });
    expect(v.packageVersion('$(id)')).toMatchObject({ ok: false, code: 'bad-char' });
    expect(v.wingetId('Microsoft.PowerShell')).toMatchObject({ ok: true });
    expect(v.wingetId('Microsoft')).toMatchObject({ ok: false });
    expect(v.driveLetter('c')).toEqual({ ok: true, value: 'C:' });
    expect(v.driveLetter('CC:')).toMatchObject({ ok: false });
    expect(v.azureResourceGroup('rg-prod(eu)')).toMatchObject({ ok: true });
    expect(v.azureResourceGroup('rg.')).toMatchObject({ ok: false });
    expect(v.azureVmName('vm-01')).toMatchObject({ ok: true });
    expect(v.awsInstanceId('i-0123456789abcdef0')).toMatchObject({ ok: true });
    expect(v.awsInstanceId('i-0123456789ABCDEF0')).toMatchObject({ ok: false });
    expect(v.awsVolumeId('vol-0123abcd')).toMatchObject({ ok: true });
    expect(v.dismPackageName('Package_for_RollupFix~31bf3856ad364e35~amd64~~22621.3880.1.6')).toMatchObject({
      ok: true,
    });
  });
});

describe('quoting', () => {
  it('bash: single quotes, embedded quote closed and reopened, NUL refused', () => {
    expect(bashQuote("it's")).toEqual({ ok: true, text: `'it'\\''s'` });
    expect(bashQuote('a\u0000b')).toMatchObject({ ok: false, code: 'nul' });
  });

  it('PowerShell: every one of the five single-quote code points is doubled', () => {
    expect(PS_SINGLE_QUOTES).toHaveLength(5);
    for (const q of PS_SINGLE_QUOTES) {
      const r = psQuote(`PC01${q}; Remove-Item C:\\x; ${q}`);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.text).toBe(`'PC01${q}${q}; Remove-Item C:\\x; ${q}${q}'`);
    }
    // U+2019 is the case tree-sitter does not see: an undoubled one would end the string in real PowerShell.
    const r = psQuote('a\u2019b');
    expect(r.ok && r.text).toBe("'a\u2019\u2019b'");
    expect(psQuote('a\r\nb')).toMatchObject({ ok: false, code: 'control-char' });
    expect(psQuote('\u201Cdouble\u201D')).toEqual({ ok: true, text: "'\u201Cdouble\u201D'" });
  });

  it('batch: only [A-Za-z0-9._-], anything else refused with the character named', () => {
    expect(batchToken('PC-0142.corp_1')).toEqual({ ok: true, text: 'PC-0142.corp_1' });
    for (const bad of ['%PATH%', '!PATH!', '^', '&', '|', '<', '>', '(', ')', '"', ' ', 'é', '']) {
      const r = batchToken(bad);
      expect(r.ok).toBe(false);
    }
    const r = batchToken('LAB&01');
    expect(!r.ok && r.reason).toContain("'&' at position 4");
  });

  it('free text becomes a harmless one-line comment', () => {
    expect(comment('cmd', 'ring 100% & done ^\r\nnext')).toBe('rem ring 100_ _ done _ next');
    expect(comment('cmd', '/? help')).toBe('rem /_ help');
    expect(comment('bash', 'a\nrm -rf /')).toBe('# a rm -rf /');
    expect(comment('powershell', 'x #> Remove-Item <# y')).toBe('# x # > Remove-Item < # y');
    expect(commentText('cmd', 'x'.repeat(300)).length).toBeLessThanOrEqual(202);
  });
});
