// Technician crypto in the worker: the page's view of a pack holds no key, a key comes out only by an explicit reveal,
// and results are signed with the pack's key only when every reveal is recorded in them.
import { beforeAll, describe, expect, it } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { decryptPack, unb64, verifyResults, type ResultRecord } from '../../../../core/field/format.js';
import { createPack } from '../../../../core/field/packs.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { technicianVerbs as tech } from '../../../../renderer/db/technician-verbs.js';
import { fieldWorkspace, findRecoveryPasswords, recoveryPassword, T0 } from '../../core/field/helpers.js';

const PASS = 'correct horse battery staple';
const KEY1 = '00000001-aaaa-bbbb-cccc-000000000001';
let SQL: SqlJsStatic;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

async function openedPack() {
  const ws = await fieldWorkspace(SQL);
  const pack = await createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-20' });
  const view = await tech.techOpenPack(pack.bytes, PASS, T0);
  return { pack, view };
}

const record: ResultRecord = {
  deviceId: 1,
  hostname: 'PC-1',
  result: 'fixed',
  method: 'WinRE command prompt',
  at: T0 + 1000,
  technician: 'Sam',
  keyIdUsed: KEY1,
  notes: null,
};

describe('technician verbs', () => {
  it('returns a view of the pack without any recovery password or signing key', async () => {
    const { view } = await openedPack();
    // The fixture seals recoveryPassword(1..6) for the six LON devices.
    expect(view.devices.map((d) => d.hostname)).toEqual(['PC-1', 'PC-2', 'PC-3', 'PC-4', 'PC-5', 'PC-6']);
    expect(view.devices[0]!.keys).toEqual([{ keyId: KEY1, valid: true }]);
    const text = JSON.stringify(view);
    expect(findRecoveryPasswords(text)).toEqual([]);
    expect(text).not.toContain('macKey');
  });

  it('hands out a key on reveal and signs results that record the reveal', async () => {
    const { pack, view } = await openedPack();
    expect(tech.techRevealKey(view.packId, 1, KEY1)).toBe(recoveryPassword(1));
    const events = [{ kind: 'key.reveal' as const, deviceId: 1, keyId: KEY1, at: T0 + 500 }];
    const bytes = await tech.techSignResults(view.packId, {
      technician: 'Sam',
      exportedAt: T0 + 2000,
      records: [record],
      events,
    });
    const macKey = unb64((await decryptPack(pack.bytes, PASS, T0)).macKey);
    const body = await verifyResults(bytes, macKey);
    expect(body.packId).toBe(pack.packId);
    expect(body.records).toEqual([record]);
    expect(body.events).toEqual(events);
  });

  it('refuses to sign results that leave out a key the worker revealed, and forgets a closed pack', async () => {
    const { view } = await openedPack();
    tech.techRevealKey(view.packId, 1, KEY1);
    await expect(
      tech.techSignResults(view.packId, { technician: 'Sam', exportedAt: T0, records: [record], events: [] }),
    ).rejects.toThrow(/key reveal is missing/);
    tech.techClosePack(view.packId);
    expect(() => tech.techRevealKey(view.packId, 1, KEY1)).toThrow(/not open/);
  });

  it('refuses a wrong passphrase', async () => {
    const ws = await fieldWorkspace(SQL);
    const pack = await createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-20' });
    await expect(tech.techOpenPack(pack.bytes, 'wrong horse', T0)).rejects.toThrow();
  });
});
