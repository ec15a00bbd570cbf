// Merge-back attacks (#19 findings 5-7): expired/revoked packs, forged times, unpacked key IDs, technician mismatch; boundaries by hand.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { signResults, unb64, type FieldEvent, type ResultRecord } from '../../../../core/field/format.js';
import { revokePack } from '../../../../core/field/pack-life.js';
import { mergeResults } from '../../../../core/field/merge.js';
import { createPack, type CreatedPack } from '../../../../core/field/packs.js';
import { packMacKey } from '../../../../core/store/packs.js';
import type { Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { fieldWorkspace, resultRecord, T0 } from './helpers.js';

let SQL: SqlJsStatic;
const PASS = 'correct horse battery staple';
beforeAll(async () => {
  SQL = await loadSqlJs();
});

/** Expiry given as 2024-07-20 means the end of that day, UTC. */
const EXPIRES = Date.parse('2024-07-20T23:59:59.999Z');
const H = 3_600_000;
const KEY1 = '00000001-aaaa-bbbb-cccc-000000000001';
const KEY2 = '00000002-aaaa-bbbb-cccc-000000000002';

function setClock(ws: Workspace, t: number): void {
  Object.assign(ws, { now: () => t });
}

/** Everything a merge may change besides the audit log. */
function snapshot(ws: Workspace): string {
  return JSON.stringify([
    ws.db.all('SELECT * FROM results ORDER BY id'),
    ws.db.all('SELECT id, state, state_rule, fixed_at FROM devices ORDER BY id'),
    ws.db.all('SELECT * FROM key_rotation ORDER BY key_id, reason, ref'),
    ws.db.all('SELECT * FROM result_files ORDER BY sha256'),
  ]);
}

/**
 * One pack (PBKDF2 at 600,000 iterations costs seconds) made once; each test opens its own copy of the workspace
 * that made it. The signing key is the one the workspace sealed for the pack, as mergeResults reads it.
 */
let made: { bytes: Uint8Array; pack: CreatedPack; macKey: Uint8Array } | undefined;
async function setup() {
  if (!made) {
    const base = await fieldWorkspace(SQL);
    const pack = await createPack(base, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-20' });
    const macKey = unb64(await base.box.open(packMacKey(base.db, pack.packId)!.mac_key));
    made = { bytes: base.db.export(), pack, macKey };
    base.db.close();
  }
  const { pack, macKey } = made;
  const ws = await fieldWorkspace(SQL, made.bytes);
  const sign = (technician: string, records: Array<Partial<ResultRecord>>, events: FieldEvent[] = []) =>
    signResults(
      {
        format: 'ringside-results',
        version: 1,
        packId: pack.packId,
        technician,
        exportedAt: T0 + H,
        records: records.map((r) => resultRecord(technician, r)),
        events,
      },
      macKey,
    );
  return { ws, pack, sign };
}

const stateOf = (ws: Workspace, id: number) => ws.db.value<string>('SELECT state FROM devices WHERE id = ?', [id]);

describe('pack life at merge (finding 5)', () => {
  test('results 40 days after expiry are refused, audited, and change nothing; accepted only explicitly', async () => {
    const { ws, sign } = await setup();
    const file = await sign('tech-a', [{ at: T0 + H }]);
    setClock(ws, EXPIRES + 40 * 24 * H);
    const before = snapshot(ws);
    await expect(mergeResults(ws, file, 'late.ringresults')).rejects.toThrow(
      /late\.ringresults: pack .* expired on 2024-07-20 23:59 UTC; results are accepted until 2024-07-21 23:59 UTC .*Nothing was imported/,
    );
    expect(snapshot(ws)).toBe(before);
    expect(ws.db.value("SELECT count(*) FROM audit WHERE action = 'results.rejected'")).toBe(1);

    const r = await mergeResults(ws, file, 'late.ringresults', { acceptClosed: true });
    expect(r).toMatchObject({ added: 1, acceptedClosed: 'expired', rejected: [] });
    expect(stateOf(ws, 1)).toBe('fixed');
    const accepted = ws.db.all<{ detail: string }>("SELECT detail FROM audit WHERE action = 'results.accept_closed'");
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.detail).toContain('"status":"expired"');
  });

  test('a revoked pack: its results are refused even inside its life', async () => {
    const { ws, pack, sign } = await setup();
    const file = await sign('tech-a', [{}]);
    setClock(ws, T0 + 2 * H);
    await revokePack(ws, pack.packId, 'laptop lost at LON');
    const before = snapshot(ws);
    await expect(mergeResults(ws, file, 'r.ringresults')).rejects.toThrow(
      /revoked on 2024-07-19 14:00 UTC by lead \(laptop lost at LON\)/,
    );
    expect(snapshot(ws)).toBe(before);
    expect(ws.db.value("SELECT count(*) FROM audit WHERE action = 'pack.revoke'")).toBe(1);
    expect((await mergeResults(ws, file, 'r.ringresults', { acceptClosed: true })).acceptedClosed).toBe('revoked');
  });
});

describe('record times (finding 6)', () => {
  test('at: 1e300 and a laptop set to 2099 are refused; a later honest record still counts', async () => {
    const { ws, sign } = await setup();
    setClock(ws, T0 + 3 * H);
    const before = snapshot(ws);
    const forged = await sign('tech-a', [
      { at: 1e300, result: 'needs_reimage' },
      { deviceId: 2, hostname: 'PC-2', at: Date.parse('2099-01-01T00:00:00Z'), result: 'needs_reimage' },
    ]);
    const r = await mergeResults(ws, forged, 'forged.ringresults');
    expect(r.added).toBe(0);
    expect(r.rejected.map((x) => x.reason)).toEqual([
      expect.stringMatching(/time 1e\+300 is in the future of this merge \(2024-07-19 15:00 UTC\)/),
      expect.stringMatching(/time 2099-01-01 00:00 UTC is in the future of this merge/),
    ]);
    // Only the result_files row and the audit entry record that the file was seen; no result, state or key changed.
    const [results, devices, rotation] = JSON.parse(snapshot(ws)) as unknown[];
    const [results0, devices0, rotation0] = JSON.parse(before) as unknown[];
    expect([results, devices, rotation]).toEqual([results0, devices0, rotation0]);
    const honest = await sign('tech-b', [{ at: T0 + 2 * H, result: 'fixed' }]);
    expect((await mergeResults(ws, honest)).added).toBe(1);
    expect(stateOf(ws, 1)).toBe('fixed');
  });

  test('boundaries, by hand: life = [created - 10 min, expiry + 24 h], and at most 10 min ahead of the merge', async () => {
    const { ws, sign } = await setup();
    // created = 2024-07-19T12:00:00.000Z, so from = 11:50:00.000Z; expiry 2024-07-20T23:59:59.999Z + 24 h:
    const from = Date.parse('2024-07-19T11:50:00.000Z');
    const to = Date.parse('2024-07-21T23:59:59.999Z');
    setClock(ws, to); // merging on the last instant of the grace is allowed
    const file = await sign('tech-a', [
      { deviceId: 1, hostname: 'PC-1', at: from - 1 },
      { deviceId: 2, hostname: 'PC-2', at: from },
      { deviceId: 3, hostname: 'PC-3', at: to },
      { deviceId: 4, hostname: 'PC-4', at: to + 1 },
    ]);
    const r = await mergeResults(ws, file);
    expect(r.added).toBe(2);
    expect(r.rejected.map((x) => [x.hostname, x.reason])).toEqual([
      ['PC-1', expect.stringMatching(/before the pack was made/)],
      ['PC-4', expect.stringMatching(/after the pack's life/)],
    ]);
    expect([stateOf(ws, 1), stateOf(ws, 2), stateOf(ws, 3), stateOf(ws, 4)]).toEqual([
      'needs_fix',
      'fixed',
      'fixed',
      'needs_fix',
    ]);
    // One millisecond later the pack is closed.
    setClock(ws, to + 1);
    await expect(mergeResults(ws, await sign('tech-a', [{ at: from + 1 }]))).rejects.toThrow(/expired/);

    // Ahead of the merge clock: +10 min is skew, +10 min + 1 ms is the future.
    const ws2 = (await setup()).ws;
    const s2 = await setup();
    setClock(s2.ws, T0 + H);
    const ahead = await s2.sign('tech-a', [
      { deviceId: 5, hostname: 'PC-5', at: T0 + H + 600_000 },
      { deviceId: 6, hostname: 'PC-6', at: T0 + H + 600_001 },
    ]);
    const r2 = await mergeResults(s2.ws, ahead);
    expect(r2.added).toBe(1);
    expect(r2.rejected).toEqual([{ index: 1, hostname: 'PC-6', reason: expect.stringMatching(/future/) }]);
    ws2.db.close();
  });

  test('equal times: the record with the larger hash counts, whichever file comes first (hashes computed here)', async () => {
    const at = T0 + H;
    const recs = [
      { tech: 'tech-a', result: 'fixed' },
      { tech: 'tech-b', result: 'needs_reimage' },
    ];
    // Each order gets a fresh copy of the workspace; the winner, computed here from the hashes, is the same in both.
    for (const order of [0, 1]) {
      const { ws, pack, sign } = await setup();
      setClock(ws, T0 + 2 * H);
      const hash = (x: (typeof recs)[number]) =>
        createHash('sha256')
          .update(JSON.stringify([pack.packId, 1, x.result, 'usb', at, x.tech, null, null]))
          .digest('hex')
          .slice(0, 13);
      const expected = recs.reduce((a, b) => (parseInt(hash(b), 16) > parseInt(hash(a), 16) ? b : a)).result;
      const files = await Promise.all(recs.map((x) => sign(x.tech, [{ at, result: x.result as 'fixed' }])));
      if (order) files.reverse();
      for (const f of files) await mergeResults(ws, f);
      expect(stateOf(ws, 1)).toBe(expected);
    }
  });
});

describe('what a record may write (finding 7)', () => {
  test('an event with a key ID the pack did not carry (HTML, at -5) never reaches the rotation list', async () => {
    const { ws, sign } = await setup();
    setClock(ws, T0 + 2 * H);
    const before = snapshot(ws);
    const file = await sign(
      'tech-a',
      [],
      [
        { kind: 'key.reveal', deviceId: 1, keyId: '<img src=x onerror=alert(1)>', at: -5 },
        { kind: 'key.reveal', deviceId: 1, keyId: KEY2, at: T0 + H }, // PC-2's key, claimed for PC-1
        { kind: 'key.reveal', deviceId: 1, keyId: KEY1, at: -5 }, // the right key, an impossible time
      ],
    );
    const r = await mergeResults(ws, file);
    expect(r.reveals).toBe(0);
    expect(r.rejectedEvents.map((e) => e.reason)).toEqual([
      'key "<img src=x onerror=alert(1)>" is not one of the keys packed for this device',
      `key "${KEY2}" is not one of the keys packed for this device`,
      expect.stringMatching(/before the pack was made/),
    ]);
    const [, , rotation] = JSON.parse(snapshot(ws)) as unknown[];
    expect(rotation).toEqual((JSON.parse(before) as unknown[])[2]);
    // A real reveal of a packed key is recorded (spelled as packed).
    const ok = await sign('tech-a', [], [{ kind: 'key.reveal', deviceId: 1, keyId: KEY1.toUpperCase(), at: T0 + H }]);
    expect((await mergeResults(ws, ok)).reveals).toBe(1);
    expect(ws.db.value("SELECT key_id FROM key_rotation WHERE reason = 'revealed_in_field'")).toBe(KEY1);
  });

  test("a record whose technician is not the file's, or whose key used was not packed, is refused", async () => {
    const { ws, sign } = await setup();
    setClock(ws, T0 + 2 * H);
    const before = snapshot(ws);
    const file = await sign('tech-a', [{ technician: 'tech-b' }, { deviceId: 2, hostname: 'PC-2', keyIdUsed: KEY1 }]);
    const r = await mergeResults(ws, file);
    expect(r.added).toBe(0);
    expect(r.rejected.map((x) => x.reason)).toEqual([
      `record's technician "tech-b" is not the file's ("tech-a")`,
      `key used "${KEY1}" is not one of the keys packed for this device`,
    ]);
    expect(JSON.parse(snapshot(ws))[0]).toEqual(JSON.parse(before)[0]);
    expect(stateOf(ws, 1)).toBe('needs_fix');
  });

  test('a cumulative second results file from the same technician merges: old records duplicates, new ones added', async () => {
    const { ws, sign } = await setup();
    setClock(ws, T0 + 5 * H);
    const first = [{ deviceId: 1, hostname: 'PC-1', result: 'failed' as const, at: T0 + H, keyIdUsed: KEY1 }];
    const second = [
      ...first,
      { deviceId: 1, hostname: 'PC-1', result: 'fixed' as const, at: T0 + 2 * H, keyIdUsed: KEY1 },
      { deviceId: 2, hostname: 'PC-2', result: 'needs_reimage' as const, at: T0 + 3 * H },
    ];
    const r1 = await mergeResults(ws, await sign('tech-a', first));
    expect(r1).toMatchObject({ added: 1, duplicates: 0, rejected: [], conflicts: [] });
    expect(stateOf(ws, 1)).not.toBe('fixed'); // a failed attempt: still needs the fix
    const r2 = await mergeResults(ws, await sign('tech-a', second));
    expect(r2).toMatchObject({ records: 3, added: 2, duplicates: 1, rejected: [], conflicts: [] });
    expect([stateOf(ws, 1), stateOf(ws, 2)]).toEqual(['fixed', 'needs_reimage']);
    expect(ws.db.value('SELECT count(*) FROM results')).toBe(3);
    expect(ws.db.value('SELECT count(*) FROM result_files')).toBe(2);
  });
});
