// Devices without a valid recovery key are named before a pack is made (with why), then left out or carried with Safe Mode / reimage.
import { beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { decryptPack } from '../../../../core/field/format.js';
import { createPack, keyStatusOf, packPreview } from '../../../../core/field/packs.js';
import { CS_FILES, procedureFor, procedures, stepText } from '../../../../core/field/steps.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { fieldWorkspace, findRecoveryPasswords, recoveryPassword, T0 } from './helpers.js';
import type { Workspace } from '../../../../core/workspace.js';

let SQL: SqlJsStatic;
const PASS = 'correct horse battery staple';
beforeAll(async () => {
  SQL = await loadSqlJs();
});

/**
 * The field workspace (PC-1..PC-6 at LON, one valid key each) with four devices made keyless, each for another reason:
 * PC-2 none imported, PC-3 invalid checksum, PC-4 two passwords under one key ID, PC-5 only a data-drive key.
 */
async function mixed(): Promise<Workspace> {
  const ws = await fieldWorkspace(SQL);
  ws.db.run('DELETE FROM keys WHERE device_id IN (2, 3, 5)');
  const bad = '123456-111111-222222-333333-444444-555555-666666-777777';
  ws.db.run('INSERT INTO keys(device_id, key_id, secret, fingerprint, valid, problem) VALUES (3,?,?,?,0,?)', [
    '33333333-aaaa-bbbb-cccc-000000000003',
    await ws.box.seal(bad),
    await ws.box.fingerprint(bad),
    'group 1 of the recovery password is not divisible by 11 (checksum)',
  ]);
  const other = recoveryPassword(44);
  ws.db.run('INSERT INTO keys(device_id, key_id, secret, fingerprint, valid) VALUES (4,?,?,?,1)', [
    '00000004-aaaa-bbbb-cccc-000000000004',
    await ws.box.seal(other),
    await ws.box.fingerprint(other),
  ]);
  const data = recoveryPassword(55);
  ws.db.run('INSERT INTO keys(device_id, key_id, secret, fingerprint, valid, volume_type) VALUES (5,?,?,?,1,?)', [
    '55555555-aaaa-bbbb-cccc-000000000005',
    await ws.box.seal(data),
    await ws.box.fingerprint(data),
    'Fixed data drive',
  ]);
  return ws;
}

describe('devices without a valid key', () => {
  test('the preview names each one with its reason, and no digits', async () => {
    const ws = await mixed();
    const p = packPreview(ws, { site: 'LON' });
    expect(p.devices).toBe(6);
    // Worked out from mixed(): PC-1 and PC-6 keep their one valid key each.
    expect(p.withKey).toBe(2);
    expect(p.keys).toBe(2);
    expect(p.noKey.map((n) => [n.hostname, n.reason])).toEqual([
      ['PC-2', 'none-imported'],
      ['PC-3', 'invalid-checksum'],
      ['PC-4', 'key-id-mismatch'],
      ['PC-5', 'key-id-mismatch'],
    ]);
    expect(p.noKey[1]!.detail).toMatch(/checksum/);
    expect(p.noKey[2]!.detail).toMatch(/2 different passwords/);
    expect(p.noKey[3]!.detail).toMatch(/Fixed data drive/);
    expect(findRecoveryPasswords(JSON.stringify(p))).toEqual([]);
    expect(JSON.stringify(p)).not.toContain('123456-111111');
  });

  test('keyStatusOf: an OS-volume key next to a data-drive key is usable', () => {
    const base = { problem: null, fingerprint: 'a' };
    expect(
      keyStatusOf([
        { ...base, key_id: 'a', valid: 1, volume_type: 'Fixed data drive' },
        { ...base, key_id: 'b', valid: 1, volume_type: 'Operating system drive', fingerprint: 'b' },
      ]),
    ).toEqual({ valid: true });
    expect(keyStatusOf([])).toMatchObject({ valid: false, reason: 'none-imported' });
  });

  test('leave one out, carry one with reimage, the rest with Safe Mode: the pack says so per device', async () => {
    const ws = await mixed();
    const pack = await createPack(ws, {
      site: 'LON',
      passphrase: PASS,
      expiresAt: '2024-07-26',
      withoutKey: { all: 'safe-mode', devices: { 2: 'exclude', 5: 'reimage' } },
    });
    expect(pack.devices).toBe(5);
    expect(pack.noKey.map((n) => [n.hostname, n.choice])).toEqual([
      ['PC-2', 'exclude'],
      ['PC-3', 'safe-mode'],
      ['PC-4', 'safe-mode'],
      ['PC-5', 'reimage'],
    ]);
    const p = await decryptPack(pack.bytes, PASS, T0);
    const by = new Map(p.devices.map((d) => [d.hostname, d]));
    expect([...by.keys()]).toEqual(['PC-1', 'PC-3', 'PC-4', 'PC-5', 'PC-6']);
    expect(by.get('PC-1')!.route).toBe('winre-key');
    expect(by.get('PC-3')!.route).toBe('safe-mode');
    expect(by.get('PC-5')!.route).toBe('reimage');
    expect(by.get('PC-3')!.keyStatus).toMatchObject({ valid: false, reason: 'invalid-checksum' });
    // Every device carries all four procedures.
    for (const d of p.devices)
      expect(d.procedures!.map((x) => x.id)).toEqual(['winre-key', 'winre-safe-mode', 'safe-mode', 'reimage']);
    // The plain-text steps follow the chosen path.
    expect(by.get('PC-3')!.steps.join(' ')).toMatch(/Startup Settings/);
    expect(by.get('PC-1')!.steps.join(' ')).toMatch(/manage-bde -unlock C: -RecoveryPassword/);
    expect(p.runSheet).toMatch(/PC-5 \|.*\| reimage \(no valid key/);
    // Both scripts travel with the pack.
    expect(Object.keys(p.scripts).sort()).toEqual(['cs-channel-291/safe-mode-cmd.cmd', 'cs-channel-291/winre-cmd.cmd']);
    const a = JSON.parse(ws.db.value<string>("SELECT detail FROM audit WHERE action = 'pack.create'")!);
    expect(a.withoutKey).toEqual([
      { deviceId: 2, reason: 'none-imported', choice: 'exclude' },
      { deviceId: 3, reason: 'invalid-checksum', choice: 'safe-mode' },
      { deviceId: 4, reason: 'key-id-mismatch', choice: 'safe-mode' },
      { deviceId: 5, reason: 'key-id-mismatch', choice: 'reimage' },
    ]);
  });

  test('leaving every keyless device out of a pack that has nothing else is refused', async () => {
    const ws = await fieldWorkspace(SQL);
    ws.db.run('DELETE FROM keys');
    await expect(
      createPack(ws, { site: 'NYC', passphrase: PASS, expiresAt: '2024-07-26', withoutKey: { all: 'exclude' } }),
    ).rejects.toThrow(/every device was left out/);
  });
});

describe('procedures', () => {
  test('chosen by the Method field, then by the key the pack holds', () => {
    const withKey = { keyStatus: { valid: true }, route: 'winre-key' as const };
    const noKey = { keyStatus: { valid: false }, route: 'safe-mode' as const };
    expect(procedureFor(withKey, 'WinRE command prompt')).toBe('winre-key');
    expect(procedureFor(noKey, 'WinRE command prompt')).toBe('winre-safe-mode');
    expect(procedureFor(noKey, 'WinPE USB')).toBe('winre-safe-mode');
    expect(procedureFor(withKey, 'Safe mode')).toBe('safe-mode');
    expect(procedureFor(withKey, 'Reimage')).toBe('reimage');
    expect(procedureFor(noKey, 'Other')).toBe('safe-mode');
    expect(procedureFor({}, 'Other')).toBe('winre-key');
  });

  test('each procedure deletes exactly the 291 files; the WinRE ones restart with wpeutil, Safe Mode with shutdown; safeboot is paired', () => {
    const all = procedures(['0000000a-aaaa-bbbb-cccc-00000000000a']);
    const commands = (id: string) =>
      all
        .find((p) => p.id === id)!
        .steps.flatMap((s) => s.parts.filter((x) => x.kind === 'command').map((x) => x.text));
    for (const p of all) {
      const dels = commands(p.id).filter((c) => c.startsWith('del '));
      expect(dels, p.id).toEqual(
        p.id === 'reimage' ? [] : ['del C:\\Windows\\System32\\drivers\\CrowdStrike\\C-00000291*.sys'],
      );
    }
    expect(CS_FILES).toBe('C:\\Windows\\System32\\drivers\\CrowdStrike\\C-00000291*.sys');
    expect(commands('winre-key')).toContain('wpeutil reboot');
    expect(commands('winre-key').some((c) => c.startsWith('shutdown'))).toBe(false);
    expect(commands('winre-key')).toContain('manage-bde -unlock C: -RecoveryPassword');
    const wsm = commands('winre-safe-mode');
    expect(wsm.indexOf('bcdedit /set {default} safeboot minimal')).toBeLessThan(wsm.indexOf('wpeutil reboot'));
    expect(wsm.indexOf('bcdedit /deletevalue {default} safeboot')).toBeLessThan(wsm.indexOf('shutdown /r /t 0'));
    expect(wsm.indexOf('wpeutil reboot')).toBeLessThan(wsm.findIndex((c) => c.startsWith('del ')));
    expect(commands('safe-mode')).not.toContain('wpeutil reboot');
    // The key step names the key ID; the text form never holds a password.
    const keyStep = all[0]!.steps.map(stepText).join('\n');
    expect(keyStep).toContain('0000000A-AAAA-BBBB-CCCC-00000000000A');
    expect(findRecoveryPasswords(keyStep)).toEqual([]);
  });
});
