// The ingest normalisers rule by rule: cell cleaning, host keys, GUIDs, every date shape at its edges, platforms, rings.
import { describe, expect, it } from 'vitest';
import {
  ambiguousDayMonth,
  clean,
  errorHex,
  excelMangled,
  hostKey,
  mergeTags,
  normAid,
  normDeviceType,
  normGuid,
  normPlatform,
  normRing,
  normTags,
  parseDate,
  parseDateInfo,
  ringFromLabel,
  shortName,
  splitList,
  type DateInfo,
} from '../../../../core/ingest/normalize.js';

const info = (): DateInfo => ({ zone: false, ambiguous: true, order: 'mdy' });

describe('clean: spreadsheet protection and surrounding spaces', () => {
  it('undefined is empty; leading/trailing spaces and a leading tab are trimmed', () => {
    expect(clean(undefined)).toBe('');
    expect(clean('  a  ')).toBe('a');
    expect(clean('a ')).toBe('a');
    expect(clean('\ta')).toBe('a');
    // Only a space or tab at the start, or a space at the end, triggers the trim.
    expect(clean('a\t')).toBe('a\t');
    expect(clean('\na')).toBe('\na');
  });

  it('a leading \' is dropped; ="..." is unwrapped only when both quotes are there', () => {
    expect(clean("'00123")).toBe('00123');
    expect(clean(" '00123")).toBe('00123');
    expect(clean('="00123"')).toBe('00123');
    expect(clean('="00123')).toBe('="00123');
    expect(clean('=00123"')).toBe('=00123"');
    expect(clean('=1+1')).toBe('=1+1');
    expect(clean('a"b"')).toBe('a"b"');
  });
});

describe('hostKey and shortName', () => {
  it('FQDN short name, DOMAIN\\ prefix and trailing $ removed, upper case', () => {
    expect(hostKey(' pc-0142.corp.example.com ')).toBe('PC-0142');
    expect(hostKey('CORP\\pc-1$')).toBe('PC-1');
    expect(hostKey('a\\b\\pc-2')).toBe('PC-2');
    expect(hostKey('')).toBe('');
    expect(hostKey('   ')).toBe('');
    expect(shortName(' CORP\\pc-1$ ')).toBe('pc-1');
    expect(shortName('pc-1.corp')).toBe('pc-1');
  });

  it('the CN of a distinguished name, an escaped comma kept', () => {
    expect(hostKey('CN=pc-3,OU=Ward,DC=corp')).toBe('PC-3');
    expect(hostKey('cn=a\\,b,OU=x')).toBe('A,B');
    expect(hostKey('CN=pc-4')).toBe('PC-4');
    expect(shortName('cn=Pc-3,OU=Ward')).toBe('Pc-3');
    expect(shortName('CN=a\\,b,OU=x')).toBe('a,b');
    expect(shortName('CN=pc-4')).toBe('pc-4');
    // Not a DN: the text is kept whole.
    expect(hostKey('xcn=pc')).toBe('XCN=PC');
  });

  it('an IPv4 address keeps its dots; a leading dot is not a domain separator', () => {
    expect(hostKey('10.0.0.1')).toBe('10.0.0.1');
    expect(shortName('192.168.100.200')).toBe('192.168.100.200');
    expect(hostKey('1000.0.0.1')).toBe('1000');
    expect(hostKey('10.0.0')).toBe('10');
    expect(hostKey('10.0.0.1.5')).toBe('10');
    expect(hostKey('.pc')).toBe('.PC');
    expect(shortName('.pc')).toBe('.pc');
  });

  it('15 characters kept whole, a 16th cut (NetBIOS)', () => {
    expect(hostKey('a'.repeat(15))).toBe('A'.repeat(15));
    expect(hostKey('abcdefghijklmnop')).toBe('ABCDEFGHIJKLMNO');
    expect(shortName('abcdefghijklmnop')).toBe('abcdefghijklmnop');
  });
});

describe('GUIDs and Falcon agent ids', () => {
  it('a GUID with or without braces, either case, lower case out; anything else null', () => {
    const g = '0A1B2C3D-4E5F-6789-ABCD-EF0123456789';
    expect(normGuid(` {${g}} `)).toBe(g.toLowerCase());
    expect(normGuid(g)).toBe(g.toLowerCase());
    expect(normGuid(`x${g}`)).toBeNull();
    expect(normGuid(`${g}x`)).toBeNull();
    expect(normGuid(g.replace('0A1B2C3D', '0A1B2C3'))).toBeNull();
  });

  it('a GUID cell read by hand gives what the pattern gives: every one-character change of each spelling', () => {
    const pattern = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
    const want = (raw: string) => pattern.exec(raw.trim())?.[1]!.toLowerCase() ?? null;
    const g = '0A1B2C3D-4E5F-6789-ABCD-EF0123456789';
    const spellings = [g, `{${g}}`, ` ${g}`, `{${g}`, `${g}}`, `${g} `, g.toLowerCase(), `{{${g}}`, 'PC-0142', '{'];
    const chars = [
      '0',
      '9',
      'a',
      'f',
      'A',
      'F',
      'g',
      'G',
      '-',
      '{',
      '}',
      ' ',
      '@',
      '`',
      '/',
      ':',
      '\u00a0',
      '\t',
      '\ufeff',
      '~',
      '\u007f',
    ];
    let checked = 0;
    for (const s of spellings)
      for (let i = 0; i < s.length; i++)
        for (const c of chars)
          for (const v of [
            s.slice(0, i) + c + s.slice(i + 1),
            s.slice(0, i) + c + s.slice(i),
            s.slice(0, i) + s.slice(i + 1),
          ]) {
            if (normGuid(v) !== want(v)) expect(normGuid(v), JSON.stringify(v)).toBe(want(v));
            checked++;
          }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('an agent id: 32 hex with dashes removed, lower case', () => {
    expect(normAid(' 0123456789ABCDEF-0123456789abcdef ')).toBe('0123456789abcdef0123456789abcdef');
    expect(normAid('0123456789abcdef0123456789abcde')).toBeNull();
    expect(normAid('0123456789abcdef0123456789abcdef0')).toBeNull();
    expect(normAid('x123456789abcdef0123456789abcdef')).toBeNull();
  });
});

describe('parseDate: ISO shapes', () => {
  it('date only, minutes, seconds, fractions (7 digits cut to ms), Z and offsets', () => {
    expect(parseDate('2024-07-19')).toBe(Date.UTC(2024, 6, 19));
    expect(parseDate('2024-07-19T04:09')).toBe(Date.UTC(2024, 6, 19, 4, 9));
    expect(parseDate('2024-07-19 04:09:30')).toBe(Date.UTC(2024, 6, 19, 4, 9, 30));
    expect(parseDate('2024-07-19t04:09:30z')).toBe(Date.UTC(2024, 6, 19, 4, 9, 30));
    expect(parseDate('2024-07-19T04:09:30.1234567Z')).toBe(Date.UTC(2024, 6, 19, 4, 9, 30, 123));
    expect(parseDate('2024-07-19T04:09:30,5Z')).toBe(Date.UTC(2024, 6, 19, 4, 9, 30, 500));
    expect(parseDate('2024-07-19T04:09:30.999Z')).toBe(Date.UTC(2024, 6, 19, 4, 9, 30, 999));
    expect(parseDate('2024-07-19T04:09:30.05Z')).toBe(Date.UTC(2024, 6, 19, 4, 9, 30, 50));
    expect(parseDate('2024-07-19T04:09:30+02:00')).toBe(Date.UTC(2024, 6, 19, 2, 9, 30));
    expect(parseDate('2024-07-19T04:09:30-0130')).toBe(Date.UTC(2024, 6, 19, 5, 39, 30));
    expect(parseDate('2024-07-19T04:09:30 UTC')).toBe(Date.UTC(2024, 6, 19, 4, 9, 30));
    expect(parseDate('2024-07-19T04:09utc')).toBe(Date.UTC(2024, 6, 19, 4, 9));
  });

  it('year edges: 1601 and 9999 are "never" sentinels, 1602 and 9998 are dates', () => {
    expect(parseDate('0001-01-01T00:00:00Z')).toBeNull();
    expect(parseDate('1601-01-01')).toBeNull();
    expect(parseDate('1602-01-01')).toBe(Date.UTC(1602, 0, 1));
    expect(parseDate('9998-12-31')).toBe(Date.UTC(9998, 11, 31));
    expect(parseDate('9999-12-31T23:59:59Z')).toBeNull();
  });

  it('field ranges: month 1-12, day 1-31, hour 0-23, minute 0-59, second up to 60', () => {
    expect(parseDate('2024-00-10')).toBeNaN();
    expect(parseDate('2024-13-10')).toBeNaN();
    expect(parseDate('2024-12-00')).toBeNaN();
    expect(parseDate('2024-12-32')).toBeNaN();
    expect(parseDate('2024-01-31')).toBe(Date.UTC(2024, 0, 31));
    expect(parseDate('2024-12-01')).toBe(Date.UTC(2024, 11, 1));
    expect(parseDate('2024-07-19T24:00:00Z')).toBeNaN();
    expect(parseDate('2024-07-19T23:60:00Z')).toBeNaN();
    expect(parseDate('2024-07-19T23:59:61Z')).toBeNaN();
    expect(parseDate('2024-07-19T23:59:60Z')).toBe(Date.UTC(2024, 6, 19, 23, 59, 60));
  });

  it('a wrong separator or trailing text is unreadable (NaN), not guessed', () => {
    expect(parseDate('2024-07-19X04:09')).toBeNaN();
    expect(parseDate('2024-07-19T04:09:30Q')).toBeNaN();
    expect(parseDate('2024-07-19T04:09:30Zx')).toBeNaN();
    expect(parseDate('2024-07-19T04:09:30+02:00x')).toBeNaN();
  });

  it('zone reporting: no zone written means zone false; Z, an offset or a date alone mean true', () => {
    const i = info();
    parseDateInfo('2024-07-19T04:09:30', i, false);
    expect(i).toEqual({ zone: false, ambiguous: false, order: null });
    parseDateInfo('2024-07-19T04:09:30Z', i, false);
    expect(i.zone).toBe(true);
    parseDateInfo('2024-07-19', i, false);
    expect(i.zone).toBe(true);
  });
});

describe('parseDate: "never", FILETIME', () => {
  it('empty, 0, -, null, none, never, n/a are null', () => {
    for (const s of ['', ' ', '0', '-', 'null', 'NONE', 'Never', 'n/a']) expect(parseDate(s)).toBeNull();
    expect(parseDate('nevermore')).toBeNaN();
  });

  it('17 to 19 digit FILETIME ticks; 0 and the int64 maximum mean never', () => {
    // 2024-07-19T00:00:00Z: (1721347200000 + 11644473600000) ms x 10000 ticks.
    expect(parseDate('133658208000000000')).toBe(Date.UTC(2024, 6, 19));
    expect(parseDate('9223372036854775807')).toBeNull();
    expect(parseDate('00000000000000000')).toBeNull();
    // 17 digits: 1e16 ticks = 1e12 ms after 1601.
    expect(parseDate('10000000000000000')).toBe(1e12 - 11644473600000);
    // 16 and 20 digits are not FILETIME (and not a date either).
    expect(parseDate('1000000000000000')).toBeNaN();
    expect(parseDate('10000000000000000000')).toBeNaN();
  });
});

describe('parseDate: slash and dash dates', () => {
  it('US month first, day first when the first number is over 12, year first', () => {
    expect(parseDate('7/19/2024 4:09:30 AM')).toBe(Date.UTC(2024, 6, 19, 4, 9, 30));
    expect(parseDate('19/07/2024 16:09')).toBe(Date.UTC(2024, 6, 19, 16, 9));
    expect(parseDate('13/12/2024')).toBe(Date.UTC(2024, 11, 13));
    expect(parseDate('12/13/2024')).toBe(Date.UTC(2024, 11, 13));
    expect(parseDate('2024/07/19 04:09:30.123 PM')).toBe(Date.UTC(2024, 6, 19, 16, 9, 30, 123));
    expect(parseDate('07-19-2024 04:09:30 pm')).toBe(Date.UTC(2024, 6, 19, 16, 9, 30));
    expect(parseDate('7.19.24')).toBe(Date.UTC(2024, 6, 19));
    expect(parseDate('7/19/2024,4:09')).toBe(Date.UTC(2024, 6, 19, 4, 9));
  });

  it('AM/PM: 12 AM is midnight, 12 PM noon, 1 PM 13:00; hour 0 or 13 with AM/PM is unreadable', () => {
    expect(parseDate('7/19/2024 12:00 AM')).toBe(Date.UTC(2024, 6, 19, 0, 0));
    expect(parseDate('7/19/2024 12:30 PM')).toBe(Date.UTC(2024, 6, 19, 12, 30));
    expect(parseDate('7/19/2024 1:00 PM')).toBe(Date.UTC(2024, 6, 19, 13, 0));
    expect(parseDate('7/19/2024 11:00 AM')).toBe(Date.UTC(2024, 6, 19, 11, 0));
    expect(parseDate('7/19/2024 0:00 AM')).toBeNaN();
    expect(parseDate('7/19/2024 13:00 PM')).toBeNaN();
  });

  it('zones and offsets, with or without a colon', () => {
    expect(parseDate('7/19/2024 4:09 Z')).toBe(Date.UTC(2024, 6, 19, 4, 9));
    expect(parseDate('7/19/2024 4:09 UTC')).toBe(Date.UTC(2024, 6, 19, 4, 9));
    expect(parseDate('7/19/2024 4:09 +02:00')).toBe(Date.UTC(2024, 6, 19, 2, 9));
    expect(parseDate('7/19/2024 4:09 -0130')).toBe(Date.UTC(2024, 6, 19, 5, 39));
    const i = info();
    parseDateInfo('7/19/2024 4:09', i, false);
    expect(i.zone).toBe(false);
    parseDateInfo('7/19/2024', i, false);
    expect(i.zone).toBe(true);
    parseDateInfo('7/19/2024 4:09 Z', i, false);
    expect(i.zone).toBe(true);
  });

  it('ranges and sentinels as for ISO dates', () => {
    expect(parseDate('1/1/1601')).toBeNull();
    expect(parseDate('12/31/9999')).toBeNull();
    expect(parseDate('1/1/1602')).toBe(Date.UTC(1602, 0, 1));
    expect(parseDate('2024/13/01')).toBeNaN();
    expect(parseDate('2024/00/01')).toBeNaN();
    expect(parseDate('2024/12/32')).toBeNaN();
    expect(parseDate('2024/12/00')).toBeNaN();
    expect(parseDate('7/19/2024 24:00')).toBeNaN();
    expect(parseDate('7/19/2024 23:60')).toBeNaN();
    expect(parseDate('7/19/2024 23:59:61')).toBeNaN();
    expect(parseDate('7/19/2024 23:59:60')).toBe(Date.UTC(2024, 6, 19, 23, 59, 60));
    expect(parseDate('yesterday')).toBeNaN();
  });

  it('order evidence: dmy when the first is over 12, mdy when the second is, ambiguous when both could be months', () => {
    const i = info();
    parseDateInfo('19/07/2024', i, false);
    expect(i).toEqual({ zone: true, ambiguous: false, order: 'dmy' });
    parseDateInfo('07/19/2024', i, false);
    expect(i).toEqual({ zone: true, ambiguous: false, order: 'mdy' });
    parseDateInfo('07/08/2024', i, false);
    expect(i).toEqual({ zone: true, ambiguous: true, order: null });
    parseDateInfo('07/07/2024', i, false);
    expect(i).toEqual({ zone: true, ambiguous: false, order: null });
    parseDateInfo('2024/07/08', i, false);
    expect(i).toEqual({ zone: true, ambiguous: false, order: null });
  });

  it('dayFirst reads an ambiguous date day first, but never a date whose second number is over 12', () => {
    expect(parseDateInfo('07/08/2024', info(), true)).toBe(Date.UTC(2024, 7, 7));
    expect(parseDateInfo('07/08/2024', info(), false)).toBe(Date.UTC(2024, 6, 8));
    expect(parseDateInfo('07/12/2024', info(), true)).toBe(Date.UTC(2024, 11, 7));
    expect(parseDateInfo('07/13/2024', info(), true)).toBe(Date.UTC(2024, 6, 13));
  });
});

describe('ambiguousDayMonth', () => {
  it('both numbers 12 or less and different; year first is never ambiguous', () => {
    expect(ambiguousDayMonth(' 07/08/2024 ')).toBe(true);
    expect(ambiguousDayMonth('12/11/24')).toBe(true);
    expect(ambiguousDayMonth('13/11/2024')).toBe(false);
    expect(ambiguousDayMonth('11/13/2024')).toBe(false);
    expect(ambiguousDayMonth('07/07/2024')).toBe(false);
    expect(ambiguousDayMonth('2024/07/08')).toBe(false);
    expect(ambiguousDayMonth('7/8/2')).toBe(false);
  });
});

describe('platforms, device types, rings', () => {
  it('platform words', () => {
    expect(normPlatform(' ')).toBeNull();
    expect(normPlatform('Windows 11')).toBe('windows');
    expect(normPlatform('1')).toBe('windows');
    expect(normPlatform('macOS')).toBe('mac');
    expect(normPlatform('Mac OS X')).toBe('mac');
    expect(normPlatform('Apple OS X')).toBe('mac');
    expect(normPlatform('Darwin')).toBe('mac');
    expect(normPlatform('Linux')).toBe('linux');
    for (const d of [
      'Ubuntu 22.04',
      'Debian',
      'RHEL 9',
      'Red Hat',
      'CentOS',
      'Fedora',
      'SUSE',
      'Amazon Linux 2',
      'Rocky',
      'AlmaLinux',
    ])
      expect(normPlatform(d)).toBe('linux');
    expect(normPlatform('ChromeOS')).toBe('other');
    expect(normPlatform('2')).toBe('other');
  });

  it('device types', () => {
    expect(normDeviceType('')).toBeNull();
    expect(normDeviceType('Domain Controller')).toBe('dc');
    expect(normDeviceType('DC')).toBe('dc');
    expect(normDeviceType('Windows Server')).toBe('server');
    for (const t of ['Workstation', 'Desktop', 'Laptop', 'Client', 'Kiosk', 'Notebook'])
      expect(normDeviceType(t)).toBe('workstation');
    expect(normDeviceType('Phone')).toBeNull();
  });

  it('ring names capitalised, ringN mapped, anything else kept as written', () => {
    expect(normRing(' ')).toBeNull();
    expect(normRing(' broad ')).toBe('Broad');
    expect(normRing('Ring 0')).toBe('Test');
    expect(normRing('ring3')).toBe('Broad');
    expect(normRing('PILOT')).toBe('Pilot');
    expect(normRing(' Ward 7 ')).toBe('Ward 7');
  });

  it('rings inside group labels', () => {
    expect(ringFromLabel('Ring - Test')).toBe('Test');
    expect(ringFromLabel('ring:fast')).toBe('Fast');
    expect(ringFromLabel('Ring_Pilot')).toBe('Pilot');
    expect(ringFromLabel('Modern Workplace Devices-Windows Autopatch-Broad')).toBe('Broad');
    expect(ringFromLabel('Windows Autopatch - Ring 1')).toBe('First');
    expect(ringFromLabel('Fast Ring')).toBe('Fast');
    expect(ringFromLabel('Sensor_first ring')).toBe('First');
    expect(ringFromLabel('CrowdStrike Sensor - Ring - Fast')).toBe('Fast');
    expect(ringFromLabel('Sensor_Ring_2')).toBe('2');
    expect(ringFromLabel('Sensor_Ring_7')).toBe('7');
    expect(ringFromLabel('Breakfast ring')).toBeNull();
    expect(ringFromLabel('Ringside')).toBeNull();
    expect(ringFromLabel('All devices')).toBeNull();
  });
});

describe('lists, tags, codes', () => {
  it('splitList: JSON arrays, , ; | delimiters, empties dropped', () => {
    expect(splitList(' ')).toEqual([]);
    expect(splitList('["a", " b ", "", 3]')).toEqual(['a', 'b', '3']);
    expect(splitList('[a, b]')).toEqual(['[a', 'b]']);
    expect(splitList('{"a":1}')).toEqual(['{"a":1}']);
    expect(splitList('["x"]y')).toEqual(['["x"]y']);
    expect(splitList('a, b;c|d,,')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('normTags: the part after the last slash, lower case, commas as spaces, no duplicates', () => {
    expect(normTags(['FalconGroupingTags/Critical-Clinical', 'a/b/Ward', 'ward', ' ', 'x,y'])).toEqual([
      'critical-clinical',
      'ward',
      'x y',
    ]);
    expect(normTags(['/'])).toEqual([]);
  });

  it('mergeTags: either side empty gives the other; new tags appended once', () => {
    expect(mergeTags('', 'a')).toBe('a');
    expect(mergeTags('a', '')).toBe('a');
    expect(mergeTags('a,b', 'b,c,,a')).toBe('a,b,c');
  });

  it('excelMangled: one digit, optional fraction, E+ exponent', () => {
    expect(excelMangled(' 1.23457E+47 ')).toBe(true);
    expect(excelMangled('1e+5')).toBe(true);
    expect(excelMangled('12E+5')).toBe(false);
    expect(excelMangled('1.E+5')).toBe(false);
    expect(excelMangled('1.2E-5')).toBe(false);
    expect(excelMangled('1.2E+')).toBe(false);
    expect(excelMangled('x1.2E+5')).toBe(false);
    expect(excelMangled('1.2E+5x')).toBe(false);
  });

  it('errorHex: hex normalised, decimal and negative decimal as 8 hex digits', () => {
    expect(errorHex(' ')).toBeNull();
    expect(errorHex('0')).toBeNull();
    expect(errorHex('0x87d00324')).toBe('0x87D00324');
    expect(errorHex('0X1_a')).toBe('0x1_A');
    expect(errorHex('2278556452')).toBe('0x87D00324');
    expect(errorHex('-2016410844')).toBe('0x87D00324');
    expect(errorHex('1')).toBe('0x00000001');
    expect(errorHex('0xZZ')).toBe('0xZZ');
    expect(errorHex('1.5')).toBe('1.5');
    expect(errorHex('x12')).toBe('x12');
    expect(errorHex('12x')).toBe('12x');
  });
});
