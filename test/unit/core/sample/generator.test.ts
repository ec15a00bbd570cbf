// The sample generator: byte-for-byte determinism, real export shapes, valid/invalid keys, and a consistent ground truth.
import { createHash } from 'node:crypto';
import { inferSchema, initParser } from 'udsv';
import { describe, expect, it } from 'vitest';
import { AFFECTED_STATES, DEVICE_STATES } from '../../../../core/contract/analysis.js';
import {
  computeGroundTruth,
  fileChunks,
  SAMPLE_EXPORTS,
  sampleByteStream,
  type SampleExportName,
} from '../../../../core/sample/index.js';
import { keyRowsFor } from '../../../../core/sample/files.js';
import { population } from '../../../../core/sample/model.js';
import { isValidRecoveryPassword } from '../../../../core/sample/recovery-keys.js';

const text = (name: SampleExportName, devices: number, seed: number) =>
  [...fileChunks(name, { devices, seed })].join('');

async function digest(name: SampleExportName, devices: number, seed: number): Promise<string> {
  const h = createHash('sha256');
  const reader = sampleByteStream(name, { devices, seed }).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return h.digest('hex');
    h.update(value);
  }
}

function rows(csv: string): string[][] {
  const body = csv.replace(/^\uFEFF/, '');
  const schema = inferSchema(body);
  return [schema.cols.map((c) => c.name), ...initParser(schema).stringArrs(body)];
}

/** Independent of the generator's own check: dislocker's check digit (d1-d2+d3-d4+d5 = d6 mod 11) and the 16-bit limit. */
function dislockerValid(key: string): boolean {
  const groups = key.split('-');
  if (groups.length !== 8) return false;
  return groups.every((g) => {
    if (!/^\d{6}$/.test(g)) return false;
    const d = [...g].map(Number) as [number, number, number, number, number, number];
    const check = (((d[0] - d[1] + d[2] - d[3] + d[4]) % 11) + 11) % 11;
    return check === d[5] && Number(g) < 720896;
  });
}

describe('sample generator', () => {
  it('is byte-identical for the same seed and size, and differs for another seed', async () => {
    for (const name of SAMPLE_EXPORTS) {
      const a = await digest(name, 1500, 42);
      expect(await digest(name, 1500, 42)).toBe(a);
      expect(await digest(name, 1500, 43)).not.toBe(a);
    }
    expect(JSON.stringify(computeGroundTruth({ devices: 1500, seed: 42 }))).toBe(
      JSON.stringify(computeGroundTruth({ devices: 1500, seed: 42 })),
    );
  });

  it('writes the Falcon host export in the agreed shape, stale duplicates included', () => {
    const csv = text('falcon-hosts.csv', 3000, 7);
    expect(csv.split('\n')[0]).toBe(
      'Hostname,Host ID,Serial Number,Platform,OS Version,OS Build,Product Type,Sensor Version,First Seen,Last Seen,Site,Host Groups,Tags,Last Logged In User,Status',
    );
    const [header, ...data] = rows(csv);
    const col = (n: string) => header!.indexOf(n);
    const byHost = new Map<string, string[][]>();
    for (const r of data) {
      expect(r).toHaveLength(15);
      expect(r[col('Host ID')]).toMatch(/^[0-9a-f]{32}$/);
      expect(['Windows', 'Mac', 'Linux']).toContain(r[col('Platform')]);
      expect(['Workstation', 'Server', 'Domain Controller']).toContain(r[col('Product Type')]);
      expect(r[col('Sensor Version')]).toMatch(/^7\.\d+\.\d+\.0$/);
      expect(r[col('Last Seen')]).toMatch(/^2024-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(r[col('Host Groups')]).toMatch(/^Ring - (Test|First|Fast|Broad), /);
      byHost.set(r[0]!, [...(byHost.get(r[0]!) ?? []), r]);
    }
    const dups = [...byHost.values()].filter((g) => g.length > 1);
    expect(dups.length).toBeGreaterThan(10);
    for (const g of dups) {
      expect(g).toHaveLength(2);
      const [old, cur] = g as [string[], string[]];
      expect(old[col('Host ID')]).not.toBe(cur[col('Host ID')]);
      expect(old[col('Last Seen')]! < '2024-07-19').toBe(true);
      expect(old[col('Serial Number')]).toBe(cur[col('Serial Number')]);
    }
    const sensors = data.filter((r) => r[col('Platform')] === 'Windows').map((r) => r[col('Sensor Version')]!);
    expect(sensors.some((v) => v.startsWith('7.10.'))).toBe(true);
    expect(sensors.some((v) => v.startsWith('7.16.'))).toBe(true);
    expect(data.some((r) => r[col('Product Type')] === 'Domain Controller')).toBe(true);
    expect(data.some((r) => [...r[0]!].some((ch) => ch.charCodeAt(0) > 127))).toBe(true); // Zürich tills
    expect(data.some((r) => r[0]!.length > 15)).toBe(true); // longer than NetBIOS
  });

  it('writes Intune with a BOM, CRLF, the full header, and names that differ from Falcon only in case', () => {
    const csv = text('intune-devices.csv', 3000, 7);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.split('\r\n')[0]).toContain('Device ID,Device name,Enrollment date,Last check-in,Azure AD Device ID');
    const [header, ...data] = rows(csv);
    expect(header).toHaveLength(53);
    const col = (n: string) => header!.indexOf(n);
    for (const r of data) {
      expect(r).toHaveLength(53);
      expect(r[col('Enrollment date')]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{7}$/);
      expect(r[col('Azure AD Device ID')]).toMatch(/^[0-9a-f-]{36}$/);
    }
    const falcon = new Map(
      rows(text('falcon-hosts.csv', 3000, 7))
        .slice(1)
        .map((r) => [r[2]!, r[0]!]),
    );
    let caseOnly = 0;
    for (const r of data) {
      const host = falcon.get(r[col('Serial number')]!);
      expect(host, `serial ${r[col('Serial number')]} is in Falcon`).toBeDefined();
      if (host !== r[col('Device name')] && host!.toLowerCase() === r[col('Device name')]!.toLowerCase()) caseOnly++;
    }
    expect(caseOnly).toBeGreaterThan(10);
  });

  it('generates valid recovery passwords by the checksum rule and deliberately invalid ones that fail it', () => {
    let valid = 0;
    let invalid = 0;
    for (const d of population({ devices: 4000, seed: 11 })) {
      for (const k of keyRowsFor(d, 11)) {
        expect(k.keyId).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}\}$/);
        expect(k.password).toMatch(/^(\d{6}-){7}\d{6}$/);
        expect(dislockerValid(k.password)).toBe(k.valid);
        expect(isValidRecoveryPassword(k.password)).toBe(k.valid);
        if (k.valid) valid++;
        else invalid++;
      }
    }
    expect(invalid).toBeGreaterThan(10);
    expect(invalid / (valid + invalid)).toBeLessThan(0.03);
    expect(isValidRecoveryPassword('123456-123456-123456-123456-123456-123456-123456-123456')).toBe(false);
  });

  it('writes AD distinguished names (15-character CN) and Entra short names in the key export', () => {
    const [header, ...data] = rows(text('bitlocker-keys.csv', 3000, 7));
    expect(header).toEqual(['Hostname', 'KeyID', 'RecoveryKey', 'Directory']);
    const ad = data.filter((r) => r[3] === 'ActiveDirectory');
    const entra = data.filter((r) => r[3] === 'EntraID');
    expect(ad.length).toBeGreaterThan(100);
    expect(entra.length).toBeGreaterThan(100);
    for (const r of ad) {
      expect(r[0]).toMatch(/^CN=[^,]{1,15},OU=.+,DC=corp,DC=example,DC=com$/);
    }
    for (const r of entra) expect(r[0]).not.toContain('CN=');
  });

  it('writes the rollout log with the channel 291 story inside the window', () => {
    const [header, ...data] = rows(text('rollout-events.csv', 2000, 5));
    expect(header!.join(',')).toBe(
      'timestamp_utc,source,device_key,hostname_raw,ring,package,version_from,version_to,state,error_code_hex,detail',
    );
    const states = new Set(data.map((r) => r[8]));
    for (const s of ['installed', 'crashed', 'rebooted', 'recovered', 'fixed', 'failed', 'online'])
      expect(states).toContain(s);
    for (const r of data) {
      expect(r[0]).toMatch(/^2024-07-\d\dT\d\d:\d\d:\d\dZ$/);
      if (r[7] === '291-bad') expect(r[0]! >= '2024-07-19T04:09:00Z' && r[0]! <= '2024-07-19T05:27:00Z').toBe(true);
      if (r[8] === 'crashed') expect([r[9], r[10]]).toEqual(['0x50', 'BugCheck 0x50']);
      if (r[8] === 'fixed') expect(r[1]).toBe('manual');
      if (r[8] === 'failed') expect(r[10]).toBe('needs reimage');
    }
    expect(data.some((r) => r[3]!.endsWith('.corp.example.com'))).toBe(true);
  });

  it('has the fleet shape asked for: about 1/1/9/89 % rings, at least 10 sites, mostly Windows', () => {
    const t = computeGroundTruth({ devices: 20_000, seed: 1907 });
    const share = (ring: string) => t.byRing.find((r) => r.ring === ring)!.devices / t.devices;
    expect(share('Test')).toBeGreaterThan(0.005);
    expect(share('Test')).toBeLessThan(0.02);
    expect(share('First')).toBeGreaterThan(0.005);
    expect(share('First')).toBeLessThan(0.02);
    expect(share('Fast')).toBeGreaterThan(0.07);
    expect(share('Fast')).toBeLessThan(0.11);
    expect(share('Broad')).toBeGreaterThan(0.85);
    expect(t.bySite.filter((s) => s.devices > 0).length).toBeGreaterThanOrEqual(10);
    expect(t.platforms.Windows! / t.devices).toBeGreaterThan(0.8);
    expect(t.platforms.Mac).toBeGreaterThan(0);
    expect(t.platforms.Linux).toBeGreaterThan(0);
    const affected = t.byRing.reduce((n, r) => n + r.affected, 0);
    const recovered = t.byRing.reduce((n, r) => n + r.recovered, 0);
    expect(recovered / affected).toBeGreaterThan(0.35);
    expect(recovered / affected).toBeLessThan(0.45);
    const healthy = t.states.exposed_healthy / t.byRing.reduce((n, r) => n + r.exposed, 0);
    expect(healthy).toBeGreaterThan(0.01);
    expect(healthy).toBeLessThan(0.08);
    expect(t.states.needs_reimage).toBeGreaterThan(0);
    expect(t.staleDuplicates / t.devices).toBeGreaterThan(0.005);
    expect(t.keys.unmatched).toBeGreaterThan(0);
    expect(t.events / t.devices).toBeGreaterThan(4);
    expect(t.events / t.devices).toBeLessThan(6);
  });

  it('keeps its ground truth internally consistent and equal to the files', () => {
    const opts = { devices: 5000, seed: 3 };
    const t = computeGroundTruth(opts);
    for (const groups of [t.byRing, t.bySite]) {
      const sum = (k: 'devices' | 'exposed' | 'affected' | 'recovered' | 'fixed' | 'remaining') =>
        groups.reduce((n, g) => n + g[k], 0);
      expect(sum('devices')).toBe(t.devices);
      expect(sum('affected')).toBe(AFFECTED_STATES.reduce((n, s) => n + t.states[s], 0));
      expect(sum('recovered')).toBe(t.states.self_recovered);
      expect(sum('fixed')).toBe(t.states.fixed);
      expect(sum('exposed')).toBe(sum('affected') + t.states.exposed_healthy);
      for (const g of groups) expect(g.remaining).toBe(g.affected - g.recovered - g.fixed);
    }
    expect(DEVICE_STATES.reduce((n, s) => n + t.states[s], 0)).toBe(t.devices);
    expect(t.keys.valid + t.keys.invalid).toBe(t.keys.total);
    expect(t.records).toBe(t.devices + t.staleDuplicates);

    const lines = (name: SampleExportName) => text(name, opts.devices, opts.seed).split('\n').length - 2; // header, final newline
    for (const name of SAMPLE_EXPORTS) expect(lines(name), name).toBe(t.files[name]);
    expect(t.files['rollout-events.csv']).toBe(t.events);
    const keys = rows(text('bitlocker-keys.csv', opts.devices, opts.seed)).slice(1);
    expect(keys.filter((r) => dislockerValid(r[2]!)).length).toBe(t.keys.valid);
  });
});
