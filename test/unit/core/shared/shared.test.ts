// The shared helpers below the features: one CSV cell for every export, the hashes, one hostname normaliser.
import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';
import { csvCell, csvQuote } from '../../../../core/shared/csv.js';
import { hmacSha256HexSync, sha256Hex, sha256HexSync } from '../../../../core/shared/hash.js';
import { hostKey, shortName } from '../../../../core/shared/hostname.js';
import { exportAudit } from '../../../../core/store/audit.js';
import { audit, openWorkspace } from '../../../../core/workspace.js';

describe('csvCell', () => {
  it('writes numbers as numbers and neutralises text that a spreadsheet would run', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(12n)).toBe('12');
    expect(csvCell(0.5)).toBe('0.5');
    // The same characters as text are a formula start: the ' keeps them from running.
    expect(csvCell('-5')).toBe("'-5");
    for (const c of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${c}x`).replace(/^"|"$/g, '')).toBe(`'${c}x`);
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('=a,b')).toBe(`"'=a,b"`);
    expect(csvCell(undefined)).toBe('');
  });

  it('csvQuote only quotes, for files written as another tool writes them', () => {
    expect(csvQuote('=1+1')).toBe('=1+1');
    expect(csvQuote('a "b", c')).toBe('"a ""b"", c"');
  });

  it('the audit export goes through it: a hostile actor name arrives neutralised', async () => {
    const SQL = await initSqlJs();
    const ws = await openWorkspace({ SQL, keyMaterial: new Uint8Array(32).fill(3), actor: '=cmd()', now: () => 0 });
    await audit(ws, 'device.note', { note: 'x' });
    const csv = exportAudit(ws.db, 'csv', { now: 0 });
    expect(csv).toContain(",'=cmd(),");
    expect(csv).not.toMatch(/(^|,)=cmd/m);
  });
});

describe('hash', () => {
  it('matches the published SHA-256 and HMAC-SHA-256 vectors', async () => {
    // FIPS 180-2 appendix B.1 ("abc") and RFC 4231 test case 2 (key "Jefe").
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256HexSync('abc')).toBe(abc);
    expect(await sha256Hex('abc')).toBe(abc);
    expect(hmacSha256HexSync(new TextEncoder().encode('Jefe'), 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

describe('hostKey', () => {
  it('reduces DN, FQDN, DOMAIN\\name$ and long names to the NetBIOS key', () => {
    expect(hostKey('CN=LONGHOSTNAME01234,OU=Clinical,DC=corp,DC=example')).toBe('LONGHOSTNAME012');
    expect(hostKey('longhostname01234.corp.example')).toBe('LONGHOSTNAME012');
    expect(hostKey('CORP\\pc-0142$')).toBe('PC-0142');
    expect(hostKey('CN=PC\\,1,OU=x')).toBe('PC,1');
    expect(hostKey('10.0.0.12')).toBe('10.0.0.12');
    expect(hostKey('  ')).toBe('');
    expect(shortName('CN=Pc-0142,DC=corp')).toBe('Pc-0142');
  });
});
