// The other formats (JSON, ZIP, Entra/Defender/Fleet, WUfB, ConfigMgr deployments, events) and the hostile corpus.
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import { importFile, rawRow } from '../../../../core/ingest/index.js';
import { parseDate } from '../../../../core/ingest/normalize.js';
import { keyProblem } from '../../../../core/ingest/keys.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

async function ws(): Promise<Workspace> {
  return openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });
}
const aid = (n: number) => n.toString(16).padStart(32, '0');
const guid = (n: number) => `c0ffee00-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const enc = (s: string) => new TextEncoder().encode(s);
const count = (w: Workspace, sql: string) => w.db.value<number>(sql) ?? 0;

describe('other formats', () => {
  it('Falcon API JSON (resources, tags arrays) joins with a Graph JSON key export', async () => {
    const w = await ws();
    const doc = {
      meta: { query_time: 0.1 },
      resources: [
        {
          device_id: aid(1),
          hostname: 'PC-0001',
          agent_version: '7.16.18605.0',
          platform_name: 'Windows',
          product_type_desc: 'Workstation',
          last_seen: '2024-07-19T05:12:44Z',
          tags: ['FalconGroupingTags/Critical-Clinical', 'SensorGroupingTags/Kiosk'],
          groups: ['Ring - Fast'],
          ou: ['Workstations', 'LON'],
          device_policies: { prevention: { policy_id: 'x' } },
        },
      ],
    };
    const r = await importFile(w, inputFromBytes('hosts.json', JSON.stringify(doc)));
    expect(r).toMatchObject({ format: 'falcon', imported: 1, rejected: 0 });
    expect(w.db.get('SELECT tags, ring, agent_version FROM devices')).toEqual({
      tags: 'critical-clinical,kiosk',
      ring: 'Fast',
      agent_version: '7.16.18605.0',
    });
    const entra = [
      'displayName,accountEnabled,operatingSystem,operatingSystemVersion,joinType (trustType),registeredOwners,userNames,mdmDisplayName,isCompliant,registrationTime,approximateLastSignInDateTime,deviceId,isManaged,objectId,profileType,systemLabels,model',
      `PC-0001,True,Windows,10.0.22631,Microsoft Entra joined,,,,True,,,${guid(1)},True,${guid(2)},,,`,
    ].join('\n');
    expect((await importFile(w, inputFromBytes('exportDevice.csv', entra))).format).toBe('entra');
    const graph = {
      value: [
        {
          id: 'b465e4e8-e4e8-b465-e8e4-65b4e8e465b4',
          createdDateTime: '2024-07-19T10:11:12Z',
          deviceId: guid(1),
          key: '000011-000022-000033-000044-000055-000066-000077-000088',
          volumeType: 'operatingSystemVolume',
        },
      ],
    };
    const k = await importFile(w, inputFromBytes('keys.json', JSON.stringify(graph)));
    expect(k).toMatchObject({ format: 'bitlocker', imported: 1 });
    expect(w.db.get('SELECT device_id, volume_type FROM keys')).toEqual({
      device_id: w.db.value('SELECT id FROM devices'),
      volume_type: 'operatingSystemVolume',
    });
  });

  it('Intune ZIP with the API-name header style', async () => {
    const w = await ws();
    const csv =
      '\uFEFFDeviceId,DeviceName,LastContact,ReferenceId,SerialNumber,OS,OS_loc\r\n' +
      `${guid(5)},PC-9,2024-07-19 04:09:00.0000000,${guid(6)},5CD999,1,Windows\r\n`;
    const zip = zipSync({ 'DevicesWithInventory_2024.csv': enc(csv) });
    const r = await importFile(w, inputFromBytes('DevicesWithInventory.zip', zip));
    expect(r).toMatchObject({ format: 'intune', imported: 1 });
    expect(r.notes.join()).toMatch(/from the ZIP/);
    expect(w.db.get('SELECT intune_id, entra_id, platform, last_seen FROM devices')).toEqual({
      intune_id: guid(5),
      entra_id: guid(6),
      platform: 'windows',
      last_seen: Date.UTC(2024, 6, 19, 4, 9),
    });
    expect((await importFile(w, inputFromBytes('DevicesWithInventory.zip', zip))).duplicate).toBe(true);
  });

  it('WUfB, ConfigMgr deployment (decimal error as hex) and Get-WinEvent exports become events', async () => {
    const w = await ws();
    await importFile(w, inputFromBytes('f.csv', `Hostname,Host ID\nPC-1,${aid(1)}\n`));
    const cm =
      'MachineName,AppName,CollectionName,EnforcementState,ErrorCode,StartTime\nPC-1,Agent,Pilot,5006,2278557284,07-19-2024 04:30:00 AM\n';
    const r1 = await importFile(w, inputFromBytes('cm.csv', cm));
    expect(r1).toMatchObject({ format: 'configmgr', kind: 'rollout', imported: 1 });
    expect(w.db.get('SELECT kind, detail, ts FROM events')).toEqual({
      kind: 'failed',
      detail: 'EnforcementState 5006 (error 0x87D00664)',
      ts: Date.UTC(2024, 6, 19, 4, 30),
    });
    const ev = [
      '#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord',
      '"Id","TimeCreated","ProviderName","MachineName","Message"',
      '"1001","7/19/2024 4:12:01 AM","Microsoft-Windows-WER-SystemErrorReporting","PC-1.corp.example.com","The computer has rebooted from a bugcheck.  The bugcheck was: 0x00000050 (0xffff, 0x0, 0x0, 0x0)."',
      '"41","7/19/2024 4:12:00 AM","Microsoft-Windows-Kernel-Power","PC-1.corp.example.com","The system has rebooted without cleanly shutting down first. BugcheckCode 80"',
      '"6008","7/19/2024 4:12:00 AM","EventLog","PC-1.corp.example.com","The previous system shutdown at 04:11:00 on 19/07/2024 was unexpected."',
    ].join('\r\n');
    const r2 = await importFile(w, inputFromBytes('events.csv', ev));
    expect(r2).toMatchObject({ format: 'events', imported: 3, rejected: 0 });
    expect(w.db.all(`SELECT kind, detail FROM events WHERE source <> 'configmgr' ORDER BY detail`)).toEqual([
      { kind: 'crashed', detail: 'BugCheck 0x50 (event 1001)' },
      { kind: 'crashed', detail: 'BugCheck 0x50 (event 41)' },
      { kind: 'rebooted', detail: 'unexpected shutdown (event 6008)' },
    ]);
    expect(count(w, 'SELECT COUNT(*) FROM events WHERE device_id IS NULL')).toBe(0);
    const wufb = `AzureADDeviceId,DeviceName,ClientState,ClientSubstate,ClientSubstateRank,ClientSubstateTime,TargetKBNumber,TargetBuild\n${guid(9)},PC-1,Installing,DownloadStart,2300,2020/05/14 09:26:03.478 AM,KB4524570,10.0.18363.836\n`;
    const r3 = await importFile(w, inputFromBytes('uc.csv', wufb));
    expect(r3).toMatchObject({ format: 'wufb', imported: 1 });
    expect(w.db.get(`SELECT kind, ts, package FROM events WHERE source = 'wufb'`)).toEqual({
      kind: 'offered',
      ts: Date.UTC(2020, 4, 14, 9, 26, 3, 478),
      package: 'KB4524570',
    });
  });

  it('the other key formats: Id,Key; AD msFVE objects; DSInternals; manage-bde text; an Excel-mangled key', async () => {
    const w = await ws();
    await importFile(w, inputFromBytes('f.csv', `Hostname,Host ID\nPC-0142,${aid(1)}\n`));
    const v = (g: string) => `000011-000022-000033-000044-000055-000066-000077-${g}`;
    const idKey = `Id,Key\n11111111-0000-4000-8000-000000000001,${v('000088')}\n11111111-0000-4000-8000-000000000002,1.23457E+47\n`;
    const a = await importFile(w, inputFromBytes('bitlocker_keys.csv', idKey));
    expect(a).toMatchObject({ format: 'bitlocker', imported: 2, flagged: 1 });
    expect(a.errors[0]!.message).toMatch(/spreadsheet/);
    const ad = `Name,DistinguishedName,msFVE-RecoveryPassword\n"2024-07-19T10:11:12-07:00{22222222-0000-4000-8000-000000000001}","CN=2024-07-19T10:11:12-07:00{22222222-0000-4000-8000-000000000001},CN=PC-0142,OU=W,DC=corp,DC=example,DC=com",${v('000099')}\n`;
    expect(await importFile(w, inputFromBytes('ad-keys.csv', ad))).toMatchObject({ format: 'bitlocker', imported: 1 });
    const ds = `ComputerName,RecoveryGuid,RecoveryPassword\nPC-0142$,33333333-0000-4000-8000-000000000001,${v('000110')}\n`;
    expect(await importFile(w, inputFromBytes('dsinternals.csv', ds))).toMatchObject({
      format: 'bitlocker',
      imported: 1,
    });
    const bde = [
      'BitLocker Drive Encryption: Configuration Tool version 10.0.22621',
      'Copyright (C) 2013 Microsoft Corporation. All rights reserved.',
      '',
      'Volume C: [OS]',
      'All Key Protectors',
      '',
      '    TPM:',
      '      ID: {AAAAAAAA-0000-4000-8000-000000000009}',
      '',
      '    Numerical Password:',
      '      ID: {44444444-0000-4000-8000-000000000001}',
      '      Password:',
      `        ${v('000121')}`,
      '',
    ].join('\r\n');
    const m = await importFile(w, inputFromBytes('protectors.txt', bde));
    expect(m).toMatchObject({ format: 'bitlocker', imported: 1, rejected: 0 });
    const pc = w.db.value<number>('SELECT id FROM devices');
    expect(
      w.db.all<{ key_id: string; device_id: number | null; valid: number }>(
        'SELECT key_id, device_id, valid FROM keys ORDER BY key_id',
      ),
    ).toEqual([
      { key_id: '11111111-0000-4000-8000-000000000001', device_id: null, valid: 1 },
      { key_id: '11111111-0000-4000-8000-000000000002', device_id: null, valid: 0 },
      { key_id: '22222222-0000-4000-8000-000000000001', device_id: pc, valid: 1 },
      { key_id: '33333333-0000-4000-8000-000000000001', device_id: pc, valid: 1 },
      { key_id: '44444444-0000-4000-8000-000000000001', device_id: null, valid: 1 },
    ]);
  });

  it('date shapes normalise to the same UTC instant', () => {
    const t = Date.UTC(2024, 6, 19, 4, 9, 0);
    for (const s of [
      '2024-07-19T04:09:00Z',
      '2024-07-19T06:09:00+02:00',
      '2024-07-18T21:09:00-07:00',
      '2024-07-19 04:09:00.0000000',
      '7/19/2024 4:09:00 AM',
      '19/07/2024 04:09',
      '2024/07/19 04:09:00.000 AM',
      '07-19-2024 04:09:00 AM',
      '133658357400000000',
    ])
      expect(parseDate(s), s).toBe(t);
    expect(parseDate('0001-01-01 00:00:00.0000000')).toBeNull();
    expect(parseDate('9999-12-31 23:59:59.9999999')).toBeNull();
    expect(parseDate('tomorrow')).toBeNaN();
  });

  it('key validation names each invalid class and never quotes the digits', () => {
    const valid = '000011-000022-000033-000044-000055-000066-000077-000088';
    expect(keyProblem(valid)).toBeNull();
    expect(keyProblem('1.23457E+47')).toMatch(/spreadsheet/);
    expect(keyProblem(valid.replace(/-/g, ''))).toMatch(/no hyphens/);
    expect(keyProblem(valid.replace(/-/g, ' '))).toMatch(/spaces/);
    expect(keyProblem(valid.replace('000088', '00088'))).toMatch(/group 8 .*not 6 digits/);
    expect(keyProblem(valid.replace('000088', '720896'))).toMatch(/720896 or more/);
    expect(keyProblem(valid.replace('000088', '000089'))).toMatch(/divisible by 11/);
  });
});

describe('hostile corpus: a specific error, no crash, no hang', () => {
  const within = async <T>(ms: number, p: Promise<T>) => {
    const t0 = Date.now();
    const v = await p;
    expect(Date.now() - t0).toBeLessThan(ms);
    return v;
  };

  it('NUL bytes', async () => {
    const r = await importFile(
      await ws(),
      inputFromBytes('x.csv', Uint8Array.from([72, 111, 115, 116, 0, 1, 0, 2, 10, 0, 0])),
    );
    expect(r.errors[0]!.message).toMatch(/NUL byte/);
  });

  it('an unterminated quote in a 50 MB file', async () => {
    const head = `Hostname,Host ID,Status\nPC-1,${aid(1)},"never closed\n`;
    const bytes = new Uint8Array(50 << 20).fill(0x41);
    bytes.set(enc(head), 0);
    for (let i = head.length + 100; i < bytes.length; i += 100) bytes[i] = 10;
    const r = await within(25_000, importFile(await ws(), inputFromBytes('big.csv', bytes)));
    expect(r.errors[0]!.message).toMatch(/unterminated quote/);
    expect(r.imported).toBe(0);
  }, 30_000);

  it('an unterminated quote in a small file: the line it starts on, not a row that swallowed the rest', async () => {
    const w = await ws();
    const text = `Hostname,Host ID,Status\nPC-1,${aid(1)},normal\nPC-2,${aid(2)},"never closed\nPC-3,${aid(3)},normal\n`;
    const r = await importFile(w, inputFromBytes('small.csv', text));
    expect(r.importId).toBeNull();
    expect(r.errors).toEqual([
      {
        line: 3,
        field: 'Status',
        message: 'small.csv: a quoted field that starts on line 3 never ends (unterminated quote, or not a CSV file)',
      },
    ]);
    expect(w.db.value('SELECT COUNT(*) FROM devices')).toBe(0);
  });

  it('a million columns', async () => {
    const header = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',');
    const r = await within(10_000, importFile(await ws(), inputFromBytes('wide.csv', header + '\n1,2\n')));
    expect(r.errors[0]!.message).toMatch(/1000000 columns; at most 10000/);
  }, 30_000);

  it('JSON nested a million deep', async () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    const r = await within(10_000, importFile(await ws(), inputFromBytes('deep.json', deep)));
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.message).toMatch(/nested too deeply|no objects|no list/);
  }, 30_000);

  it('duplicate and __proto__ headers', async () => {
    const w = await ws();
    const r = await importFile(
      w,
      inputFromBytes('d.csv', `Hostname,Host ID,__proto__,Hostname\nPC-1,${aid(1)},polluted,PC-X\n`),
    );
    expect(r.format).toBe('falcon');
    expect(r.notes.join()).toMatch(/duplicate column name "Hostname".*renamed to "Hostname \(2\)"/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const raw = rawRow(w, w.db.value<number>('SELECT id FROM device_sources')!)!;
    expect(Object.getOwnPropertyNames(raw)).toContain('__proto__');
    expect(raw['__proto__']).toBe('polluted');
    expect(raw['Hostname (2)']).toBe('PC-X');
    expect(w.db.value('SELECT hostname FROM devices')).toBe('PC-1');
  });

  it('invalid JSON and a ZIP that is not one', async () => {
    const w = await ws();
    expect((await importFile(w, inputFromBytes('a.json', '{"resources": [1, 2'))).errors[0]!.message).toMatch(
      /not valid JSON/,
    );
    const fakeZip = Uint8Array.from([0x50, 0x4b, 3, 4, 9, 9, 9, 9]);
    expect((await importFile(w, inputFromBytes('a.zip', fakeZip))).errors[0]!.message).toMatch(/not a readable ZIP/);
  });
});
