// What createPack records and what mergeResults writes and reports, field by field, on one pack made once.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import {
  PackError,
  readPackHeader,
  signResults,
  unb64,
  type FieldEvent,
  type ResultRecord,
  type ResultsBody,
} from '../../../../core/field/format.js';
import { mergeResults, resultRowId, resultsFromPack } from '../../../../core/field/merge.js';
import { createPack, packPreview, packStates, type CreatedPack } from '../../../../core/field/packs.js';
import { packMacKey } from '../../../../core/store/packs.js';
import { meta, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { fieldWorkspace, resultRecord, T0 } from './helpers.js';

let SQL: SqlJsStatic;
const PASS = 'correct horse battery staple';
const H = 3_600_000;
const KEY = (id: number) => `0000000${id}-aaaa-bbbb-cccc-00000000000${id}`;
beforeAll(async () => {
  SQL = await loadSqlJs();
});

/** The LON pack (PC-1..PC-6) made once, for technician tech-a; each test opens its own copy of the workspace. */
let made: { bytes: Uint8Array; pack: CreatedPack; macKey: Uint8Array } | undefined;
async function setup(): Promise<{ ws: Workspace; pack: CreatedPack; macKey: Uint8Array }> {
  if (!made) {
    const base = await fieldWorkspace(SQL);
    const pack = await createPack(base, {
      site: 'LON',
      passphrase: PASS,
      expiresAt: '2024-07-26',
      technician: 'tech-a',
      iterations: 1000,
    });
    const macKey = unb64(await base.box.open(packMacKey(base.db, pack.packId)!.mac_key));
    made = { bytes: base.db.export(), pack, macKey };
    base.db.close();
  }
  const ws = await fieldWorkspace(SQL, made.bytes);
  Object.assign(ws, { now: () => T0 + 2 * H });
  return { ws, pack: made.pack, macKey: made.macKey };
}

function sign(
  s: { pack: CreatedPack; macKey: Uint8Array },
  technician: string,
  records: ResultRecord[],
  events: unknown = [],
): Promise<Uint8Array> {
  const body = {
    format: 'ringside-results',
    version: 1,
    packId: s.pack.packId,
    technician,
    exportedAt: T0 + H,
    records,
    events,
  } as ResultsBody;
  return signResults(body, s.macKey);
}

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const auditOf = (ws: Workspace, action: string) =>
  ws.db
    .all<{ detail: string }>('SELECT detail FROM audit WHERE action = ? ORDER BY seq', [action])
    .map((r) => JSON.parse(r.detail));
const stateOf = (ws: Workspace, id: number) => ws.db.value<string>('SELECT state FROM devices WHERE id = ?', [id]);

describe('createPack records', () => {
  test('the pack row, a packed rotation entry per key, the audit entry; the file at 600,000 iterations whatever is asked', async () => {
    const { ws, pack } = await setup();
    expect(pack).toMatchObject({
      fileName: 'ringside-LON-2024-07-19.ringpack',
      devices: 6,
      keys: 6,
      expires: Date.parse('2024-07-26T23:59:59.999Z'),
      noKey: [],
    });
    // Asked for 1,000 iterations: a pack Ringside writes never has fewer than the floor.
    expect(readPackHeader(pack.bytes).kdf.iterations).toBe(600_000);
    const row = ws.db.get<Record<string, unknown>>(
      'SELECT site, device_ids, key_ids, created_at, expires_at, technician, created_by, file_sha256 FROM packs WHERE id = ?',
      [pack.packId],
    );
    expect(row).toEqual({
      site: 'LON',
      device_ids: '[1,2,3,4,5,6]',
      key_ids: JSON.stringify([1, 2, 3, 4, 5, 6].map(KEY)),
      created_at: T0,
      expires_at: pack.expires,
      technician: 'tech-a',
      created_by: 'lead',
      file_sha256: sha(pack.bytes),
    });
    expect(
      ws.db.all('SELECT key_id, device_id, hostname, reason, ref, at, actor FROM key_rotation ORDER BY key_id'),
    ).toEqual(
      [1, 2, 3, 4, 5, 6].map((id) => ({
        key_id: KEY(id),
        device_id: id,
        hostname: `PC-${id}`,
        reason: 'packed',
        ref: pack.packId,
        at: T0,
        actor: 'lead',
      })),
    );
    expect(auditOf(ws, 'pack.create')).toEqual([
      {
        packId: pack.packId,
        site: 'LON',
        devices: 6,
        keyIds: [1, 2, 3, 4, 5, 6].map(KEY),
        expires: '2024-07-26T23:59:59.999Z',
        technician: 'tech-a',
        withoutKey: [],
      },
    ]);
  });

  test('a device selection across sites has no site; its file is named "devices"; unknown ids and empty sites are named', async () => {
    const { ws } = await setup();
    expect(packPreview(ws, { deviceIds: [1, 7] })).toMatchObject({ site: null, devices: 2, withKey: 2, keys: 2 });
    expect(packPreview(ws, { deviceIds: [7, 8, 7] })).toMatchObject({ site: 'NYC', devices: 2 });
    expect(() => packPreview(ws, { deviceIds: [1, 99, 98] })).toThrow('no device with id 99, 98');
    expect(() => packPreview(ws, {})).toThrow('choose a site or a set of devices for the pack');
    expect(() => packPreview(ws, { site: 'PAR' })).toThrow('site PAR has no device that still needs a hands-on fix');
    // Before analysis every device is "unknown", and a site pack takes them all.
    expect(packStates(ws)).toContain('needs_fix');
    ws.db.run("UPDATE devices SET state = 'unknown'");
    expect(packStates(ws)).toEqual(['unknown']);
    expect(packPreview(ws, { site: 'NYC' }).devices).toBe(2);
    ws.db.run("UPDATE devices SET state = 'fixed' WHERE site = 'NYC'");
    expect(packStates(ws)).not.toContain('fixed');
    expect(() => packPreview(ws, { site: 'NYC' })).toThrow(/site NYC has no device/);
  });

  test('a guessable passphrase, an expiry past 31 days and an unknown no-key choice are refused before anything is written', async () => {
    const { ws } = await setup();
    const before = ws.db.value('SELECT count(*) FROM audit');
    await expect(createPack(ws, { site: 'LON', passphrase: 'aaaaaaaaaaaa', expiresAt: '2024-07-26' })).rejects.toThrow(
      PackError,
    );
    // The copy's clock is T0 + 2 h: 31 days and 1 ms after it is one millisecond too far (pack-limits has the edge).
    await expect(
      createPack(ws, { site: 'LON', passphrase: PASS, expiresAt: T0 + 2 * H + 31 * 86_400_000 + 1 }),
    ).rejects.toThrow('a field pack may live at most 31 days');
    ws.db.run('DELETE FROM keys WHERE device_id = 7');
    await expect(
      createPack(ws, {
        site: 'NYC',
        passphrase: PASS,
        expiresAt: '2024-07-26',
        withoutKey: { devices: { 7: 'burn' as 'exclude' } },
      }),
    ).rejects.toThrow('device PC-7: unknown choice burn');
    expect(ws.db.value('SELECT count(*) FROM audit')).toBe(before);
    expect(ws.db.value('SELECT count(*) FROM packs')).toBe(1);
  });
});

describe('mergeResults writes', () => {
  test('each record as a results row keyed by its hash; the file, the audit entry and the report, by hand', async () => {
    const s = await setup();
    const { ws, pack } = s;
    const recs = [
      resultRecord('tech-a', { keyIdUsed: KEY(1), notes: 'BitLocker key used' }),
      resultRecord('tech-a', { deviceId: 2, hostname: 'PC-2', result: 'in_progress' as 'fixed', method: null }),
    ];
    const file = await sign(s, 'tech-a', recs);
    const r = await mergeResults(ws, file);
    const hashes = recs.map((x) =>
      sha(JSON.stringify([pack.packId, x.deviceId, x.result, x.method, x.at, x.technician, x.keyIdUsed, x.notes])),
    );
    expect(r).toEqual({
      packId: pack.packId,
      technician: 'tech-a',
      fileSha256: sha(file),
      records: 2,
      added: 2,
      duplicates: 0,
      rejected: [],
      conflicts: [],
      reveals: 0,
      rejectedEvents: [],
      acceptedClosed: null,
      alreadyMerged: false,
    });
    expect(ws.db.all('SELECT * FROM results ORDER BY device_id')).toEqual(
      recs.map((x, i) => ({
        id: parseInt(hashes[i]!.slice(0, 13), 16),
        device_id: x.deviceId,
        result: x.result,
        method: x.method,
        at: x.at,
        technician: 'tech-a',
        key_id_used: x.keyIdUsed,
        notes: x.notes,
        origin: pack.packId,
        record_hash: hashes[i],
      })),
    );
    expect(
      ws.db.all('SELECT sha256, pack_id, technician, records, added, duplicates, merged_at FROM result_files'),
    ).toEqual([
      {
        sha256: sha(file),
        pack_id: pack.packId,
        technician: 'tech-a',
        records: 2,
        added: 2,
        duplicates: 0,
        merged_at: T0 + 2 * H,
      },
    ]);
    expect(auditOf(ws, 'results.merge')).toEqual([
      {
        file: 'results',
        sha256: sha(file),
        packId: pack.packId,
        technician: 'tech-a',
        records: 2,
        added: 2,
        duplicates: 0,
        rejected: 0,
        rejectedEvents: 0,
        conflicts: [],
        keyReveals: [],
      },
    ]);
    expect(auditOf(ws, 'results.accept_closed')).toEqual([]);
    // Recomputed: fixed counts; "in progress" is a fix under way.
    expect([stateOf(ws, 1), stateOf(ws, 2)]).toEqual(['fixed', 'fix_in_progress']);
    // The same file again, an hour later: every record a duplicate, the file known, and no device touched, so the
    // analysis is not run again (its time stays the first merge's).
    expect(meta(ws, 'analysis.computed_at')).toBe(String(T0 + 2 * H));
    Object.assign(ws, { now: () => T0 + 3 * H });
    expect(await mergeResults(ws, file)).toMatchObject({ added: 0, duplicates: 2, alreadyMerged: true });
    expect(meta(ws, 'analysis.computed_at')).toBe(String(T0 + 2 * H));
    expect(ws.db.value('SELECT count(*) FROM result_files')).toBe(1);
  });

  test('the row id is the first 13 hex digits (52 bits) of the hash', () => {
    expect(resultRowId('0123456789abcdef')).toBe(0x0123456789abc);
    expect(resultRowId('f'.repeat(64))).toBe(2 ** 52 - 1);
  });

  test('a device outside the pack, an unknown result, and the same record twice in one file', async () => {
    const s = await setup();
    const file = await sign(s, 'tech-a', [
      resultRecord('tech-a', { deviceId: 7, hostname: 'PC-7' }),
      resultRecord('tech-a', { deviceId: 3, hostname: 3 as unknown as string, result: 'exploded' as 'fixed' }),
      resultRecord('tech-a', { deviceId: 4, hostname: 'PC-4' }),
      resultRecord('tech-a', { deviceId: 4, hostname: 'PC-4' }),
    ]);
    const r = await mergeResults(s.ws, file, 'x.ringresults');
    expect(r).toMatchObject({ records: 4, added: 1, duplicates: 1 });
    expect(r.rejected).toEqual([
      { index: 0, hostname: 'PC-7', reason: 'device is not in this pack' },
      { index: 1, hostname: '3', reason: 'unknown result "exploded"' },
    ]);
    expect(auditOf(s.ws, 'results.merge')[0]).toMatchObject({ file: 'x.ringresults', rejected: 2, added: 1 });
    expect(stateOf(s.ws, 7)).toBe('needs_fix');
  });

  test('two technicians on one device: a conflict naming the record that counts; one technician twice is none', async () => {
    const s = await setup();
    await mergeResults(
      s.ws,
      await sign(s, 'tech-a', [
        resultRecord('tech-a', { result: 'failed' }),
        resultRecord('tech-a', { deviceId: 2, hostname: 'PC-2' }),
      ]),
    );
    const r = await mergeResults(
      s.ws,
      await sign(s, 'tech-b', [
        resultRecord('tech-b', { result: 'needs_reimage', at: T0 + H + 1 }),
        resultRecord('tech-b', { deviceId: 5, hostname: 'PC-5' }),
      ]),
    );
    expect(r.conflicts).toEqual([
      {
        deviceId: 1,
        hostname: 'PC-1',
        winner: { result: 'needs_reimage', at: T0 + H + 1, technician: 'tech-b' },
        records: 2,
      },
    ]);
    expect(auditOf(s.ws, 'results.merge')[1]).toMatchObject({ conflicts: [1] });
    expect(stateOf(s.ws, 1)).toBe('needs_reimage');
    const again = await mergeResults(
      s.ws,
      await sign(s, 'tech-a', [resultRecord('tech-a', { deviceId: 2, hostname: 'PC-2', at: T0 + H + 5 })]),
    );
    expect(again.conflicts).toEqual([]);
  });

  test('a revealed packed key goes on the rotation list as packed, with the event time and the technician; events not a list are none', async () => {
    const s = await setup();
    const events: FieldEvent[] = [{ kind: 'key.reveal', deviceId: 3, keyId: KEY(3).toUpperCase(), at: T0 + H }];
    const r = await mergeResults(s.ws, await sign(s, 'tech-a', [], events));
    expect(r.reveals).toBe(1);
    expect(
      s.ws.db.all(
        "SELECT key_id, device_id, hostname, ref, at, actor FROM key_rotation WHERE reason = 'revealed_in_field'",
      ),
    ).toEqual([{ key_id: KEY(3), device_id: 3, hostname: 'PC-3', ref: s.pack.packId, at: T0 + H, actor: 'tech-a' }]);
    expect(auditOf(s.ws, 'results.merge')[0]!.keyReveals).toEqual([
      { deviceId: 3, keyId: KEY(3).toUpperCase(), at: T0 + H },
    ]);
    const none = await mergeResults(s.ws, await sign(s, 'tech-b', [], null));
    expect(none).toMatchObject({ reveals: 0, rejectedEvents: [] });
  });
});

describe('mergeResults refuses', () => {
  test('a file that is not results names the file; one for another workspace names the pack', async () => {
    const s = await setup();
    await expect(mergeResults(s.ws, new TextEncoder().encode('hello'), 'h.txt')).rejects.toThrow(
      'h.txt: not a Ringside RINGRESULTS1 file: no header',
    );
    const foreign = { pack: { ...s.pack, packId: 'elsewhere' }, macKey: s.macKey };
    const err = await mergeResults(s.ws, await sign(foreign, 'tech-a', [resultRecord('tech-a')])).catch(
      (e: PackError) => e,
    );
    expect(err).toBeInstanceOf(PackError);
    expect([(err as PackError).code, (err as PackError).message]).toEqual([
      'unknown_pack',
      'These results are for pack elsewhere, which this workspace did not create: import them into the workspace that made the pack.',
    ]);
  });

  test('a bad signature or no technician: refused, audited with the file and its hash, nothing written', async () => {
    const s = await setup();
    const forged = await signResults(
      {
        format: 'ringside-results',
        version: 1,
        packId: s.pack.packId,
        technician: 'x',
        exportedAt: 0,
        records: [],
        events: [],
      },
      new Uint8Array(32),
    );
    await expect(mergeResults(s.ws, forged, 'f.ringresults')).rejects.toThrow(
      `f.ringresults: The results file's signature does not match pack ${s.pack.packId}`,
    );
    for (const technician of ['', '  ', 7 as unknown as string])
      await expect(
        mergeResults(s.ws, await sign(s, technician, [resultRecord('tech-a')]), 'n.ringresults'),
      ).rejects.toThrow('n.ringresults: the results file names no technician. Nothing was imported.');
    const rejected = auditOf(s.ws, 'results.rejected');
    expect(rejected).toHaveLength(4);
    expect(rejected[0]).toEqual({
      file: 'f.ringresults',
      sha256: sha(forged),
      packId: s.pack.packId,
      reason: `The results file's signature does not match pack ${s.pack.packId}: it was altered after export, or not made from that pack. Nothing was imported.`,
    });
    expect(rejected[1]).toMatchObject({ file: 'n.ringresults', reason: 'the results file names no technician' });
    expect(s.ws.db.value('SELECT count(*) FROM results')).toBe(0);
    expect(s.ws.db.value('SELECT count(*) FROM result_files')).toBe(0);
  });
});

describe('resultsFromPack (what the technician laptop writes)', () => {
  test('opens the pack at the production floor; hosts matched as host keys; defaults; the audit head carried back', async () => {
    const s = await setup();
    const file = await resultsFromPack(s.pack.bytes, PASS, T0 + H, 'tech-a', [
      { host: 'pc-1', result: 'fixed' },
      { host: 'PC-2', result: 'failed', method: 'usb', keyIdUsed: KEY(2), notes: 'n', at: T0 + 30 * 60_000 },
    ]);
    const text = new TextDecoder().decode(file);
    const body = JSON.parse(text.split('\n')[1]!) as ResultsBody;
    const anchor = s.ws.db.get<{ count: number }>("SELECT count(*) AS count FROM audit WHERE action != 'pack.create'");
    expect(body).toMatchObject({
      format: 'ringside-results',
      version: 1,
      packId: s.pack.packId,
      technician: 'tech-a',
      exportedAt: T0 + H,
      events: [],
      records: [
        resultRecord('tech-a', { method: 'manual' }),
        resultRecord('tech-a', {
          deviceId: 2,
          hostname: 'PC-2',
          result: 'failed',
          keyIdUsed: KEY(2),
          notes: 'n',
          at: T0 + 30 * 60_000,
        }),
      ],
    });
    // The head when the pack was made: every entry before its own pack.create.
    expect(body.audit).toMatchObject({ count: anchor!.count });
    expect(body.audit!.head).toMatch(/^[0-9a-f]{64}$/);
    expect((await mergeResults(s.ws, file)).added).toBe(2);
    await expect(resultsFromPack(s.pack.bytes, PASS, T0, 't', [{ host: 'PC-7', result: 'fixed' }])).rejects.toThrow(
      'PC-7 is not in this pack (it has 6 devices)',
    );
    await expect(
      resultsFromPack(s.pack.bytes, PASS, T0, 't', [{ host: 'PC-1', result: 'done' as 'fixed' }]),
    ).rejects.toThrow('PC-1: result must be one of fixed, failed, needs_reimage, not_found, deferred, not "done"');
  });
});
