// What a field pack carries, read back by decrypting packs made on a hand-made workspace: routes, keys, run sheet, paths, expiry.
import { beforeAll, describe, expect, test, vi } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import * as format from '../../../../core/field/format.js';
import { createPack, keyStatusOf, packPreview, parseExpiry } from '../../../../core/field/packs.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { findRecoveryPasswords, KEY_MATERIAL, recoveryPassword, T0 } from './helpers.js';

/**
 * The iteration count these packs are sealed with: the real encryptPack, only at a lowered floor (the parameter
 * format.ts has for tests), so a pack costs milliseconds instead of two 600,000-iteration derivations.
 * That createPack itself never writes fewer than 600,000 is checked in merge-rules.test.ts.
 */
const N = 1000;
vi.mock('../../../../core/field/format.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../../core/field/format.js')>();
  return {
    ...real,
    encryptPack: (payload: format.PackPayload, passphrase: string) => real.encryptPack(payload, passphrase, N, N),
  };
});

let SQL: SqlJsStatic;
const PASS = 'correct horse battery staple';
const DAY = 86_400_000;
const K1 = '11111111-aaaa-bbbb-cccc-000000000001';
const K1X = '11111111-ffff-bbbb-cccc-0000000000ff';
const K3 = '33333333-aaaa-bbbb-cccc-000000000003';
const K5 = '55555555-aaaa-bbbb-cccc-000000000005';
const BAD = '123456-111111-222222-333333-444444-555555-666666-777777';
const BAD_WHY = 'group 1 of the recovery password is not divisible by 11 (checksum)';
const NOT_WINDOWS = 'Not a Windows machine: not affected by channel file 291. Confirm it boots and mark the result.';
const HP = 'HP EliteBook 840 G8';

beforeAll(async () => {
  SQL = await loadSqlJs();
});

/**
 * LON: PC-1 (Windows, one valid key K1 and one invalid K1X), PC-2 (no platform recorded, so Windows; no key),
 * PC-3 (Windows, only the invalid K3), PC-4 (macOS, no key), PC-6 (Windows, fixed: not in a site pack).
 * NYC: PC-5 (Windows, valid K5).
 */
async function workspace(): Promise<Workspace> {
  const ws = await openWorkspace({ SQL, bytes: null, keyMaterial: KEY_MATERIAL, now: () => T0, actor: 'lead' });
  const devices: Array<[number, string, string | null, string]> = [
    [1, 'LON', 'windows', 'needs_fix'],
    [2, 'LON', null, 'needs_fix'],
    [3, 'LON', 'windows', 'needs_fix'],
    [4, 'LON', 'macos', 'needs_fix'],
    [5, 'NYC', 'windows', 'needs_fix'],
    [6, 'LON', 'windows', 'fixed'],
  ];
  for (const [id, site, platform, state] of devices)
    ws.db.run(
      `INSERT INTO devices(id, hostname, host_key, serial, site, ring, platform, model, state, first_seen, last_seen)
       VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
      [id, `PC-${id}`, `PC-${id}`, `S${id}`, site, `ring-${id}`, platform, HP, state, T0 - DAY, T0],
    );
  const key = async (deviceId: number, keyId: string, pw: string, problem: string | null) =>
    ws.db.run('INSERT INTO keys(device_id, key_id, secret, fingerprint, valid, problem) VALUES (?,?,?,?,?,?)', [
      deviceId,
      keyId,
      await ws.box.seal(pw),
      await ws.box.fingerprint(pw),
      problem ? 0 : 1,
      problem,
    ]);
  await key(1, K1, recoveryPassword(1), null);
  await key(1, K1X, BAD, BAD_WHY);
  await key(3, K3, BAD, BAD_WHY);
  await key(5, K5, recoveryPassword(5), null);
  return ws;
}

const open = (bytes: Uint8Array) => format.decryptPack(bytes, PASS, T0, N);

describe('the payload of a site pack', () => {
  test('a site pack carries its own devices still to fix, each key once with its validity, and no other site’s key', async () => {
    const ws = await workspace();
    const pack = await createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-26' });
    const p = await open(pack.bytes);
    expect(p.site).toBe('LON');
    expect(p.technician).toBeNull();
    expect(p.created).toBe(T0);
    expect(p.expires).toBe(Date.UTC(2024, 6, 26, 23, 59, 59, 999));
    // The audit head as it stood when the pack was sealed: after the three script generations, before its own entry.
    const before = ws.db.get<{ seq: number; hash: string }>(
      "SELECT seq, hash FROM audit WHERE seq < (SELECT seq FROM audit WHERE action = 'pack.create') ORDER BY seq DESC",
    )!;
    expect(p.audit).toMatchObject({ count: before.seq, head: before.hash });
    expect(p.audit!.mac).toMatch(/^[0-9a-f]{32}$/);
    expect(p.devices.map((d) => d.hostname)).toEqual(['PC-1', 'PC-2', 'PC-3', 'PC-4']);
    expect(p.devices.map((d) => d.keys)).toEqual([
      [
        { keyId: K1, recoveryPassword: recoveryPassword(1), valid: true },
        { keyId: K1X, recoveryPassword: BAD, valid: false },
      ],
      [],
      [{ keyId: K3, recoveryPassword: BAD, valid: false }],
      [],
    ]);
    expect(p.devices[0]).toMatchObject({ serial: 'S1', model: HP, site: 'LON', ring: 'ring-1', state: 'needs_fix' });
    expect(pack).toMatchObject({ devices: 4, keys: 3, expires: p.expires });
    expect(pack.fileName).toBe('ringside-LON-2024-07-19.ringpack');
    // Every carried key, valid or not, goes on the rotation list and into the audit entry (IDs only).
    const rotation = ws.db.all<{ key_id: string }>('SELECT key_id FROM key_rotation ORDER BY key_id');
    expect(rotation.map((r) => r.key_id)).toEqual([K1, K1X, K3]);
    const entry = JSON.parse(ws.db.value("SELECT detail FROM audit WHERE action = 'pack.create'") as string);
    expect(entry).toMatchObject({ site: 'LON', devices: 4, keyIds: [K1, K1X, K3], technician: null });
    expect(entry.expires).toBe('2024-07-26T23:59:59.999Z');
  });

  test('the steps name only valid key IDs; a device with none starts on Safe Mode, with why', async () => {
    const ws = await workspace();
    const pack = await createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-26' });
    const [pc1, pc2, pc3] = (await open(pack.bytes)).devices;
    expect(pc1).toMatchObject({ route: 'winre-key', keyStatus: { valid: true } });
    // One valid ID: named alone, with no "or another listed ID" (K1X is invalid and so not offered).
    expect(pc1!.steps[1]).toBe(
      `Reveal the key in Ringside; its key ID must match the one on the BitLocker screen (${K1.toUpperCase()}).`,
    );
    expect(pc1!.procedures!.map((x) => x.id)).toEqual(['winre-key', 'winre-safe-mode', 'safe-mode', 'reimage']);
    expect(pc1!.procedures![0]!.steps[2]!.parts[1]).toEqual({
      kind: 'command',
      text: 'manage-bde -unlock C: -RecoveryPassword',
      keyId: K1,
    });
    expect(pc2).toMatchObject({
      route: 'safe-mode',
      keyStatus: { valid: false, reason: 'none-imported', detail: 'no recovery key was imported for it' },
    });
    expect(pc2!.steps[0]).toMatch(/Startup Settings > Restart, then press 4 \(Enable Safe Mode\)\.$/);
    expect(pc3).toMatchObject({
      route: 'safe-mode',
      keyStatus: { valid: false, reason: 'invalid-checksum', detail: `1 key(s), none valid: ${BAD_WHY}` },
    });
    // No valid key: the WinRE procedure carried for it says so instead of naming a key ID.
    expect(pc3!.procedures![0]!.steps[1]!.parts[0]).toEqual({
      kind: 'prose',
      text: 'This device has no valid recovery key in the pack: use the Safe Mode procedure instead.',
    });
    expect(pack.noKey.map((n) => [n.hostname, n.reason, n.choice])).toEqual([
      ['PC-2', 'none-imported', 'safe-mode'],
      ['PC-3', 'invalid-checksum', 'safe-mode'],
    ]);
  });

  test('a machine that is not Windows gets the one non-Windows step and no procedures, route or key status', async () => {
    const ws = await workspace();
    const pack = await createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-26' });
    const pc4 = (await open(pack.bytes)).devices[3]!;
    expect(pc4.hostname).toBe('PC-4');
    expect(pc4.steps).toEqual([NOT_WINDOWS]);
    expect(Object.keys(pc4).filter((k) => ['procedures', 'route', 'keyStatus'].includes(k))).toEqual([]);
    expect(pc4.modelNotes).toEqual([
      'Boot menu: Esc then F9; recovery: F11',
      'Storage: Intel VMD on G8+, WinPE may need the IRST driver',
    ]);
    // Not Windows, so not "without a key" either.
    expect(pack.noKey.map((n) => n.hostname)).not.toContain('PC-4');
  });

  test('scripts: the WinRE and Safe Mode routes of the engine, without keys; the run sheet per Windows device', async () => {
    const ws = await workspace();
    const pack = await createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-26', technician: 'tech-a' });
    const p = await open(pack.bytes);
    expect(p.technician).toBe('tech-a');
    expect(Object.keys(p.scripts).sort()).toEqual(['cs-channel-291/safe-mode-cmd.cmd', 'cs-channel-291/winre-cmd.cmd']);
    // withKeys false: the WinRE script names K1's ID for the unlock but never a password (the pack has them apart).
    const winre = p.scripts['cs-channel-291/winre-cmd.cmd']!;
    expect(winre.toLowerCase()).toContain(K1);
    expect(findRecoveryPasswords(winre)).toEqual([]);
    expect(winre).not.toContain(recoveryPassword(1));
    const safe = p.scripts['cs-channel-291/safe-mode-cmd.cmd']!;
    expect(safe).toMatch(/safeboot/);
    // Both routes are generated for the pack's devices only: NYC's PC-5 and its key are in neither.
    expect(winre.toLowerCase()).not.toContain(K5);
    const target = (script: string) => script.split(/\r?\n/).find((l) => l.includes('Target:'));
    expect(target(winre)).toMatch(/Target:/);
    expect(target(safe)).toBe(target(winre));
    expect(p.runSheet).not.toContain(recoveryPassword(1));
    const generation = ws.db.value<number>(
      "SELECT id FROM remediation_generations WHERE route = 'winre-cmd' ORDER BY id DESC LIMIT 1",
    );
    expect(p.stepsSource).toBe(
      `remediation playbook cs-channel-291 (routes winre-cmd and runsheet, generation ${generation})`,
    );
    // The pack's own table first, then the engine's page per device recorded as Windows (PC-1, PC-3: the engine
    // selects by platform, so PC-2 with none recorded gets no page), pages split by form feeds.
    const lines = p.runSheet.split('\n');
    expect(lines.slice(0, 10)).toEqual([
      'Ringside field pack run sheet for site LON',
      'Created 2024-07-19T12:00:00.000Z - expires 2024-07-26T23:59:59.999Z',
      '4 device(s). Recovery keys are in the pack only, shown one at a time on request.',
      '',
      'Host | Serial | Model | Ring | State | Key IDs | Path | Result',
      `PC-1 | S1 | ${HP} | ring-1 | needs_fix | ${K1} ${K1X} | winre-key | ____`,
      `PC-2 | S2 | ${HP} | ring-2 | needs_fix |  | safe-mode (no valid key: no recovery key was imported for it) | ____`,
      `PC-3 | S3 | ${HP} | ring-3 | needs_fix | ${K3} | safe-mode (no valid key: 1 key(s), none valid: ${BAD_WHY}) | ____`,
      `PC-4 | S4 | ${HP} | ring-4 | needs_fix |  | winre-key | ____`,
      '',
    ]);
    const pages = p.runSheet.split('\n\f\n');
    expect(pages).toHaveLength(2);
    expect(pages[0]!.split('Procedures (the Path column')[1]).toMatch(/PC-1/);
    expect(['PC-1', 'PC-2', 'PC-3', 'PC-4'].filter((h) => pages[1]!.includes(h))).toEqual(['PC-3']);
  });
});

describe('the payload of a device pack', () => {
  test('devices from two sites: no site, the file named "devices", the header without a site; per-device choices', async () => {
    const ws = await workspace();
    const pack = await createPack(ws, {
      deviceIds: [5, 3, 2, 5],
      passphrase: PASS,
      expiresAt: '2024-07-20',
      withoutKey: { all: 'reimage', devices: { 3: 'exclude' } },
    });
    const p = await open(pack.bytes);
    expect(p.site).toBeNull();
    expect(pack.fileName).toBe('ringside-devices-2024-07-19.ringpack');
    expect(p.runSheet.split('\n')[0]).toBe('Ringside field pack run sheet');
    expect(p.devices.map((d) => [d.hostname, d.route])).toEqual([
      ['PC-2', 'reimage'],
      ['PC-5', 'winre-key'],
    ]);
    expect(p.devices[1]!.keys).toEqual([{ keyId: K5, recoveryPassword: recoveryPassword(5), valid: true }]);
    expect(pack.noKey.map((n) => [n.hostname, n.choice])).toEqual([
      ['PC-2', 'reimage'],
      ['PC-3', 'exclude'],
    ]);
    expect(ws.db.value('SELECT site IS NULL FROM packs WHERE id = ?', [pack.packId])).toBe(1);
  });

  test('devices of one site take that site; an unknown choice is refused naming the device', async () => {
    const ws = await workspace();
    const pack = await createPack(ws, { deviceIds: [1, 2], passphrase: PASS, expiresAt: '2024-07-20' });
    expect((await open(pack.bytes)).site).toBe('LON');
    expect(pack.fileName).toBe('ringside-LON-2024-07-19.ringpack');
    await expect(
      createPack(ws, {
        deviceIds: [2],
        passphrase: PASS,
        expiresAt: '2024-07-20',
        withoutKey: { all: 'bogus' as never },
      }),
    ).rejects.toThrow('device PC-2: unknown choice bogus');
  });

  test('a site name with other characters is written into the file name as underscores', async () => {
    const ws = await workspace();
    ws.db.run("UPDATE devices SET site = 'LON 2/B' WHERE site = 'LON'");
    const pack = await createPack(ws, { site: 'LON 2/B', passphrase: PASS, expiresAt: '2024-07-20' });
    expect(pack.fileName).toBe('ringside-LON_2_B-2024-07-19.ringpack');
  });

  test('no Windows machine: the engine refuses, and the pack falls back to the local steps and run sheet', async () => {
    const ws = await workspace();
    const pack = await createPack(ws, { deviceIds: [4], passphrase: PASS, expiresAt: '2024-07-20' });
    const p = await open(pack.bytes);
    expect(Object.keys(p.scripts)).toEqual(['fix-cs-291-winre.cmd']);
    expect(p.stepsSource).toBe(
      'ringside field fallback steps (channel-file-291 manual fix); remediation playbooks not wired yet (no files generated)',
    );
    // Only the pack's own table: no engine pages, and no procedures (no device has any).
    expect(p.runSheet).toBe(
      [
        'Ringside field pack run sheet for site LON',
        'Created 2024-07-19T12:00:00.000Z - expires 2024-07-20T23:59:59.999Z',
        '1 device(s). Recovery keys are in the pack only, shown one at a time on request.',
        '',
        'Host | Serial | Model | Ring | State | Key IDs | Path | Result',
        `PC-4 | S4 | ${HP} | ring-4 | needs_fix |  | winre-key | ____`,
        '',
      ].join('\n'),
    );
  });
});

describe('the expiry date', () => {
  const endOf26 = Date.UTC(2024, 6, 26, 23, 59, 59, 999);

  test('a date with spaces around it is still a date: the end of that day, UTC', () => {
    expect(parseExpiry(' 2024-07-26 ', T0)).toBe(endOf26);
    expect(parseExpiry('2024-07-26\n', T0)).toBe(endOf26);
  });

  test('only a whole YYYY-MM-DD is a day: a time after it, or text before it, is read as a time', () => {
    expect(parseExpiry('2024-07-26T10:00:00Z', T0)).toBe(Date.UTC(2024, 6, 26, 10));
    // A six-digit year before it: an ISO date Date.parse reads as midnight UTC, not the end of the day.
    expect(parseExpiry('+002024-07-26', T0)).toBe(Date.UTC(2024, 6, 26));
    expect(() => parseExpiry('x2024-07-26', T0)).toThrow('expiry "x2024-07-26" is not a date');
  });

  test('31 days to the millisecond is allowed, by a date or a time; the day after is refused', () => {
    // T0 is 2024-07-19 12:00 UTC: the end of 19 August is 31 d 11 h 59 min away, the end of 18 August 30 d 11 h 59 min.
    expect(parseExpiry('2024-08-18', T0)).toBe(Date.UTC(2024, 7, 18, 23, 59, 59, 999));
    expect(() => parseExpiry('2024-08-19', T0)).toThrow('a field pack may live at most 31 days');
    expect(parseExpiry('2024-08-19T12:00:00.000Z', T0)).toBe(T0 + 31 * DAY);
    expect(() => parseExpiry('2024-08-19T12:00:00.001Z', T0)).toThrow('at most 31 days');
  });
});

describe('what the preview counts', () => {
  test('a site preview: an empty device list means the site; a machine that is not Windows is never "without a key"', async () => {
    const ws = await workspace();
    // LON still to fix: PC-1..PC-4. Without a key: PC-2 (none) and PC-3 (invalid). Keys counted: PC-1's valid K1 only.
    expect(packPreview(ws, { site: 'LON', deviceIds: [] })).toEqual({
      site: 'LON',
      devices: 4,
      withKey: 2,
      keys: 1,
      noKey: [
        { id: 2, hostname: 'PC-2', reason: 'none-imported', detail: 'no recovery key was imported for it' },
        { id: 3, hostname: 'PC-3', reason: 'invalid-checksum', detail: `1 key(s), none valid: ${BAD_WHY}` },
      ],
    });
  });

  test('why a key is not usable: no problem recorded, two passwords under one ID, only other volumes', () => {
    const row = (key_id: string, valid: number, fingerprint: string, volume_type: string | null = null) => ({
      key_id,
      valid,
      problem: null,
      volume_type,
      fingerprint,
    });
    expect(keyStatusOf([row(K1, 0, 'a')]).detail).toBe('1 key(s), none valid: invalid recovery password');
    expect(keyStatusOf([row(K1, 1, 'a'), row(K1, 1, 'b')]).detail).toBe(
      'key ID 11111111-AAAA-BBBB-CCCC-000000000001 has 2 different passwords',
    );
    expect(keyStatusOf([row(K1, 1, 'a', 'Fixed data drive'), row(K3, 1, 'c', 'Removable data drive')]).detail).toBe(
      'its key IDs are for other volumes (Fixed data drive, Removable data drive), not the OS volume',
    );
  });
});

describe('the passphrase', () => {
  // Scores from zxcvbn-ts with its bundled dictionaries: "ringsidepack" is 3 of 4 alone, 1 once "ringside" is a
  // word an attacker tries first; a random 16-character site name is 4 alone and 1 once it is that word.
  test('the product name is a word an attacker tries first: "ringsidepack" is refused', async () => {
    const ws = await workspace();
    await expect(createPack(ws, { site: 'LON', passphrase: 'ringsidepack', expiresAt: '2024-07-20' })).rejects.toThrow(
      /^the pack passphrase is too easy to guess/,
    );
  });

  test('so is the site name: a passphrase equal to it is refused for that site and accepted for another', async () => {
    const ws = await workspace();
    const name = 'Qz7vXk2pWm9rTb4L';
    ws.db.run('UPDATE devices SET site = ? WHERE site = ?', [name, 'NYC']);
    await expect(createPack(ws, { site: name, passphrase: name, expiresAt: '2024-07-20' })).rejects.toThrow(
      /^the pack passphrase is too easy to guess/,
    );
    const other = await createPack(ws, { site: 'LON', passphrase: name, expiresAt: '2024-07-20' });
    expect(other.devices).toBe(4);
  });
});
