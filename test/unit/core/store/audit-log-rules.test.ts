// Writing and reading the audit log rule by rule: appends and the anchor that follows them, keying an old log,
// acknowledging a loss, receipts, the audit view's filters and the export's exact text; worked out by hand.
import { beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import {
  acknowledgeAudit,
  appendAudit,
  auditPage,
  auditReceipt,
  currentAnchor,
  enableKeyedAudit,
  exportAudit,
  GENESIS,
  metaAnchor,
  parseReceipt,
  rememberAnchors,
  rememberedAnchors,
  verifyAudit,
} from '../../../../core/store/audit.js';
import { auditKeyOf, insertEntry } from '../../../../core/store/audit-chain.js';
import { Db } from '../../../../core/store/db.js';
import { auditLogs, T0 } from './audit-fixture.js';

const WS = 'ws-audit-log';
const logs = auditLogs(WS, 4, () => 'import');
const { macOf, anchor, hashOf, short, bare, append, keyedLog } = logs;
let SQL: SqlJsStatic;
let KEY: Uint8Array;
beforeAll(() => {
  SQL = logs.sql();
  KEY = logs.key();
});
const detailOf = (db: Db, seq: number) => db.value<string>('SELECT detail FROM audit WHERE seq = ?', [seq])!;
const countOf = (db: Db) => db.value<number>('SELECT count(*) FROM audit')!;

describe('appending', () => {
  test('an appended entry links to the last one and is returned as written', async () => {
    const db = await keyedLog(1);
    const e = await appendAudit(db, { at: T0 + 2000, actor: 'lead', action: 'key.reveal', detail: { keyId: 'k1' } });
    expect(e).toEqual({
      seq: 2,
      at: T0 + 2000,
      actor: 'lead',
      action: 'key.reveal',
      detail: '{"keyId":"k1"}',
      prev_hash: hashOf(db, 1),
      hash: hashOf(db, 2),
      alg: 'hmac-sha256',
    });
  });

  test('without a key and on a chain never keyed, entries are plain-hashed', async () => {
    const db = bare();
    const e = await appendAudit(db, { at: T0, actor: 'u', action: 'import', detail: {} });
    expect(e).toMatchObject({ seq: 1, prev_hash: GENESIS, alg: 'sha256' });
    expect(metaAnchor(db)).toBeUndefined();
  });

  test('a keyed chain refuses an entry without the key, and writes nothing', async () => {
    const db = Db.open(SQL, (await keyedLog(2)).export());
    await expect(appendAudit(db, { at: T0, actor: 'u', action: 'import', detail: {} })).rejects.toThrow(
      'the audit chain is keyed but the workspace key was not given',
    );
    expect(countOf(db)).toBe(2);
  });

  test('the own anchor follows every append, from the empty log on', async () => {
    const db = await keyedLog(0);
    expect(metaAnchor(db)).toEqual({ ...anchor(0, GENESIS), source: 'workspace metadata' });
    for (let n = 1; n <= 3; n++) {
      await append(db, 1, n);
      expect(metaAnchor(db)).toEqual({ ...anchor(n, hashOf(db, n)), source: 'workspace metadata' });
    }
  });

  test('after a cut tail the anchor stays where it was, so new entries do not hide the cut', async () => {
    const db = await keyedLog(4);
    const held = { ...anchor(4, hashOf(db, 4)), source: 'workspace metadata' };
    db.run('DELETE FROM audit WHERE seq >= 3');
    await append(db, 1, 3);
    expect(metaAnchor(db)).toEqual(held);
    expect(verifyAudit(db).problems.map((p) => [p.kind, p.seq])).toEqual([['tail-cut', 4]]);
  });

  test('an anchor edited in place (its count changed) is not healed by the next append', async () => {
    const db = await keyedLog(3);
    const edited = { count: 5, head: hashOf(db, 3), mac: macOf(3, hashOf(db, 3)) };
    db.run("UPDATE meta SET value = ? WHERE key = 'audit_anchor'", [JSON.stringify(edited)]);
    await append(db, 1, 4);
    expect(metaAnchor(db)).toMatchObject(edited);
    expect(verifyAudit(db).problems.map((p) => p.kind)).toEqual(['anchor-invalid']);
  });

  test('a removed anchor is not made again by the next append', async () => {
    const db = await keyedLog(2);
    db.run("DELETE FROM meta WHERE key = 'audit_anchor'");
    await append(db, 1, 3);
    expect(metaAnchor(db)).toBeUndefined();
    expect(verifyAudit(db).problems.map((p) => p.kind)).toEqual(['anchor-missing']);
  });
});

describe('keying the chain (at every open)', () => {
  test('an empty log: keyed with no entry, the anchor at 0; a second time changes nothing', async () => {
    const db = bare();
    expect(enableKeyedAudit(db, KEY, T0, 'tech-1')).toBe(true);
    expect(countOf(db)).toBe(0);
    expect(db.value<string>("SELECT value FROM meta WHERE key = 'audit_chain'")).toBe('hmac-sha256-v1');
    expect(metaAnchor(db)).toMatchObject(anchor(0, GENESIS));
    expect(enableKeyedAudit(db, KEY, T0 + 1, 'tech-1')).toBe(false);
    expect(countOf(db)).toBe(0);
  });

  test('a plain log gets one keyed entry naming how many plain entries it had and their head', async () => {
    const db = bare();
    await append(db, 3);
    const h3 = hashOf(db, 3);
    expect(enableKeyedAudit(db, KEY, T0 + 9000, 'admin')).toBe(true);
    const e = db.get<{ seq: number; at: number; actor: string; action: string; detail: string; alg: string }>(
      'SELECT seq, at, actor, action, detail, alg FROM audit WHERE seq = 4',
    );
    expect(e).toEqual({
      seq: 4,
      at: T0 + 9000,
      actor: 'admin',
      action: 'audit.keyed',
      detail: `{"from":"sha256","to":"hmac-sha256","version":1,"plainEntries":3,"head":"${h3}"}`,
      alg: 'hmac-sha256',
    });
    expect(metaAnchor(db)).toMatchObject(anchor(4, hashOf(db, 4)));
  });

  test('opening a keyed file again gives the key to the database, without a new entry', async () => {
    const db = Db.open(SQL, (await keyedLog(2)).export());
    expect(auditKeyOf(db)).toBeUndefined();
    expect(enableKeyedAudit(db, KEY, T0, 'tech-1')).toBe(false);
    expect(auditKeyOf(db)).toBe(KEY);
    expect(verifyAudit(db)).toMatchObject({ ok: true, entries: 2, keyed: 2 });
  });
});

describe('acknowledging a loss', () => {
  test('needs the key and a note of at least three characters after trimming', async () => {
    const noKey = Db.open(SQL, (await keyedLog(1)).export());
    await expect(acknowledgeAudit(noKey, { at: T0, actor: 'lead', note: 'restored' })).rejects.toThrow(
      'the workspace key is needed to acknowledge',
    );
    const db = await keyedLog(2);
    db.run('DELETE FROM audit WHERE seq = 2');
    await expect(acknowledgeAudit(db, { at: T0, actor: 'lead', note: '  ab  ' })).rejects.toThrow(
      'say in a few words what happened before acknowledging',
    );
    expect(countOf(db)).toBe(1);
    expect(await acknowledgeAudit(db, { at: T0, actor: 'lead', note: 'abc' })).toMatchObject({ ok: true });
  });

  test('with nothing wrong, or only a broken chain, nothing is written and the status is returned', async () => {
    const fine = await keyedLog(2);
    expect(await acknowledgeAudit(fine, { at: T0, actor: 'lead', note: 'just checking' })).toMatchObject({
      ok: true,
    });
    expect(countOf(fine)).toBe(2);
    const broken = await keyedLog(2);
    broken.run("UPDATE audit SET detail = '{}' WHERE seq = 1");
    const v = await acknowledgeAudit(broken, { at: T0, actor: 'lead', note: 'hide it' });
    expect(v.problems.map((p) => p.kind)).toEqual(['altered']);
    expect(countOf(broken)).toBe(2);
  });

  test('one audited entry per anchor, naming what it recorded and what was found; then the log verifies', async () => {
    const db = await keyedLog(5);
    const [h4, h5] = [hashOf(db, 4), hashOf(db, 5)];
    db.run('DELETE FROM audit WHERE seq = 5');
    rememberAnchors(db, [anchor(5, h5)]);
    const cut = (where: string) =>
      `the log holds 4 entries but ${where} recorded 5 (head ${short(h5)}): entry 5 was cut from the tail, or an older copy of the workspace was restored`;
    const after = await acknowledgeAudit(db, { at: T0 + 60_000, actor: 'lead', note: ' restored from backup ' });
    const acks = db.all<{ seq: number; at: number; actor: string; action: string; detail: string }>(
      'SELECT seq, at, actor, action, detail FROM audit WHERE seq > 4 ORDER BY seq',
    );
    const common = {
      note: 'restored from backup',
      problems: [cut('workspace metadata'), cut('an anchor')],
      anchoredCount: 5,
      anchoredHead: h5,
      foundCount: 4,
      foundHead: h4,
    };
    expect(acks.map((a) => ({ ...a, detail: JSON.parse(a.detail) }))).toEqual([
      {
        seq: 5,
        at: T0 + 60_000,
        actor: 'lead',
        action: 'audit.acknowledge',
        detail: { ...common, anchorSource: 'workspace metadata' },
      },
      { seq: 6, at: T0 + 60_000, actor: 'lead', action: 'audit.acknowledge', detail: { ...common, anchorSource: '' } },
    ]);
    expect(after).toMatchObject({ ok: true, entries: 6 });
    expect(metaAnchor(db)).toMatchObject(anchor(6, hashOf(db, 6)));
    expect(rememberedAnchors(db)).toEqual([]);
  });

  test('the note is kept to 500 characters', async () => {
    const db = await keyedLog(2);
    db.run('DELETE FROM audit WHERE seq = 2');
    await acknowledgeAudit(db, { at: T0, actor: 'lead', note: 'n'.repeat(501) });
    expect(JSON.parse(detailOf(db, 2)).note).toBe('n'.repeat(500));
  });

  test('an empty log with an anchor from further on: found 0 entries at the genesis hash', async () => {
    const db = await keyedLog(0);
    rememberAnchors(db, [anchor(2, 'c'.repeat(64), 'journal')]);
    await acknowledgeAudit(db, { at: T0, actor: 'lead', note: 'new file' });
    // Entry 1 for the own anchor (at 0), entry 2 for the journal's; both found nothing.
    for (const [seq, anchorSource] of [
      [1, 'workspace metadata'],
      [2, 'journal'],
    ] as const)
      expect(JSON.parse(detailOf(db, seq))).toMatchObject({ anchorSource, foundCount: 0, foundHead: GENESIS });
  });

  test('every acknowledgement writes an entry naming what it acknowledged: a removed own anchor alone', async () => {
    const db = await keyedLog(3);
    const h3 = hashOf(db, 3);
    db.run("DELETE FROM meta WHERE key = 'audit_anchor'");
    const after = await acknowledgeAudit(db, { at: T0 + 9000, actor: 'lead', note: 'anchor lost' });
    expect(countOf(db)).toBe(4);
    expect(JSON.parse(detailOf(db, 4))).toEqual({
      note: 'anchor lost',
      problems: ['the head anchor in the workspace metadata was removed'],
      anchorSource: 'workspace metadata',
      anchorRemoved: true,
      foundCount: 3,
      foundHead: h3,
    });
    expect(after).toMatchObject({ ok: true, entries: 4 });
    expect(metaAnchor(db)).toMatchObject(anchor(4, hashOf(db, 4)));
  });

  test('a removed own anchor and an outside one: an entry for each, the removed one first', async () => {
    const db = await keyedLog(3);
    db.run("DELETE FROM meta WHERE key = 'audit_anchor'");
    rememberAnchors(db, [anchor(4, 'c'.repeat(64), 'journal')]);
    const after = await acknowledgeAudit(db, { at: T0, actor: 'lead', note: 'anchor lost' });
    expect(countOf(db)).toBe(5);
    expect(JSON.parse(detailOf(db, 4))).toMatchObject({ anchorSource: 'workspace metadata', anchorRemoved: true });
    expect(JSON.parse(detailOf(db, 5))).toMatchObject({ anchorSource: 'journal', anchoredCount: 4 });
    expect(after).toMatchObject({ ok: true, entries: 5 });
  });
});

describe('receipts', () => {
  test('the receipt line is "RINGSIDE-AUDIT-1 ws=<id> n=<count> head=<hash> mac=<anchor MAC>"', async () => {
    const db = await keyedLog(2);
    const h2 = hashOf(db, 2);
    expect(auditReceipt(db, T0)).toEqual({
      count: 2,
      head: h2,
      mac: macOf(2, h2),
      workspace: WS,
      at: '2024-07-19T04:09:00.000Z',
      text: `RINGSIDE-AUDIT-1 ws=${WS} n=2 head=${h2} mac=${macOf(2, h2)}`,
    });
  });

  test('without a key or workspace id the anchor has no MAC and the receipt no id; it says "mac=unkeyed"', () => {
    const db = Db.open(SQL);
    expect(currentAnchor(db)).toEqual({ count: 0, head: GENESIS, mac: '' });
    expect(auditReceipt(db, 0).text).toBe(`RINGSIDE-AUDIT-1 ws= n=0 head=${GENESIS} mac=unkeyed`);
  });

  test('a never-keyed log\'s receipt ("mac=unkeyed", any case) parses back with no MAC', () => {
    const head = 'ab'.repeat(32);
    const want = { workspace: 'w-1', count: 2, head, mac: '', source: 'receipt' };
    expect(parseReceipt(`RINGSIDE-AUDIT-1 ws=w-1 n=2 head=${head} mac=unkeyed`)).toEqual(want);
    expect(parseReceipt(`RINGSIDE-AUDIT-1 ws=w-1 n=2 head=${head} mac=UNKEYED`)).toEqual(want);
  });

  test('a receipt line parses back, in any case and with spaces around it', () => {
    const head = 'ab'.repeat(32);
    const mac = 'cd'.repeat(16);
    const want = { workspace: 'w-1', count: 12, head, mac, source: 'receipt' };
    expect(parseReceipt(`RINGSIDE-AUDIT-1 ws=w-1 n=12 head=${head} mac=${mac}`)).toEqual(want);
    expect(
      parseReceipt(`  ringside-audit-1 ws=w-1 n=12 head=${head.toUpperCase()} mac=${mac.toUpperCase()}\n`),
    ).toEqual(want);
  });

  test('a bare 64-hex head is a receipt of no count', () => {
    const head = 'ef'.repeat(32);
    expect(parseReceipt(` ${head.toUpperCase()} `)).toEqual({ count: -1, head, mac: '', source: 'receipt' });
  });

  test.each([
    ['a 63-hex head', 'e'.repeat(63)],
    ['a 65-hex head', 'e'.repeat(65)],
    ['junk before a head', `x${'e'.repeat(64)}`],
    ['junk before a line', `x RINGSIDE-AUDIT-1 ws=w n=1 head=${'a'.repeat(64)} mac=${'b'.repeat(32)}`],
    ['junk after a line', `RINGSIDE-AUDIT-1 ws=w n=1 head=${'a'.repeat(64)} mac=${'b'.repeat(32)} x`],
    ['a 31-hex MAC', `RINGSIDE-AUDIT-1 ws=w n=1 head=${'a'.repeat(64)} mac=${'b'.repeat(31)}`],
    ['a count that is no number', `RINGSIDE-AUDIT-1 ws=w n=x head=${'a'.repeat(64)} mac=${'b'.repeat(32)}`],
    ['no workspace', `RINGSIDE-AUDIT-1 ws= n=1 head=${'a'.repeat(64)} mac=${'b'.repeat(32)}`],
    ['an empty MAC', `RINGSIDE-AUDIT-1 ws=w n=1 head=${'a'.repeat(64)} mac=`],
    ['a MAC that is a word other than unkeyed', `RINGSIDE-AUDIT-1 ws=w n=1 head=${'a'.repeat(64)} mac=keyless`],
  ])('%s is refused with the expected forms', (_, text) => {
    expect(() => parseReceipt(text)).toThrow(
      'not an audit receipt: expected "RINGSIDE-AUDIT-1 ws=… n=… head=… mac=…" or a 64-hex head hash',
    );
  });
});

describe('the audit view: action groups, actor, time, combined with AND', () => {
  const ACTIONS = [
    'key.reveal',
    'keys.include',
    'pack.create',
    'results.merge',
    'results.rejected',
    'device.ring',
    'device.result',
    'identity-review',
    'audit.acknowledge',
    'import',
  ];
  async function mixed() {
    const db = bare();
    for (const [i, action] of ACTIONS.entries())
      await appendAudit(db, { at: T0 + i, actor: i < 5 ? 'zoe' : 'adam', action, detail: {} });
    return db;
  }
  const seqs = (db: Db, f: Parameters<typeof auditPage>[3]) => auditPage(db, 0, 50, f).rows.map((r) => r.seq);

  test('each group names its actions', async () => {
    const db = await mixed();
    expect(seqs(db, { group: 'key-reveals' })).toEqual([2, 1]);
    expect(seqs(db, { group: 'packs' })).toEqual([3]);
    expect(seqs(db, { group: 'merges' })).toEqual([5, 4]);
    expect(seqs(db, { group: 'overrides' })).toEqual([9, 8, 7, 6]);
  });

  test('actors are listed once each, in order; filters combine with AND', async () => {
    const db = await mixed();
    expect(auditPage(db, 0, 1).actors).toEqual(['adam', 'zoe']);
    expect(seqs(db, { group: 'merges', actor: 'zoe' })).toEqual([5, 4]);
    expect(seqs(db, { group: 'overrides', actor: 'zoe' })).toEqual([]);
    expect(seqs(db, { actor: 'adam', from: T0 + 7, to: T0 + 8 })).toEqual([9, 8]);
    expect(seqs(db, { from: T0 + 9 })).toEqual([10]);
    expect(seqs(db, { to: T0 })).toEqual([1]);
    expect(auditPage(db, 0, 50, { actor: 'zoe', to: T0 + 1 }).total).toBe(2);
  });

  test('a page holds at most 1000 rows', async () => {
    const db = bare();
    for (let i = 1; i <= 1001; i++)
      insertEntry(db, undefined, { at: T0 + i, actor: 'u', action: 'import', detail: '{}' });
    expect(auditPage(db, 0, 5000).rows).toHaveLength(1000);
    expect(auditPage(db, 0, 1000).rows).toHaveLength(1000);
    expect(auditPage(db, 0, 999).rows).toHaveLength(999);
    expect(auditPage(db, 0, 5000).total).toBe(1001);
  });
});

describe('the export, exactly', () => {
  test('JSON lines: each entry as stored, oldest first, then the receipt of the head', async () => {
    const db = await keyedLog(2);
    const [h1, h2] = [hashOf(db, 1), hashOf(db, 2)];
    const row = (seq: number, prev: string, hash: string) =>
      `{"seq":${seq},"at":${T0 + seq * 1000},"actor":"tech-1","action":"import","detail":"{\\"i\\":${seq}}","prev_hash":"${prev}","hash":"${hash}","alg":"hmac-sha256"}\n`;
    expect(exportAudit(db, 'jsonl', { now: T0 })).toBe(
      row(1, GENESIS, h1) +
        row(2, h1, h2) +
        `{"receipt":"RINGSIDE-AUDIT-1 ws=${WS} n=2 head=${h2} mac=${macOf(2, h2)}"}\n`,
    );
  });

  test('CSV: a header, one row per entry with its UTC time, the receipt last; CRLF line ends', async () => {
    const db = await keyedLog(2);
    const [h1, h2] = [hashOf(db, 1), hashOf(db, 2)];
    expect(exportAudit(db, 'csv')).toBe(
      'seq,at,actor,action,detail,prev_hash,hash,alg,time_utc\r\n' +
        `1,${T0 + 1000},tech-1,import,"{""i"":1}",${GENESIS},${h1},hmac-sha256,2024-07-19T04:09:01.000Z\r\n` +
        `2,${T0 + 2000},tech-1,import,"{""i"":2}",${h1},${h2},hmac-sha256,2024-07-19T04:09:02.000Z\r\n` +
        `# receipt RINGSIDE-AUDIT-1 ws=${WS} n=2 head=${h2} mac=${macOf(2, h2)}\r\n`,
    );
  });

  test('a filtered export holds only the matching entries, and the receipt of the whole log', async () => {
    const db = bare();
    enableKeyedAudit(db, KEY, T0, 'tech-1');
    for (const [i, action] of ['pack.create', 'import', 'pack.create'].entries())
      await appendAudit(db, { at: T0 + i, actor: 'u', action, detail: {} });
    const lines = exportAudit(db, 'jsonl', { filter: { group: 'packs' } })
      .trim()
      .split('\n');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l).seq)).toEqual([1, 3]);
    expect(JSON.parse(lines.at(-1)!).receipt).toBe(
      `RINGSIDE-AUDIT-1 ws=${WS} n=3 head=${hashOf(db, 3)} mac=${macOf(3, hashOf(db, 3))}`,
    );
  });
});
