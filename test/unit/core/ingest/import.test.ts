// Import path on real sql.js: the four sample formats, encodings, idempotence, cancel, rejected lines, keys, identity.
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { CancelledError } from '../../../../core/contract/jobs.js';
import { findKeys, importErrors, importFile, importFiles, listImports, rawRow } from '../../../../core/ingest/index.js';
import { resolveReview, reviewList } from '../../../../core/ingest/review.js';
import { KeyVault } from '../../../../core/secrets/key-vault.js';
import { SEALED_KEY_COLUMNS, type SealedKeyRef } from '../../../../core/store/keys.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const T = Date.UTC(2024, 6, 23);
async function ws(): Promise<Workspace> {
  return openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => T });
}

const FALCON_HEADER =
  'Hostname,Host ID,Serial Number,Platform,OS Version,OS Build,Product Type,Sensor Version,First Seen,Last Seen,Site,Host Groups,Tags,Last Logged In User,Status';
const aid = (n: number) => n.toString(16).padStart(32, '0');
const falconRow = (
  host: string,
  n: number,
  opts: { serial?: string; ring?: string; last?: string; tags?: string } = {},
) =>
  [
    host,
    aid(n),
    opts.serial ?? `5CD${n.toString().padStart(6, '0')}`,
    'Windows',
    'Windows 11',
    '22631',
    'Workstation',
    '7.16.18605.0',
    '2024-01-02T03:04:05Z',
    opts.last ?? '2024-07-19T05:12:44Z',
    'LON',
    `"Ring - ${opts.ring ?? 'Broad'}, Windows Workstations"`,
    `"${opts.tags ?? 'FalconGroupingTags/Critical-Clinical, SensorGroupingTags/Kiosk'}"`,
    'alice',
    'normal',
  ].join(',');

const FALCON = [
  FALCON_HEADER,
  falconRow('PC-0001', 1, { ring: 'Test' }),
  falconRow('PC-0002', 2, { ring: 'Fast' }),
  falconRow('PC-0003', 3),
  // stale record of PC-0003 (reimaged): same name and serial, different AID, last seen before the incident
  falconRow('PC-0003', 4, { serial: '5CD000003', last: '2024-05-01T00:00:00Z' }),
  falconRow('Zürich-Kasse-01', 5),
  'PC-BAD,not-an-aid,X,Windows,,,,,,,,,,,',
  '',
].join('\r\n');

const INTUNE_HEADER =
  'Device ID,Device name,Enrollment date,Last check-in,Azure AD Device ID,OS version,Azure AD registered,EAS activation ID,Serial number,Manufacturer,Model,EAS activated,IMEI,Last EAS sync time,EAS reason,EAS status,Compliance grace period expiration,Security patch level,Wi-Fi MAC,MEID,Subscriber carrier,Total storage,Free storage,Management name,Category,UserId,Primary user UPN,Primary user email address,Primary user display name,WiFiIPv4Address,WiFiSubnetID,Compliance,Managed by,Ownership,Device state,Intune registered,Supervised,Encrypted,OS,SkuFamily,JoinType,Phone number,Jailbroken,ICCID,EthernetMAC,CellularTechnology,ProcessorArchitecture,EID,SystemManagementBIOSVersion,TPMManufacturerId,TPMManufacturerVersion,ProductName,Management certificate expiration date';
const guid = (n: number, p = 'a') => `${p.repeat(8)}-0000-4000-8000-${n.toString().padStart(12, '0')}`;
function intuneRow(name: string, n: number, serial: string, os = 'Windows'): string {
  const cols = INTUNE_HEADER.split(',');
  const v: Record<string, string> = {
    'Device ID': guid(n, 'b'),
    'Device name': name,
    'Enrollment date': '2024-01-02 03:04:05.0000000',
    'Last check-in': '2024-07-19 04:09:00.0000000',
    'Azure AD Device ID': guid(n, 'c'),
    'OS version': '10.0.22631.3880',
    'Serial number': serial,
    'Last EAS sync time': '0001-01-01 00:00:00.0000000',
    'Compliance grace period expiration': '9999-12-31 23:59:59.9999999',
    'Primary user UPN': 'alice@example.com',
    OS: os,
    JoinType: 'Hybrid Azure AD joined',
    Model: 'Latitude 7440',
  };
  return cols.map((c) => v[c] ?? '').join(',');
}

const INTUNE =
  '\uFEFF' +
  [
    INTUNE_HEADER,
    intuneRow('pc-0001', 1, '5CD000001'), // case differs from Falcon
    intuneRow('PC-0002.corp.example.com', 2, 'NOMATCH-SERIAL'), // FQDN, only the name matches
    intuneRow('MAC-0100', 100, 'C02XYZ123', 'macOS'),
  ].join('\n') +
  '\n';

const KEYS = [
  'Hostname,KeyID,RecoveryKey,Directory',
  '"CN=PC-0001,OU=Workstations,OU=LON,DC=corp,DC=example,DC=com",{6A5F0F3E-1234-4ABC-9DEF-0123456789AB},000011-000022-000033-000044-000055-000066-000077-000088,ActiveDirectory',
  'PC-0002,{7A5F0F3E-1234-4ABC-9DEF-0123456789AB},000011-000022-000033-000044-000055-000066-000077-720896,EntraID',
  'PC-0002,{7B5F0F3E-1234-4ABC-9DEF-0123456789AB},000011-000022-000033-000044-000055-000066-000077-000012,EntraID',
  'GHOST-9,{8A5F0F3E-1234-4ABC-9DEF-0123456789AB},123456-000022-000033-000044-000055-000066-000077-000088,EntraID',
  'PC-0003,not-a-guid,000011-000022-000033-000044-000055-000066-000077-000088,EntraID',
  '',
].join('\n');

const ROLLOUT = [
  'timestamp_utc,source,device_key,hostname_raw,ring,package,version_from,version_to,state,error_code_hex,detail',
  `2024-07-19T04:10:00Z,falcon,${aid(1)},PC-0001,Test,channel-file-291,290,291-bad,installed,,`,
  `2024-07-19T04:11:00Z,falcon,${aid(1)},PC-0001,Test,channel-file-291,,,crashed,0x50,BugCheck 0x50`,
  `2024-07-19T04:20:00Z,falcon,,pc-0002.corp.example.com,Fast,channel-file-291,290,291-bad,installed,,`,
  `2024-07-20T09:00:00Z,manual,${aid(2)},PC-0002,Fast,channel-file-291,,,fixed,,`,
  `not-a-date,falcon,${aid(3)},PC-0003,Broad,channel-file-291,,,installed,,`,
  `2024-07-19T04:30:00Z,falcon,${aid(3)},PC-0003,Broad,channel-file-291,,,exploded,,`,
  '',
].join('\n');

const count = (w: Workspace, sql: string) => w.db.value<number>(sql) ?? 0;

describe('importFile: the sample formats', () => {
  it('detects Falcon by header, builds devices with rings and tags, links the stale record, rejects bad rows with line and field', async () => {
    const w = await ws();
    const r = await importFile(w, inputFromBytes('hosts-export (3).txt', FALCON));
    expect(r.format).toBe('falcon');
    expect(r.kind).toBe('fleet');
    expect(r.rows).toBe(6);
    expect(r.imported).toBe(5);
    expect(r.rejected).toBe(1);
    expect(r.errors).toEqual([{ line: 7, field: 'Host ID', message: expect.stringContaining('not a Falcon AID') }]);
    expect(count(w, 'SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL')).toBe(4);
    const stale = w.db.get<{ superseded_by: number; falcon_aid: string }>(
      `SELECT superseded_by, falcon_aid FROM devices WHERE falcon_aid = '${aid(4)}'`,
    )!;
    const current = w.db.value<number>(`SELECT id FROM devices WHERE falcon_aid = '${aid(3)}'`);
    expect(stale.superseded_by).toBe(current);
    const pc1 = w.db.get<Record<string, unknown>>(`SELECT * FROM devices WHERE host_key = 'PC-0001'`)!;
    expect(pc1).toMatchObject({
      ring: 'Test',
      ring_source: 'falcon host group',
      tags: 'critical-clinical,kiosk',
      platform: 'windows',
      device_type: 'workstation',
      agent_version: '7.16.18605.0',
      site: 'LON',
      last_seen: Date.UTC(2024, 6, 19, 5, 12, 44),
    });
    expect(w.db.value<string>(`SELECT hostname FROM devices WHERE host_key = 'ZÜRICH-KASSE-01'`)).toBe(
      'Zürich-Kasse-01',
    );
    const raw = rawRow(w, w.db.value<number>('SELECT id FROM device_sources WHERE line = 2')!)!;
    expect(raw['Host Groups']).toBe('Ring - Test, Windows Workstations');
    expect(raw['Hostname']).toBe('PC-0001');
    expect(count(w, 'SELECT COUNT(*) FROM device_sources')).toBe(5);
    expect(importErrors(w, r.importId!, {}).errors[0]).toMatchObject({ line: 7, field: 'Host ID' });
  });

  it('joins Intune onto Falcon by serial / name (case, FQDN) and adds the Mac', async () => {
    const w = await ws();
    await importFile(w, inputFromBytes('falcon.csv', FALCON));
    const r = await importFile(w, inputFromBytes('devices.csv', INTUNE));
    expect(r.format).toBe('intune');
    expect(r.imported).toBe(3);
    expect(r.encoding).toBe('utf-8');
    expect(count(w, 'SELECT COUNT(*) FROM devices WHERE superseded_by IS NULL')).toBe(5);
    const pc1 = w.db.get<{ entra_id: string; intune_id: string; falcon_aid: string }>(
      `SELECT entra_id, intune_id, falcon_aid FROM devices WHERE host_key = 'PC-0001'`,
    )!;
    expect(pc1).toEqual({ entra_id: guid(1, 'c'), intune_id: guid(1, 'b'), falcon_aid: aid(1) });
    // PC-0002 matched by name only while the serials differ: joined, and flagged for review.
    expect(count(w, `SELECT COUNT(*) FROM devices WHERE host_key = 'PC-0002'`)).toBe(1);
    expect(r.errors.some((e) => e.line === 3 && /serial numbers differ/.test(e.message))).toBe(true);
    expect(w.db.value<string>(`SELECT platform FROM devices WHERE host_key = 'MAC-0100'`)).toBe('mac');
    expect(count(w, `SELECT COUNT(*) FROM device_sources WHERE source = 'intune'`)).toBe(3);
  });

  it('review list: shows the source row by column name; split gives the row its own device with its IDs', async () => {
    const w = await ws();
    await importFiles(w, [inputFromBytes('falcon.csv', FALCON), inputFromBytes('devices.csv', INTUNE)]);
    const items = reviewList(w);
    expect(items).toHaveLength(1);
    const item = items[0]!;
    expect(item).toMatchObject({ hostname: 'PC-0002', file: 'devices.csv', line: 3, source: 'intune' });
    // The row comes back from its compressed chunk with the file's own column names.
    expect(item.raw).toMatchObject({ 'Device name': 'PC-0002.corp.example.com', 'Serial number': 'NOMATCH-SERIAL' });
    expect(count(w, 'SELECT COUNT(*) FROM raw_chunks')).toBe(2);
    expect(count(w, "SELECT COUNT(*) FROM device_sources WHERE raw <> ''")).toBe(0);
    const r = await resolveReview(w, item.id, 'split');
    expect(r.newDeviceId).not.toBeNull();
    expect(w.db.get('SELECT intune_id, entra_id FROM devices WHERE id = ?', [r.newDeviceId])).toEqual({
      intune_id: guid(2, 'b'),
      entra_id: guid(2, 'c'),
    });
    expect(w.db.value('SELECT intune_id FROM devices WHERE id = ?', [item.deviceId])).toBeNull();
    expect(reviewList(w)).toHaveLength(0);
  });

  it('imports BitLocker keys: sealed, validated, matched by DN / name, unknown hosts kept, lookup by any spelling', async () => {
    const w = await ws();
    await importFile(w, inputFromBytes('falcon.csv', FALCON));
    const r = await importFile(w, inputFromBytes('bitlocker-keys.csv', KEYS));
    expect(r.format).toBe('bitlocker');
    expect(r.rows).toBe(5);
    expect(r.imported).toBe(4);
    expect(r.rejected).toBe(1);
    expect(r.flagged).toBe(3);
    expect(r.errors.find((e) => e.line === 6)).toMatchObject({ field: 'KeyID' });
    const rows = w.db.all<
      SealedKeyRef & {
        valid: number;
        problem: string | null;
        device_id: number | null;
      }
    >(`SELECT ${SEALED_KEY_COLUMNS}, valid, problem, device_id FROM keys ORDER BY key_id`);
    expect(rows.map((k) => k.valid)).toEqual([1, 0, 0, 0]);
    expect(rows[1]!.problem).toMatch(/720896/);
    expect(rows[2]!.problem).toMatch(/divisible by 11/);
    expect(rows[3]!.device_id).toBeNull();
    // Never plaintext at rest: the sealed blob opens to the password, and the password is nowhere in the file.
    expect(await new KeyVault(w.db, w.box).reveal(rows[0]!)).toBe(
      '000011-000022-000033-000044-000055-000066-000077-000088',
    );
    const image = new TextDecoder('latin1').decode(w.db.raw.export());
    expect(image.includes('000011-000022-000033')).toBe(false);
    expect(r.errors.every((e) => !/\d{6}-\d{6}/.test(e.message))).toBe(true);
    const pc1 = w.db.value<number>(`SELECT id FROM devices WHERE host_key = 'PC-0001'`);
    for (const q of [
      '{6A5F0F3E-1234-4ABC-9DEF-0123456789AB}',
      '6a5f0f3e-1234-4abc-9def-0123456789ab',
      '6A5F0F3E',
      '2024-07-19T10:11:12-07:00{6A5F0F3E-1234-4ABC-9DEF-0123456789AB}',
    ]) {
      const m = findKeys(w, q);
      expect(m, q).toHaveLength(1);
      expect(m[0]).toMatchObject({ keyId: '6a5f0f3e-1234-4abc-9def-0123456789ab', deviceId: pc1, hostname: 'PC-0001' });
      expect(JSON.stringify(m)).not.toMatch(/000011/);
    }
    expect(findKeys(w, '7a5f')).toEqual([]); // fewer than 8 characters is not a lookup
    expect(findKeys(w, '7')).toEqual([]);
    // two keys for PC-0002
    const pc2 = w.db.value<number>(`SELECT id FROM devices WHERE host_key = 'PC-0002'`);
    expect(count(w, `SELECT COUNT(*) FROM keys WHERE device_id = ${pc2}`)).toBe(2);
  });

  it('keys imported before the fleet are linked when the fleet arrives', async () => {
    const w = await ws();
    await importFile(w, inputFromBytes('bitlocker-keys.csv', KEYS));
    expect(count(w, 'SELECT COUNT(*) FROM keys WHERE device_id IS NOT NULL')).toBe(0);
    await importFile(w, inputFromBytes('falcon.csv', FALCON));
    expect(count(w, 'SELECT COUNT(*) FROM keys WHERE device_id IS NOT NULL')).toBe(3);
  });

  it('imports rollout events matched by AID or hostname, rejecting bad dates and states', async () => {
    const w = await ws();
    await importFile(w, inputFromBytes('falcon.csv', FALCON));
    const r = await importFile(w, inputFromBytes('rollout-events.csv', ROLLOUT));
    expect(r.format).toBe('rollout');
    expect(r.imported).toBe(4);
    expect(r.errors).toEqual([
      { line: 6, field: 'timestamp_utc', message: expect.stringContaining('not a date') },
      { line: 7, field: 'state', message: expect.stringContaining('unknown state "exploded"') },
    ]);
    const ev = w.db.all<{ kind: string; device_id: number | null; detail: string | null; ts: number }>(
      'SELECT kind, device_id, detail, ts FROM events ORDER BY ts',
    );
    expect(ev.every((e) => e.device_id !== null)).toBe(true);
    expect(ev[1]).toMatchObject({ kind: 'crashed', detail: 'BugCheck 0x50 (error 0x50)' });
    expect(ev[0]!.ts).toBe(Date.UTC(2024, 6, 19, 4, 10));
  });
});

describe('importFile: files as they arrive', () => {
  const small =
    'Hostname,Host ID,Last Seen\nPC-1,' + aid(1) + ',2024-07-19T05:00:00Z\nPC-2,' + aid(2) + ',2024-07-19T05:00:00Z\n';

  function utf16(text: string, le: boolean): Uint8Array {
    const out = new Uint8Array(2 + text.length * 2);
    out.set(le ? [0xff, 0xfe] : [0xfe, 0xff], 0);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      out[2 + i * 2 + (le ? 0 : 1)] = c & 0xff;
      out[2 + i * 2 + (le ? 1 : 0)] = c >> 8;
    }
    return out;
  }

  it.each([
    ['utf-8 no BOM, LF', new TextEncoder().encode(small), 'utf-8'],
    ['utf-8 BOM, CRLF', new TextEncoder().encode('\uFEFF' + small.replace(/\n/g, '\r\n')), 'utf-8'],
    ['utf-16le BOM, tab', utf16(small.replace(/,/g, '\t'), true), 'utf-16le'],
    ['utf-16be BOM', utf16(small, false), 'utf-16be'],
    [
      '#TYPE preamble, semicolon',
      new TextEncoder().encode('#TYPE System.Management.Automation.PSCustomObject\n' + small.replace(/,/g, ';')),
      'utf-8',
    ],
    ['mixed line ends, no final newline', new TextEncoder().encode(small.replace('\n', '\r\n').trimEnd()), 'utf-8'],
  ])('%s', async (_name, bytes, enc) => {
    const w = await ws();
    const r = await importFile(w, inputFromBytes('hosts.csv', bytes));
    expect(r).toMatchObject({ format: 'falcon', rows: 2, imported: 2, rejected: 0, encoding: enc });
    expect(w.db.all('SELECT hostname, last_seen FROM devices ORDER BY id')).toEqual([
      { hostname: 'PC-1', last_seen: Date.UTC(2024, 6, 19, 5) },
      { hostname: 'PC-2', last_seen: Date.UTC(2024, 6, 19, 5) },
    ]);
  });

  it('falls back to Windows-1252 when the bytes are not UTF-8', async () => {
    const w = await ws();
    const text = `Hostname,Host ID,Last Logged In User\nZ\xfcrich-01,${aid(1)},Jos\xe9 N\xfa\xf1ez\n`;
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const r = await importFile(w, inputFromBytes('hosts.csv', bytes));
    expect(r.encoding).toBe('windows-1252');
    expect(r.notes.join(' ')).toMatch(/not valid UTF-8/);
    expect(w.db.get('SELECT hostname, user FROM devices')).toEqual({ hostname: 'Zürich-01', user: 'José Núñez' });
  });

  it('counts physical lines across quoted newlines and blank lines', async () => {
    const w = await ws();
    const text = `Hostname,Host ID,Status\n"PC-1",${aid(1)},"two\nlines"\n\nPC-2,bad,x\n`;
    const r = await importFile(w, inputFromBytes('h.csv', text));
    expect(r.errors).toEqual([{ line: 5, field: 'Host ID', message: expect.any(String) }]);
  });

  it('the same file twice adds nothing, and records its hash', async () => {
    const w = await ws();
    const a = await importFile(w, inputFromBytes('falcon.csv', FALCON));
    const snap = w.db.raw.export();
    const b = await importFile(w, inputFromBytes('renamed copy.csv', FALCON));
    expect(b.duplicate).toBe(true);
    expect(b.importId).toBe(a.importId);
    expect(b.sha256).toBe(a.sha256);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(w.db.raw.export()).toEqual(snap);
    expect(listImports(w)).toHaveLength(1);
    expect(listImports(w)[0]).toMatchObject({
      file: 'falcon.csv',
      format: 'falcon',
      rows: 6,
      imported: 5,
      rejected: 1,
    });
  });

  it('cancel rolls back: the workspace is exactly as before', async () => {
    const w = await ws();
    await importFile(w, inputFromBytes('falcon.csv', FALCON));
    const before = w.db.raw.export();
    // > 2 MiB so there are several cancel points
    const rows = [FALCON_HEADER];
    for (let i = 0; i < 12000; i++) rows.push(falconRow(`BIG-${i}`, 1000 + i));
    const big = rows.join('\n');
    const ctrl = new AbortController();
    let seen = 0;
    await expect(
      importFile(w, inputFromBytes('big.csv', big), {
        signal: ctrl.signal,
        onProgress: (p) => {
          seen = p.done;
          if (p.done > 0) ctrl.abort();
        },
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toBeGreaterThan(0);
    expect(w.db.inTransaction).toBe(false);
    expect(w.db.raw.export()).toEqual(before);
  });

  it('a batch is one transaction: a bad file is left out alone, the analysis runs once, indexes come back', async () => {
    const w = await ws();
    const indexes = () =>
      w.db.all<{ name: string; sql: string }>(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`,
      );
    const before = indexes();
    const rows = [FALCON_HEADER];
    for (let i = 0; i < 12000; i++) rows.push(falconRow(`BATCH-${i}`, 7000 + i));
    const phases: string[] = [];
    const reports = await importFiles(
      w,
      [
        inputFromBytes('bulk.csv', rows.join('\n')),
        inputFromBytes('notes.csv', 'what,ever\n1,2\n'),
        inputFromBytes('keys.csv', KEYS),
      ],
      { onProgress: (p) => phases.push(p.phase) },
    );
    expect(reports.map((r) => r.format)).toEqual(['falcon', 'unknown', 'bitlocker']);
    expect(reports[0]!.imported).toBe(12000);
    expect(reports[1]!.importId).toBeNull();
    expect(reports[1]!.errors[0]!.message).toMatch(/^notes\.csv: not a recognised export/);
    // Progress names the file; the analysis and the index rebuild each run once, after the last file.
    expect(phases.some((p) => p.startsWith('bulk.csv: '))).toBe(true);
    expect(phases.filter((p) => p === 'analyse').length).toBe(1);
    expect(phases.lastIndexOf('analyse')).toBeGreaterThan(phases.findLastIndex((p) => p.startsWith('keys.csv: ')));
    expect(phases.filter((p) => p.endsWith(': analyse')).length).toBe(0);
    expect(indexes()).toEqual(before);
    expect(w.db.inTransaction).toBe(false);
    expect(listImports(w).map((i) => i.file)).toEqual(['keys.csv', 'bulk.csv']);
    expect(count(w, `SELECT COUNT(*) FROM devices WHERE state IS NULL`)).toBe(0);
  });

  it('a file read again inside a batch (not UTF-8 after all) leaves no trace of its first reading', async () => {
    const w = await ws();
    // 3 MiB of ASCII rows, then one Windows-1252 byte: the first reading has written rows when the bad byte turns up,
    // its savepoint is rolled back, and the file is read again as Windows-1252 with the same shared device index.
    const rows = [FALCON_HEADER];
    for (let i = 0; i < 12000; i++) rows.push(falconRow(`LATIN-${i}`, 100 + i));
    rows.push(falconRow('Z\xfcrich-01', 99));
    const bytes = Uint8Array.from(rows.join('\n'), (c) => c.charCodeAt(0));
    const reports = await importFiles(w, [
      inputFromBytes('other.csv', [FALCON_HEADER, falconRow('PC-0009', 9), ''].join('\n')),
      inputFromBytes('latin.csv', bytes),
      inputFromBytes('rollout.csv', ROLLOUT.replaceAll(aid(1), aid(100)).replaceAll('PC-0001', 'LATIN-0')),
    ]);
    expect(reports[1]!.encoding).toBe('windows-1252');
    expect(reports[1]!.imported).toBe(12001);
    expect(count(w, 'SELECT COUNT(*) FROM devices')).toBe(12002);
    expect(count(w, "SELECT COUNT(*) FROM devices WHERE hostname = 'Zürich-01'")).toBe(1);
    // Events match the devices of the second reading: none points at a row that was rolled back.
    expect(
      count(
        w,
        'SELECT COUNT(*) FROM events e LEFT JOIN devices d ON d.id = e.device_id WHERE e.device_id IS NOT NULL AND d.id IS NULL',
      ),
    ).toBe(0);
    expect(
      count(w, "SELECT COUNT(*) FROM events e JOIN devices d ON d.id = e.device_id WHERE d.hostname = 'LATIN-0'"),
    ).toBe(2);
  });

  it('a bulk load drops and rebuilds indexes: every index is back, unique IDs still enforced, duplicates linked', async () => {
    const w = await ws();
    const indexes = () =>
      w.db.all<{ name: string; sql: string }>(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`,
      );
    const before = indexes();
    // Large against an empty table, so the importer rebuilds indexes after the load instead of maintaining them.
    const rows = [FALCON_HEADER];
    for (let i = 0; i < 12000; i++) rows.push(falconRow(`BULK-${i}`, 5000 + i));
    // A reimaged machine's stale record further down: linked to the current one through the kept index.
    rows.push(falconRow('BULK-7', 99999, { serial: '5CD005007', last: '2024-05-01T00:00:00Z' }));
    const phases = new Set<string>();
    const r = await importFile(w, inputFromBytes('bulk.csv', rows.join('\n')), {
      onProgress: (p) => phases.add(p.phase),
    });
    expect(r.imported).toBe(12001);
    expect(phases.has('index')).toBe(true);
    expect(indexes()).toEqual(before);
    expect(count(w, 'SELECT COUNT(*) FROM devices')).toBe(12001);
    expect(
      count(
        w,
        `SELECT COUNT(*) FROM devices WHERE superseded_by = (SELECT id FROM devices WHERE falcon_aid = '${aid(5007)}')`,
      ),
    ).toBe(1);
    expect(() =>
      w.db.run(`INSERT INTO devices(hostname, host_key, falcon_aid) VALUES ('X', 'X', ?)`, [aid(5000)]),
    ).toThrow(/UNIQUE/);
    const plan = w.db.all<{ detail: string }>(`EXPLAIN QUERY PLAN SELECT id FROM devices WHERE host_key = 'BULK-1'`);
    expect(plan.map((p) => p.detail).join(' ')).toContain('ix_devices_host_key');
  });

  it('a bulk key load rebuilds the key indexes after it and still ignores keys it already holds', async () => {
    const w = await ws();
    const indexes = () =>
      w.db.all<{ name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'keys' ORDER BY name`,
      );
    const before = indexes();
    const key = (n: number) =>
      Array.from({ length: 8 }, (_, g) => String(((n * 7 + g) % 65536) * 11).padStart(6, '0')).join('-');
    const rows = ['Hostname,KeyID,RecoveryKey,Directory'];
    for (let i = 0; i < 6000; i++) rows.push(`PC-${i},{${guid(i, 'd')}},${key(i)},EntraID`);
    const phases = new Set<string>();
    const r = await importFile(w, inputFromBytes('keys.csv', rows.join('\n')), {
      onProgress: (p) => phases.add(p.phase),
    });
    expect(r).toMatchObject({ format: 'bitlocker', imported: 6000, flagged: 0 });
    expect(phases.has('index')).toBe(true);
    expect(indexes()).toEqual(before);
    // Same keys again in a file with a different hash: nothing new.
    const again = await importFile(w, inputFromBytes('keys-again.csv', rows.join('\r\n')));
    expect(again.duplicate).toBe(false);
    expect(count(w, 'SELECT COUNT(*) FROM keys')).toBe(6000);
    expect(findKeys(w, `{${guid(42, 'd').toUpperCase()}}`)).toHaveLength(1);
  });

  it('an unknown file gets one clear message and changes nothing', async () => {
    const w = await ws();
    const before = w.db.raw.export();
    const r = await importFile(w, inputFromBytes('notes.csv', 'colour,flavour\nred,sweet\n'));
    expect(r.format).toBe('unknown');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/^notes\.csv: not a recognised export/);
    expect(r.errors[0]!.message).not.toMatch(/\bat .*\.ts:\d+/);
    expect(w.db.raw.export()).toEqual(before);
    const empty = await importFile(w, inputFromBytes('empty.csv', ''));
    expect(empty.errors[0]!.message).toMatch(/empty/);
  });

  it('identity: case, FQDN, trailing $, DN and 15-character names collapse to one device', async () => {
    const w = await ws();
    await importFile(
      w,
      inputFromBytes('f.csv', `Hostname,Host ID\nLONDON-KIOSK-WORKSTATION-7,${aid(9)}\nPC-0142,${aid(1)}\n`),
    );
    const entra = [
      'displayName,accountEnabled,operatingSystem,operatingSystemVersion,joinType (trustType),registeredOwners,userNames,mdmDisplayName,isCompliant,registrationTime,approximateLastSignInDateTime,deviceId,isManaged,objectId,profileType,systemLabels,model',
      `pc-0142.corp.example.com,True,Windows,10.0.22631,Hybrid Azure AD joined,,,,True,10/16/2024 4:53:46 PM,,${guid(1)},True,${guid(2)},,,`,
    ].join('\n');
    const r = await importFile(w, inputFromBytes('exportDevice_2024.csv', entra));
    expect(r.format).toBe('entra');
    const ad = [
      'Name,DNSHostName,OperatingSystem,OperatingSystemVersion,LastLogonDate,lastLogonTimestamp,DistinguishedName,Enabled,SamAccountName',
      '"LONDON-KIOSK-WO",london-kiosk-wo.corp.example.com,Windows 10 Enterprise,10.0 (19045),,133658380000000000,"CN=LONDON-KIOSK-WO,OU=Kiosks,DC=corp,DC=example,DC=com",True,LONDON-KIOSK-WO$',
      '"PC-0142",,Windows 11 Enterprise,,,,"CN=PC-0142,OU=W,DC=corp,DC=example,DC=com",True,PC-0142$',
    ].join('\n');
    const r2 = await importFile(w, inputFromBytes('ad.csv', ad));
    expect(r2.format).toBe('ad');
    expect(count(w, 'SELECT COUNT(*) FROM devices')).toBe(2);
    expect(w.db.value(`SELECT entra_id FROM devices WHERE falcon_aid = '${aid(1)}'`)).toBe(guid(1));
    // FILETIME 133658380000000000 = 2024-07-19T04:46:40Z
    expect(w.db.value(`SELECT last_seen FROM devices WHERE falcon_aid = '${aid(9)}'`)).toBe(
      Date.UTC(2024, 6, 19, 4, 46, 40),
    );
  });
});
