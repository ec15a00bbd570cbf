// Field packs: encryption and header authentication, expiry and passphrase refusals, audited creation, rotation list, merge-back.
import { beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { decryptPack, readPackHeader } from '../../../../core/field/format.js';
import { mergeResults, resultsFromPack } from '../../../../core/field/merge.js';
import { rotationCsv, rotationList } from '../../../../core/field/pack-lists.js';
import { createPack } from '../../../../core/field/packs.js';
import { verifyAudit } from '../../../../core/store/audit.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { fieldWorkspace, findRecoveryPasswords, recoveryPassword, T0 } from './helpers.js';

let SQL: SqlJsStatic;
const PASS = 'correct horse battery staple';
beforeAll(async () => {
  SQL = await loadSqlJs();
});

describe('createPack', () => {
  test('one encrypted file with only that site’s devices and keys; header readable and authenticated', async () => {
    const ws = await fieldWorkspace(SQL);
    const pack = await createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-26', technician: 'tech-a' });
    expect(pack.fileName).toMatch(/^ringside-LON-2024-07-19\.ringpack$/);
    expect(findRecoveryPasswords(new TextDecoder('latin1').decode(pack.bytes))).toEqual([]);
    const h = readPackHeader(pack.bytes);
    expect(h).toMatchObject({ site: 'LON', devices: 6, kdf: { name: 'PBKDF2', iterations: 600_000 } });
    const p = await decryptPack(pack.bytes, PASS, T0);
    expect(p.devices.map((d) => d.hostname)).toEqual(['PC-1', 'PC-2', 'PC-3', 'PC-4', 'PC-5', 'PC-6']);
    expect(p.devices[0]!.keys[0]!.recoveryPassword).toBe(recoveryPassword(1));
    expect(p.devices.flatMap((d) => d.keys.map((k) => k.recoveryPassword))).not.toContain(recoveryPassword(7));
    expect(p.devices[0]!.steps.join(' ')).toMatch(/C-00000291\*\.sys/);
    expect(p.devices[0]!.modelNotes.join(' ')).toMatch(/F9/);
    // Scripts and run sheets from the remediation engine, without recovery passwords in them.
    expect(p.stepsSource).toMatch(/^remediation playbook cs-channel-291/);
    expect(Object.keys(p.scripts).length).toBeGreaterThan(0);
    expect(findRecoveryPasswords(JSON.stringify(p.scripts) + p.runSheet)).toEqual([]);
    expect(p.runSheet).toMatch(/PC-1/);
    // Audited with key IDs, never keys; every packed key is on the rotation list.
    const a = ws.db.get<{ action: string; detail: string }>(
      "SELECT action, detail FROM audit WHERE action = 'pack.create'",
    )!;
    expect(JSON.parse(a.detail)).toMatchObject({ packId: pack.packId, site: 'LON', devices: 6 });
    expect(JSON.parse(a.detail).keyIds).toHaveLength(6);
    expect(findRecoveryPasswords(a.detail)).toEqual([]);
    expect(rotationList(ws).map((r) => r.hostname)).toEqual(['PC-1', 'PC-2', 'PC-3', 'PC-4', 'PC-5', 'PC-6']);
    expect(rotationCsv(ws).split('\r\n')[0]).toBe('key_id,device_id,hostname,reasons,first_exposed_utc,refs');
    expect(verifyAudit(ws.db).ok).toBe(true);
  });

  test('an expired pack, a wrong passphrase and an edited header each refuse with a clear message', async () => {
    const ws = await fieldWorkspace(SQL);
    const pack = await createPack(ws, { site: 'NYC', passphrase: PASS, expiresAt: '2024-07-20' });
    await expect(decryptPack(pack.bytes, PASS, Date.parse('2024-07-21T00:00:00Z'))).rejects.toThrow(
      /expired on 2024-07-20 23:59 UTC and will not open/,
    );
    await expect(decryptPack(pack.bytes, 'wrong passphrase!!', T0)).rejects.toThrow(/Wrong passphrase/);
    // Extending the expiry in the plaintext header breaks the authentication tag.
    const text = new TextDecoder('latin1').decode(pack.bytes);
    const later = String(Date.parse('2024-08-10T00:00:00Z'));
    const forged = Uint8Array.from(text.replace(/"expires":\d+/, `"expires":${later}`), (c) => c.charCodeAt(0));
    await expect(decryptPack(forged, PASS, Date.parse('2024-07-21T00:00:00Z'))).rejects.toThrow(/altered/);
    expect(() => readPackHeader(new TextEncoder().encode('PK\u0003\u0004 not a pack\n{}\n'))).toThrow(/not a Ringside/);
  });

  test('refuses past or far expiries, short passphrases and empty selections', async () => {
    const ws = await fieldWorkspace(SQL);
    await expect(createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-01' })).rejects.toThrow(/past/);
    await expect(createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: '2024-12-01' })).rejects.toThrow(/31 days/);
    await expect(createPack(ws, { site: 'LON', passphrase: 'short', expiresAt: '2024-07-25' })).rejects.toThrow(
      /12 characters/,
    );
    await expect(createPack(ws, { site: 'XXX', passphrase: PASS, expiresAt: '2024-07-25' })).rejects.toThrow(
      /no device/,
    );
  });
});

test('a key revealed in the console goes on the rotation list, once', async () => {
  const ws = await fieldWorkspace(SQL);
  const { applyAction } = await import('../../../../core/session.js');
  const reveal = {
    type: 'key.reveal' as const,
    keyId: '00000002-aaaa-bbbb-cccc-000000000002',
    deviceId: 2,
    reason: 'call',
    at: T0,
  };
  await applyAction(ws, reveal);
  await applyAction(ws, reveal);
  expect(rotationList(ws)).toEqual([
    expect.objectContaining({ keyId: reveal.keyId, hostname: 'PC-2', reasons: 'revealed' }),
  ]);
  expect(ws.db.value("SELECT count(*) FROM audit WHERE action = 'key.reveal'")).toBe(2);
});

describe('mergeResults', () => {
  test('signed results merge once; duplicates are ignored; a tampered file is refused and audited', async () => {
    const ws = await fieldWorkspace(SQL);
    const pack = await createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-26' });
    // The lead merges two hours later: the records (made one hour after the pack) are not in the merge's future.
    Object.assign(ws, { now: () => T0 + 2 * 3600e3 });
    const file = await resultsFromPack(pack.bytes, PASS, T0 + 3600e3, 'tech-a', [
      { host: 'pc-1', result: 'fixed', keyIdUsed: '00000001-aaaa-bbbb-cccc-000000000001' },
      { host: 'PC-2', result: 'needs_reimage' },
    ]);
    const r1 = await mergeResults(ws, file, 'a.ringresults');
    expect(r1).toMatchObject({ added: 2, duplicates: 0, rejected: [] });
    // recompute ran: the devices' states follow the field results.
    expect(ws.db.all('SELECT id, state FROM devices WHERE id <= 2 ORDER BY id')).toEqual([
      { id: 1, state: 'fixed' },
      { id: 2, state: 'needs_reimage' },
    ]);
    const r2 = await mergeResults(ws, file, 'a-copy.ringresults');
    expect(r2).toMatchObject({ added: 0, duplicates: 2, alreadyMerged: true });
    expect(ws.db.value('SELECT count(*) FROM results')).toBe(2);

    const tampered = new TextDecoder().decode(file).replace('"needs_reimage"', '"fixed"');
    await expect(mergeResults(ws, new TextEncoder().encode(tampered), 'b.ringresults')).rejects.toThrow(
      /b\.ringresults: .*signature does not match/,
    );
    expect(ws.db.value("SELECT count(*) FROM audit WHERE action = 'results.rejected'")).toBe(1);
    expect(ws.db.value('SELECT count(*) FROM results')).toBe(2);
    await expect(resultsFromPack(pack.bytes, PASS, T0, 't', [{ host: 'PC-7', result: 'fixed' }])).rejects.toThrow(
      /not in this pack/,
    );
  });

  test('a results file for a pack made elsewhere is refused', async () => {
    const ws = await fieldWorkspace(SQL);
    const other = await fieldWorkspace(SQL);
    const pack = await createPack(other, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-26' });
    const file = await resultsFromPack(pack.bytes, PASS, T0, 'tech-a', [{ host: 'PC-1', result: 'fixed' }]);
    await expect(mergeResults(ws, file)).rejects.toThrow(/did not create/);
  });
});
