// Pack life rules by hand: revoked and expired messages, the record time window, per-record and per-event refusals, revocation.
import { describe, expect, it } from 'vitest';
import {
  CLOCK_SKEW_MS,
  PACK_GRACE_MS,
  eventProblem,
  packClosed,
  packLife,
  packedKeys,
  recordProblem,
  revokePack,
  shown,
  timeProblem,
  timeWindow,
  type PackLife,
} from '../../../../core/field/pack-life.js';
import type { FieldEvent, ResultRecord } from '../../../../core/field/format.js';
import type { Workspace } from '../../../../core/workspace.js';
import { emptyWorkspace } from '../analysis/fixtures.js';

const MIN = 60_000;
const H = 60 * MIN;
const CREATED = Date.UTC(2024, 6, 19, 8, 0);
const EXPIRES = Date.UTC(2024, 6, 26, 8, 0);
const life: PackLife = {
  packId: 'P1',
  createdAt: CREATED,
  expiresAt: EXPIRES,
  revokedAt: null,
  revokedBy: null,
  revokedReason: null,
};
const NOW = Date.UTC(2024, 6, 20, 12, 0);
const KEY = 'AAAAAAAA-0000-4000-8000-000000000001';
const keys = new Map([[7, new Set([KEY])]]);

const rec = (over: Partial<ResultRecord>): ResultRecord => ({
  deviceId: 7,
  hostname: 'PC-7',
  result: 'fixed',
  method: null,
  at: NOW,
  technician: 'ann',
  keyIdUsed: null,
  notes: null,
  ...over,
});
const ev = (over: Partial<FieldEvent>): FieldEvent => ({
  kind: 'key.reveal',
  deviceId: 7,
  keyId: KEY,
  at: NOW,
  ...over,
});

describe('constants', () => {
  it('24 h grace, 10 min skew', () => {
    expect(PACK_GRACE_MS).toBe(86_400_000);
    expect(CLOCK_SKEW_MS).toBe(600_000);
  });
});

describe('packClosed', () => {
  it('revoked: when, by whom and why; without a reason or actor', () => {
    expect(
      packClosed(
        { ...life, revokedAt: Date.UTC(2024, 6, 20, 9, 30), revokedBy: 'lead', revokedReason: 'lost laptop' },
        NOW,
      ),
    ).toEqual({
      code: 'revoked',
      message: 'pack P1 was revoked on 2024-07-20 09:30 UTC by lead (lost laptop): its results are not merged',
    });
    expect(packClosed({ ...life, revokedAt: 0 }, NOW)?.message).toBe(
      'pack P1 was revoked on 1970-01-01 00:00 UTC by ?: its results are not merged',
    );
  });

  it('expired: the expiry, the end of the grace and now in the message; open on the edge', () => {
    const end = EXPIRES + 24 * H;
    expect(packClosed(life, end)).toBeNull();
    expect(packClosed(life, end + 1)).toEqual({
      code: 'expired',
      message:
        'pack P1 expired on 2024-07-26 08:00 UTC; results are accepted until 2024-07-27 08:00 UTC (24 h grace) and it is now 2024-07-27 08:00 UTC',
    });
  });
});

describe('timeWindow and timeProblem', () => {
  it('from 10 min before creation to the earlier of the grace end and 10 min past now', () => {
    expect(timeWindow(life, NOW)).toEqual({ from: CREATED - 10 * MIN, to: NOW + 10 * MIN });
    const late = EXPIRES + 48 * H;
    expect(timeWindow(life, late)).toEqual({ from: CREATED - 10 * MIN, to: EXPIRES + 24 * H });
  });

  it('each refusal names the times', () => {
    expect(timeProblem('x', life, NOW)).toBe('no valid time');
    expect(timeProblem(Infinity, life, NOW)).toBe('no valid time');
    expect(timeProblem(NaN, life, NOW)).toBe('no valid time');
    expect(timeProblem(CREATED - 10 * MIN, life, NOW)).toBeNull();
    expect(timeProblem(CREATED - 10 * MIN - 1, life, NOW)).toBe(
      'time 2024-07-19 07:49 UTC is before the pack was made (2024-07-19 08:00 UTC)',
    );
    expect(timeProblem(NOW + 10 * MIN, life, NOW)).toBeNull();
    expect(timeProblem(NOW + 10 * MIN + 1, life, NOW)).toBe(
      "time 2024-07-20 12:10 UTC is in the future of this merge (2024-07-20 12:00 UTC): check the laptop's clock",
    );
    // Beyond what a Date can hold, the raw number is shown.
    expect(timeProblem(9e15, life, NOW)).toBe(
      "time 9000000000000000 is in the future of this merge (2024-07-20 12:00 UTC): check the laptop's clock",
    );
    const late = EXPIRES + 48 * H;
    expect(timeProblem(EXPIRES + 24 * H, life, late)).toBeNull();
    expect(timeProblem(EXPIRES + 24 * H + 1, life, late)).toBe(
      "time 2024-07-27 08:00 UTC is after the pack's life (expired 2024-07-26 08:00 UTC, 24 h grace)",
    );
  });
});

describe('shown: an untrusted value, inert and short', () => {
  it('JSON text, null for undefined, cut at 60 characters', () => {
    expect(shown('a"b')).toBe('"a\\"b"');
    expect(shown(undefined)).toBe('null');
    expect(shown(null)).toBe('null');
    expect(shown(12)).toBe('12');
    expect(shown({ a: 1 })).toBe('{"a":1}');
    expect(shown(() => 1)).toBe('null');
    // 58 letters + 2 quotes = 60: kept; 59 + 2 = 61: cut to 57 and '...'.
    expect(shown('x'.repeat(58))).toBe(`"${'x'.repeat(58)}"`);
    expect(shown('x'.repeat(59))).toBe(`"${'x'.repeat(56)}...`);
  });
});

describe('recordProblem', () => {
  it('time first, then the technician, then the key used', () => {
    expect(recordProblem(rec({}), 'ann', life, keys, NOW)).toBeNull();
    expect(recordProblem(rec({ at: 0, technician: 'bob' }), 'ann', life, keys, NOW)).toMatch(/^time 1970/);
    expect(recordProblem(rec({ technician: 'bob' }), 'ann', life, keys, NOW)).toBe(
      'record\'s technician "bob" is not the file\'s ("ann")',
    );
  });

  it('a key used must be one packed for that device, in any case; none at all is fine', () => {
    expect(recordProblem(rec({ keyIdUsed: KEY.toLowerCase() }), 'ann', life, keys, NOW)).toBeNull();
    expect(recordProblem(rec({ keyIdUsed: undefined as unknown as null }), 'ann', life, keys, NOW)).toBeNull();
    expect(recordProblem(rec({ keyIdUsed: 'BBBB' }), 'ann', life, keys, NOW)).toBe(
      'key used "BBBB" is not one of the keys packed for this device',
    );
    expect(recordProblem(rec({ deviceId: 8, keyIdUsed: KEY }), 'ann', life, keys, NOW)).toMatch(/not one of the keys/);
    expect(recordProblem(rec({ keyIdUsed: 5 as unknown as string }), 'ann', life, keys, NOW)).toBe(
      'key used 5 is not one of the keys packed for this device',
    );
  });
});

describe('eventProblem', () => {
  const devices = new Set([7]);
  it('only key reveals of a packed key of a packed device, within the life', () => {
    expect(eventProblem(ev({}), devices, life, keys, NOW)).toBeNull();
    expect(eventProblem(ev({ keyId: KEY.toLowerCase() }), devices, life, keys, NOW)).toBeNull();
    expect(eventProblem(ev({ kind: 'wipe' as 'key.reveal' }), devices, life, keys, NOW)).toBe(
      'unknown event kind "wipe"',
    );
    expect(eventProblem(ev({ deviceId: 8 }), devices, life, keys, NOW)).toBe('device is not in this pack');
    expect(eventProblem(ev({ keyId: 'BBBB' }), devices, life, keys, NOW)).toBe(
      'key "BBBB" is not one of the keys packed for this device',
    );
    expect(eventProblem(ev({ keyId: 3 as unknown as string }), devices, life, keys, NOW)).toBe(
      'key 3 is not one of the keys packed for this device',
    );
    // A device in the pack without keys of its own.
    expect(eventProblem(ev({ deviceId: 9 }), new Set([9]), life, keys, NOW)).toMatch(/not one of the keys/);
    expect(eventProblem(ev({ at: 0 }), devices, life, keys, NOW)).toMatch(/^time 1970/);
  });
});

describe('packs on file', () => {
  async function withPack(): Promise<Workspace> {
    const ws = await emptyWorkspace();
    ws.db.run(
      `INSERT INTO packs(id, site, device_ids, key_ids, created_at, expires_at, technician, created_by, mac_key, file_sha256)
       VALUES ('P1', 'LON', '[7,8]', '[]', ?, ?, 'ann', 'lead', x'00', 'abc')`,
      [CREATED, EXPIRES],
    );
    const rot = `INSERT INTO key_rotation(key_id, device_id, hostname, reason, ref, at, actor) VALUES (?,?,?,?,?,0,'x')`;
    ws.db.run(rot, ['k-a', 7, 'PC-7', 'packed', 'P1']);
    ws.db.run(rot, ['k-b', 7, 'PC-7', 'packed', 'P1']);
    ws.db.run(rot, ['k-c', 8, 'PC-8', 'packed', 'P1']);
    ws.db.run(rot, ['k-d', 8, 'PC-8', 'revealed', 'P1']);
    ws.db.run(rot, ['k-e', 8, 'PC-8', 'packed', 'P2']);
    return ws;
  }

  it('packLife reads the pack; an unknown id is null', async () => {
    const ws = await withPack();
    expect(packLife(ws, 'P1')).toEqual({ ...life });
    expect(packLife(ws, 'P9')).toBeNull();
  });

  it('packedKeys: only the packed rows of this pack, upper-cased, per device', async () => {
    const ws = await withPack();
    const k = packedKeys(ws, 'P1');
    expect([...k.keys()].sort()).toEqual([7, 8]);
    expect([...k.get(7)!].sort()).toEqual(['K-A', 'K-B']);
    expect([...k.get(8)!]).toEqual(['K-C']);
    expect(packedKeys(ws, 'P9').size).toBe(0);
  });

  it('revokePack: the reason cleaned of control characters and cut to 200, audited once; a second call changes nothing', async () => {
    const ws = await withPack();
    const r = await revokePack(ws, 'P1', `  lost\u0007laptop\u200b ${'x'.repeat(300)}`);
    expect(r.revokedAt).toBe(Date.UTC(2024, 6, 24));
    expect(r.revokedBy).toBe('user');
    expect(r.revokedReason).toBe(`lost laptop  ${'x'.repeat(300)}`.slice(0, 200));
    expect(r.revokedReason).toHaveLength(200);
    const n = ws.db.value<number>("SELECT COUNT(*) FROM audit WHERE action = 'pack.revoke'");
    expect(n).toBe(1);
    const detail = ws.db.value<string>("SELECT detail FROM audit WHERE action = 'pack.revoke'")!;
    expect(JSON.parse(detail)).toEqual({ packId: 'P1', reason: r.revokedReason });
    expect(await revokePack(ws, 'P1', 'again')).toEqual(r);
    expect(ws.db.value<number>("SELECT COUNT(*) FROM audit WHERE action = 'pack.revoke'")).toBe(1);
  });

  it('revokePack refuses an unknown pack and an empty reason', async () => {
    const ws = await withPack();
    await expect(revokePack(ws, 'P9', 'x')).rejects.toThrow('no pack "P9" in this workspace');
    await expect(revokePack(ws, 'P1', ' \u0000\u200b ')).rejects.toThrow(
      'give a reason for revoking the pack (it goes into the audit log)',
    );
    expect(packLife(ws, 'P1')!.revokedAt).toBeNull();
  });
});
