// Audit verification rule by rule: which entry, which kind and which words for each tampering, the anchors and
// receipts checked against the chain, the exit codes, and an exported log verified on its own; worked out by hand.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import {
  acknowledgeAudit,
  anchorsAgree,
  appendAudit,
  auditStatus,
  enableKeyedAudit,
  exportAudit,
  GENESIS,
  rememberAnchors,
  verifyAudit,
  verifyAuditLines,
  type AuditAnchor,
} from '../../../../core/store/audit.js';
import { insertEntry } from '../../../../core/store/audit-chain.js';
import { Db } from '../../../../core/store/db.js';
import { auditLogs, T0 } from './audit-fixture.js';

const WS = 'ws-audit-rules';
const logs = auditLogs(WS, 3, (i) => (i % 2 ? 'key.reveal' : 'pack.create'));
const { hmac, macOf, anchor, hashOf, short, bare, append, keyedLog } = logs;
let SQL: SqlJsStatic;
let KEY: Uint8Array;
beforeAll(() => {
  SQL = logs.sql();
  KEY = logs.key();
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const kinds = (v: { problems: { kind: string }[] }) => v.problems.map((p) => p.kind);

/** A plain log of n entries, as written before the chain was keyed (no key, no anchor). */
async function plainLog(n: number): Promise<Db> {
  const db = bare();
  await append(db, n);
  return db;
}
/** The same file opened without the workspace key. */
const withoutKey = (db: Db) => Db.open(SQL, db.export());

describe('an intact chain verifies', () => {
  test('a new keyed workspace: no entries, head is the genesis hash, its own anchor at 0 holds', async () => {
    const db = await keyedLog(0);
    expect(verifyAudit(db)).toEqual({
      ok: true,
      entries: 0,
      head: GENESIS,
      problems: [],
      keyed: 0,
      plain: 0,
      exitCode: 0,
    });
    expect(anchorsAgree(db)).toBe(true);
  });

  test('a keyed log: every entry counted as keyed, head is the last hash', async () => {
    const db = await keyedLog(5);
    expect(verifyAudit(db)).toEqual({
      ok: true,
      entries: 5,
      head: hashOf(db, 5),
      problems: [],
      keyed: 5,
      plain: 0,
      exitCode: 0,
    });
  });

  test('a plain log never keyed verifies without a key and without an anchor', async () => {
    const db = await plainLog(3);
    expect(verifyAudit(db)).toEqual({
      ok: true,
      entries: 3,
      head: hashOf(db, 3),
      problems: [],
      keyed: 0,
      plain: 3,
      exitCode: 0,
    });
    expect(anchorsAgree(db)).toBe(true);
  });

  test('an upgraded log: the plain entries before the key change, keyed ones from it on', async () => {
    const db = await plainLog(3);
    enableKeyedAudit(db, KEY, T0 + 10_000, 'tech-1');
    await append(db, 1, 5);
    expect(verifyAudit(db)).toMatchObject({ ok: true, entries: 5, plain: 3, keyed: 2, head: hashOf(db, 5) });
  });
});

describe('the hash formulas are the documented ones', () => {
  test('a plain entry hashes SHA-256 of JSON [seq, at, actor, action, detail, prev_hash]', async () => {
    const db = await plainLog(2);
    expect(hashOf(db, 1)).toBe(sha256(JSON.stringify([1, T0 + 1000, 'tech-1', 'key.reveal', '{"i":1}', GENESIS])));
    const h1 = hashOf(db, 1);
    expect(hashOf(db, 2)).toBe(sha256(JSON.stringify([2, T0 + 2000, 'tech-1', 'pack.create', '{"i":2}', h1])));
  });

  test('a keyed entry is HMAC-SHA-256 under the audit key of JSON ["hmac-sha256", seq, at, actor, action, detail, prev_hash]', async () => {
    const db = await keyedLog(1);
    expect(hashOf(db, 1)).toBe(
      hmac(JSON.stringify(['hmac-sha256', 1, T0 + 1000, 'tech-1', 'key.reveal', '{"i":1}', GENESIS])),
    );
    const own = JSON.parse(db.value<string>("SELECT value FROM meta WHERE key = 'audit_anchor'")!);
    expect(own).toEqual({ count: 1, head: hashOf(db, 1), mac: macOf(1, hashOf(db, 1)) });
  });
});

describe("the audit hash covers the entry's time: back-dating is caught", () => {
  test('a keyed entry moved back one millisecond no longer matches its keyed hash', async () => {
    const db = await keyedLog(4);
    db.run('UPDATE audit SET at = at - 1 WHERE seq = 3');
    expect(verifyAudit(db).problems).toEqual([
      {
        kind: 'altered',
        seq: 3,
        message: 'entry 3 was altered or rewritten without the key: its content does not match its keyed hash',
      },
    ]);
  });

  test('a plain entry moved back one millisecond no longer matches its hash', async () => {
    const db = await plainLog(4);
    db.run('UPDATE audit SET at = at - 1 WHERE seq = 2');
    expect(verifyAudit(db).problems).toEqual([
      { kind: 'altered', seq: 2, message: 'entry 2 was altered: its content does not match its hash' },
    ]);
  });
});

describe('each field an entry is hashed over is covered', () => {
  test.each([
    ['actor', "'mallory'"],
    ['action', "'import'"],
    ['detail', `'{"i":99}'`],
  ])('an edited %s is "altered" at that entry, keyed and plain', async (field, value) => {
    for (const db of [await keyedLog(4), await plainLog(4)]) {
      db.run(`UPDATE audit SET ${field} = ${value} WHERE seq = 2`);
      const v = verifyAudit(db);
      expect(v.problems.map((p) => [p.kind, p.seq])).toEqual([['altered', 2]]);
      expect(v).toMatchObject({ ok: false, exitCode: 1, firstBroken: { seq: 2 } });
    }
  });

  test('only the first break is reported, and the head is the last entry that verified', async () => {
    const db = await keyedLog(6);
    db.run(`UPDATE audit SET detail = '{}' WHERE seq IN (2, 5)`);
    const v = verifyAudit(db);
    expect(v.problems.map((p) => p.seq)).toEqual([2]);
    expect(v).toMatchObject({ entries: 6, keyed: 1, head: hashOf(db, 1) });
    expect(v.firstBroken).toEqual({ seq: 2, reason: v.problems[0]!.message });
  });

  test('entry 1 altered: nothing verified, the head is the genesis hash, and no second "downgraded"', async () => {
    const db = await keyedLog(3);
    db.run(`UPDATE audit SET actor = 'x' WHERE seq = 1`);
    expect(verifyAudit(db)).toMatchObject({ head: GENESIS, keyed: 0, problems: [{ kind: 'altered', seq: 1 }] });
    expect(verifyAudit(db).problems).toHaveLength(1);
  });
});

describe('links: a prev_hash naming no entry is "altered", naming another entry is "reordered"', () => {
  test('a prev_hash that is no entry’s hash', async () => {
    const db = await keyedLog(4);
    db.run('UPDATE audit SET prev_hash = ? WHERE seq = 3', ['ab'.repeat(32)]);
    expect(verifyAudit(db).problems).toEqual([
      {
        kind: 'altered',
        seq: 3,
        message: "entry 3 does not link to entry 2: its prev_hash differs from that entry's hash",
      },
    ]);
  });

  test('two entries swapped: entry 3 links to entry 4', async () => {
    const db = await keyedLog(5);
    db.run('UPDATE audit SET seq = -3 WHERE seq = 3');
    db.run('UPDATE audit SET seq = 3 WHERE seq = 4');
    db.run('UPDATE audit SET seq = 4 WHERE seq = -3');
    expect(verifyAudit(db).problems).toEqual([
      { kind: 'reordered', seq: 3, message: 'entry 3 links to entry 4, not to entry 2: entries were reordered' },
    ]);
  });

  test('an entry linking back past its neighbour: entry 5 links to entry 2', async () => {
    const db = await keyedLog(6);
    db.run('UPDATE audit SET prev_hash = ? WHERE seq = 5', [hashOf(db, 2)]);
    expect(verifyAudit(db).problems).toEqual([
      { kind: 'reordered', seq: 5, message: 'entry 5 links to entry 2, not to entry 4: entries were reordered' },
    ]);
  });
});

describe('keys: a plain entry after a keyed one is a downgrade; keyed entries need the key', () => {
  test('one entry rewritten as plain after the key change is "downgraded" at that entry', async () => {
    const db = await plainLog(3);
    enableKeyedAudit(db, KEY, T0 + 10_000, 'tech-1');
    await append(db, 1, 5);
    const prev = hashOf(db, 4);
    const forged = sha256(JSON.stringify([5, T0 + 5000, 'tech-1', 'key.reveal', '{"i":5}', prev]));
    db.run("UPDATE audit SET hash = ?, alg = 'sha256' WHERE seq = 5", [forged]);
    const v = verifyAudit(db);
    expect(v.problems[0]).toEqual({
      kind: 'downgraded',
      seq: 5,
      message: 'entry 5 is plain-hashed after the chain was keyed: it was rewritten without the key',
    });
    expect(v).toMatchObject({ plain: 3, keyed: 1, exitCode: 1 });
  });

  test('every entry rewritten as plain: "downgraded" without an entry, and the anchor shows the rewritten head', async () => {
    const db = await keyedLog(3);
    let prev = GENESIS;
    for (let seq = 1; seq <= 3; seq++) {
      const r = db.get<{ at: number; action: string; detail: string }>(
        'SELECT at, action, detail FROM audit WHERE seq = ?',
        [seq],
      )!;
      const hash = sha256(JSON.stringify([seq, r.at, 'tech-1', r.action, r.detail, prev]));
      db.run("UPDATE audit SET prev_hash = ?, hash = ?, alg = 'sha256' WHERE seq = ?", [prev, hash, seq]);
      prev = hash;
    }
    const v = verifyAudit(db);
    expect(v.problems).toEqual([
      {
        kind: 'downgraded',
        message: 'the workspace records a keyed chain but no entry is keyed: the chain was rewritten without the key',
      },
      {
        kind: 'rewritten',
        seq: 3,
        message:
          'entry 3 is not the one workspace metadata recorded: the log was rewritten or an older copy restored and added to',
      },
    ]);
    // The first problem that names an entry is the one reported first.
    expect(v).toMatchObject({ plain: 3, keyed: 0, exitCode: 1 });
    expect(v.firstBroken).toEqual({ seq: 3, reason: v.problems[1]!.message });
  });

  test('a keyed log opened without the key is "unverifiable" from entry 1 (exit 1)', async () => {
    const db = withoutKey(await keyedLog(3));
    expect(verifyAudit(db)).toEqual({
      ok: false,
      entries: 3,
      head: GENESIS,
      problems: [{ kind: 'unverifiable', seq: 1, message: 'entry 1 is keyed and the workspace key was not given' }],
      keyed: 0,
      plain: 0,
      exitCode: 1,
      firstBroken: { seq: 1, reason: 'entry 1 is keyed and the workspace key was not given' },
    });
  });
});

describe("the workspace's own anchor", () => {
  test('removed from a keyed workspace: "anchor-missing", exit 3, reported at the last entry', async () => {
    const db = await keyedLog(4);
    db.run("DELETE FROM meta WHERE key = 'audit_anchor'");
    const message = 'the head anchor in the workspace metadata was removed';
    expect(verifyAudit(db)).toMatchObject({
      ok: false,
      problems: [{ kind: 'anchor-missing', message }],
      exitCode: 3,
      firstBroken: { seq: 4, reason: message },
    });
    expect(anchorsAgree(db)).toBe(false);
  });

  test.each([
    ['not JSON', 'not json'],
    ['JSON null', 'null'],
    ['a count given as text', JSON.stringify({ count: '4', head: 'a'.repeat(64), mac: 'b'.repeat(32) })],
    ['a head that is no string', JSON.stringify({ count: 4, head: ['a'.repeat(64)], mac: 'b'.repeat(32) })],
    ['no mac', JSON.stringify({ count: 4, head: 'a'.repeat(64) })],
  ])('%s is "unreadable" (exit 3)', async (_, text) => {
    const db = await keyedLog(4);
    db.run("UPDATE meta SET value = ? WHERE key = 'audit_anchor'", [text]);
    expect(verifyAudit(db)).toMatchObject({
      problems: [{ kind: 'anchor-invalid', message: 'the anchor in workspace metadata is unreadable' }],
      exitCode: 3,
    });
  });

  test('a tail of one entry cut: "entry 5 was cut", reported at entry 5', async () => {
    const db = await keyedLog(5);
    const h5 = hashOf(db, 5);
    db.run('DELETE FROM audit WHERE seq = 5');
    expect(verifyAudit(db)).toMatchObject({
      ok: false,
      entries: 4,
      head: hashOf(db, 4),
      exitCode: 3,
      problems: [
        {
          kind: 'tail-cut',
          seq: 5,
          message: `the log holds 4 entries but workspace metadata recorded 5 (head ${short(h5)}): entry 5 was cut from the tail, or an older copy of the workspace was restored`,
        },
      ],
    });
    expect(anchorsAgree(db)).toBe(false);
  });

  test('a tail of three entries cut: "entries 3–5 were cut"', async () => {
    const db = await keyedLog(5);
    const h5 = hashOf(db, 5);
    db.run('DELETE FROM audit WHERE seq >= 3');
    expect(verifyAudit(db).problems).toEqual([
      {
        kind: 'tail-cut',
        seq: 3,
        message: `the log holds 2 entries but workspace metadata recorded 5 (head ${short(h5)}): entries 3–5 were cut from the tail, or an older copy of the workspace was restored`,
      },
    ]);
  });

  test('the last entry replaced by another at the same count: "rewritten" at that entry; the anchor stays behind', async () => {
    const db = await keyedLog(4);
    db.run('DELETE FROM audit WHERE seq = 4');
    // Two appends: the second lands on the anchor's count with another hash, and must not move the anchor either.
    await append(db, 2, 9);
    expect(verifyAudit(db).problems).toEqual([
      {
        kind: 'rewritten',
        seq: 4,
        message:
          'entry 4 is not the one workspace metadata recorded: the log was rewritten or an older copy restored and added to',
      },
    ]);
    expect(anchorsAgree(db)).toBe(false);
  });
});

describe('anchors from outside the file (journal, snapshot anchor file)', () => {
  test('at the head, behind it, and at 0 (before the first entry) they hold', async () => {
    const db = await keyedLog(4);
    const v = verifyAudit(db, {
      anchors: [anchor(4, hashOf(db, 4), 'journal'), anchor(2, hashOf(db, 2), 'journal'), anchor(0, GENESIS)],
    });
    expect(v).toMatchObject({ ok: true, problems: [] });
  });

  test('one without a source is named "an anchor"', async () => {
    const db = await keyedLog(2);
    const ahead = 'c'.repeat(64);
    expect(verifyAudit(db, { anchors: [anchor(3, ahead)] }).problems).toEqual([
      {
        kind: 'tail-cut',
        seq: 3,
        message: `the log holds 2 entries but an anchor recorded 3 (head ${short(ahead)}): entry 3 was cut from the tail, or an older copy of the workspace was restored`,
      },
    ]);
  });

  test('an older anchor whose entry changed: "rewritten" at its count', async () => {
    const db = await keyedLog(4);
    expect(verifyAudit(db, { anchors: [anchor(2, 'd'.repeat(64), 'journal')] }).problems).toEqual([
      {
        kind: 'rewritten',
        seq: 2,
        message:
          'entry 2 is not the one journal recorded: the log was rewritten or an older copy restored and added to',
      },
    ]);
  });

  test('one made with another key, or for another workspace, is "not made with this workspace\'s key"', async () => {
    const db = await keyedLog(2);
    const h = hashOf(db, 2);
    for (const mac of ['0'.repeat(32), macOf(2, h, 'another-ws')]) {
      expect(verifyAudit(db, { anchors: [{ count: 2, head: h, mac, source: 'journal' }] }).problems).toEqual([
        { kind: 'anchor-invalid', message: "the anchor in journal was not made with this workspace's key" },
      ]);
    }
  });

  test.each([
    ['a negative count', -2, 'e'.repeat(64)],
    ['a 63-hex head', 2, 'e'.repeat(63)],
    ['a 65-hex head', 2, 'e'.repeat(65)],
    ['a head in capitals', 2, 'E'.repeat(64)],
    ['a head after junk', 2, `x${'e'.repeat(64)}`],
    ['a head before junk', 2, `${'e'.repeat(64)}x`],
  ])('%s is "unreadable"', async (_, count, head) => {
    const db = await keyedLog(2);
    expect(verifyAudit(db, { anchors: [anchor(count, head, 'snapshot anchor file')] }).problems).toEqual([
      { kind: 'anchor-invalid', message: 'the anchor in snapshot anchor file is unreadable' },
    ]);
  });

  test('the same anchor given twice is reported once; two different ones twice', async () => {
    const db = await keyedLog(2);
    const a = anchor(3, 'c'.repeat(64), 'journal');
    expect(kinds(verifyAudit(db, { anchors: [a, a] }))).toEqual(['tail-cut']);
    expect(kinds(verifyAudit(db, { anchors: [a, anchor(4, 'c'.repeat(64), 'journal')] }))).toEqual([
      'tail-cut',
      'tail-cut',
    ]);
    // Same count and head, another MAC: a different anchor, checked on its own.
    expect(
      kinds(
        verifyAudit(db, { anchors: [anchor(2, hashOf(db, 2)), { ...anchor(2, hashOf(db, 2)), mac: '1'.repeat(32) }] }),
      ),
    ).toEqual(['anchor-invalid']);
  });

  test('remembered anchors are what the open-time status checks, all of them', async () => {
    const db = await keyedLog(2);
    expect(auditStatus(db).ok).toBe(true);
    rememberAnchors(db, [anchor(3, 'c'.repeat(64), 'journal')]);
    rememberAnchors(db, [anchor(1, 'd'.repeat(64), 'snapshot anchor file')]);
    expect(auditStatus(db).problems.map((p) => [p.kind, p.seq])).toEqual([
      ['tail-cut', 3],
      ['rewritten', 1],
    ]);
  });

  test('an acknowledged loss excuses the anchor it names; an ordinary entry with the same fields does not', async () => {
    const lost = await keyedLog(4);
    const stale = anchor(4, hashOf(lost, 4), 'journal');
    lost.run('DELETE FROM audit WHERE seq = 4');
    rememberAnchors(lost, [stale]);
    expect(kinds(auditStatus(lost))).toEqual(['tail-cut', 'tail-cut']);
    await acknowledgeAudit(lost, { at: T0 + 60_000, actor: 'lead', note: 'restored from backup' });
    expect(verifyAudit(lost, { anchors: [stale] })).toMatchObject({ ok: true });

    const forged = await keyedLog(3);
    await appendAudit(forged, {
      at: T0 + 9000,
      actor: 'mallory',
      action: 'import',
      detail: { anchoredCount: 4, anchoredHead: stale.head },
    });
    const fake = anchor(4, stale.head, 'journal');
    expect(verifyAudit(forged, { anchors: [fake] }).problems.map((p) => [p.kind, p.seq])).toEqual([['rewritten', 4]]);
  });

  test('an acknowledgement whose detail is not JSON (written with the key) is skipped, not fatal', async () => {
    const db = await keyedLog(1);
    insertEntry(db, KEY, { at: T0 + 5000, actor: 'lead', action: 'audit.acknowledge', detail: 'not json' });
    expect(verifyAudit(db)).toMatchObject({ ok: true, entries: 2, keyed: 2 });
  });
});

describe('anchorsAgree: a save may move the anchor files only while every anchor agrees', () => {
  test('remembered anchors at or behind the head that match agree; ahead of it or differing do not', async () => {
    const db = await keyedLog(3);
    const ok = [anchor(3, hashOf(db, 3)), anchor(1, hashOf(db, 1)), anchor(0, 'f'.repeat(64))];
    rememberAnchors(db, ok);
    expect(anchorsAgree(db)).toBe(true);
    for (const bad of [anchor(4, 'c'.repeat(64)), anchor(3, 'c'.repeat(64)), anchor(1, hashOf(db, 2))]) {
      const copy = Db.open(SQL, db.export());
      rememberAnchors(copy, [...ok, bad]);
      expect(anchorsAgree(copy), JSON.stringify(bad)).toBe(false);
    }
  });

  test('the own anchor must sit exactly at the head, by count and by hash', async () => {
    const db = await keyedLog(3);
    db.run("UPDATE meta SET value = ? WHERE key = 'audit_anchor'", [JSON.stringify(anchor(2, hashOf(db, 3)))]);
    expect(anchorsAgree(db)).toBe(false);
    db.run("UPDATE meta SET value = ? WHERE key = 'audit_anchor'", [JSON.stringify(anchor(3, hashOf(db, 2)))]);
    expect(anchorsAgree(db)).toBe(false);
    db.run("UPDATE meta SET value = ? WHERE key = 'audit_anchor'", [JSON.stringify(anchor(3, hashOf(db, 3)))]);
    expect(anchorsAgree(db)).toBe(true);
  });
});

describe('receipts (--expect)', () => {
  test('a bare head of any entry holds; one of no entry is "receipt-mismatch" alone: exit 4', async () => {
    const db = await keyedLog(4);
    const bareHead = (head: string): AuditAnchor => ({ count: -1, head, mac: '', source: 'receipt' });
    expect(verifyAudit(db, { expect: bareHead(hashOf(db, 2)) }).ok).toBe(true);
    const other = '9'.repeat(64);
    const message = `no entry has the receipt's head ${short(other)}`;
    expect(verifyAudit(db, { expect: bareHead(other) })).toMatchObject({
      ok: false,
      problems: [{ kind: 'receipt-mismatch', message }],
      exitCode: 4,
      firstBroken: { seq: 4, reason: message },
    });
  });

  test('a receipt of the empty log (n=0) holds for the log that grew from it', async () => {
    const db = await keyedLog(3);
    expect(verifyAudit(db, { expect: anchor(0, GENESIS) }).ok).toBe(true);
  });

  test('a receipt from further on than the log is "receipt-mismatch" with the cut entries named: exit 4', async () => {
    const db = await keyedLog(3);
    const later = 'a'.repeat(64);
    expect(verifyAudit(db, { expect: anchor(5, later) })).toMatchObject({
      problems: [
        {
          kind: 'receipt-mismatch',
          seq: 4,
          message: `the log holds 3 entries but the receipt recorded 5 (head ${short(later)}): entries 4–5 were cut from the tail, or an older copy of the workspace was restored`,
        },
      ],
      exitCode: 4,
    });
  });

  test('a receipt whose entry differs is "receipt-mismatch"; one with a wrong MAC is "anchor-invalid": exit 3', async () => {
    const db = await keyedLog(3);
    expect(verifyAudit(db, { expect: anchor(2, hashOf(db, 3)) })).toMatchObject({
      problems: [{ kind: 'receipt-mismatch', seq: 2 }],
      exitCode: 4,
    });
    expect(verifyAudit(db, { expect: { ...anchor(3, hashOf(db, 3)), mac: 'e'.repeat(32) } })).toMatchObject({
      problems: [
        { kind: 'anchor-invalid', message: "the anchor in the receipt was not made with this workspace's key" },
      ],
      exitCode: 3,
    });
  });

  test('only the receipt’s own findings become "receipt-mismatch": the own anchor’s cut tail stays "tail-cut" (exit 3)', async () => {
    const db = await keyedLog(4);
    const receipt = anchor(4, hashOf(db, 4));
    db.run('DELETE FROM audit WHERE seq = 4');
    expect(verifyAudit(db, { expect: receipt })).toMatchObject({
      problems: [{ kind: 'tail-cut' }, { kind: 'receipt-mismatch' }],
      exitCode: 3,
    });
  });

  test('a broken chain is exit 1 whatever else is found', async () => {
    const db = await keyedLog(3);
    db.run("UPDATE audit SET detail = '{}' WHERE seq = 2");
    expect(verifyAudit(db, { expect: anchor(7, 'a'.repeat(64)) })).toMatchObject({
      problems: [{ kind: 'altered' }, { kind: 'receipt-mismatch' }],
      exitCode: 1,
    });
  });
});

describe('an exported JSON-lines log verifies on its own', () => {
  const lines = (text: string) => text.split('\n').filter(Boolean);

  test('intact, with the key: every entry keyed, head the last hash; without the key the first is "unverifiable"', async () => {
    const db = await keyedLog(3);
    const text = exportAudit(db, 'jsonl', { now: T0 });
    expect(verifyAuditLines(text, KEY)).toEqual({
      ok: true,
      entries: 3,
      head: hashOf(db, 3),
      problems: [],
      keyed: 3,
      plain: 0,
      exitCode: 0,
    });
    const message = 'entry 1 is keyed: give the audit key to verify it';
    expect(verifyAuditLines(text)).toMatchObject({
      ok: false,
      entries: 1,
      head: GENESIS,
      problems: [{ kind: 'unverifiable', seq: 1, message }],
      exitCode: 1,
      firstBroken: { seq: 1, reason: message },
    });
  });

  test('a plain log verifies without a key; an upgraded one with it, plain entries first', async () => {
    const db = await plainLog(2);
    expect(verifyAuditLines(exportAudit(db, 'jsonl'))).toMatchObject({ ok: true, entries: 2, plain: 2, keyed: 0 });
    enableKeyedAudit(db, KEY, T0 + 10_000, 'tech-1');
    await append(db, 1, 4);
    expect(verifyAuditLines(exportAudit(db, 'jsonl'), KEY)).toMatchObject({
      ok: true,
      entries: 4,
      plain: 2,
      keyed: 2,
      head: hashOf(db, 4),
    });
  });

  test('a plain line re-hashed over a false link or a false number does not verify', async () => {
    const db = await plainLog(2);
    const [l1] = lines(exportAudit(db, 'jsonl'));
    const forge = (seq: number, prev: string) => {
      const e = { seq, at: T0 + 9000, actor: 'x', action: 'import', detail: '{}', prev_hash: prev };
      const hash = sha256(JSON.stringify([e.seq, e.at, e.actor, e.action, e.detail, e.prev_hash]));
      return JSON.stringify({ ...e, hash, alg: 'sha256' });
    };
    expect(verifyAuditLines([l1, forge(2, 'a'.repeat(64))].join('\n')).problems).toEqual([
      { kind: 'altered', seq: 2, message: 'entry 2 does not verify' },
    ]);
    expect(verifyAuditLines([l1, forge(3, hashOf(db, 1))].join('\n')).problems).toEqual([
      { kind: 'missing', seq: 3, message: 'entry 3 does not verify' },
    ]);
    expect(verifyAuditLines([l1, forge(2, hashOf(db, 1))].join('\n'))).toMatchObject({ ok: true, entries: 2 });
  });

  test('a plain entry after a keyed one does not verify, even with a correct plain hash', async () => {
    const db = await keyedLog(2);
    const body = lines(exportAudit(db, 'jsonl')).slice(0, 2);
    const e = { seq: 3, at: T0 + 3000, actor: 'x', action: 'import', detail: '{}', prev_hash: hashOf(db, 2) };
    const hash = sha256(JSON.stringify([e.seq, e.at, e.actor, e.action, e.detail, e.prev_hash]));
    const text = [...body, JSON.stringify({ ...e, hash, alg: 'sha256' })].join('\n');
    expect(verifyAuditLines(text, KEY)).toMatchObject({
      problems: [{ kind: 'altered', seq: 3, message: 'entry 3 does not verify' }],
      keyed: 2,
      head: hashOf(db, 2),
    });
  });

  test('blank and space-only lines are skipped; a line that is not JSON is reported by its line in the file', async () => {
    const db = await keyedLog(3);
    const [l1, l2, l3, receipt] = lines(exportAudit(db, 'jsonl'));
    expect(verifyAuditLines([l1, '', '   ', l2, l3, receipt, ''].join('\n'), KEY)).toMatchObject({
      ok: true,
      entries: 3,
    });
    // Lines: 1 receipt, 2 entry 1, 3 blank, 4 entry 2, 5 the broken one (where entry 3 should be).
    expect(verifyAuditLines([receipt, l1, '', l2, '{"seq":3,', l3].join('\n'), KEY)).toMatchObject({
      problems: [{ kind: 'altered', seq: 3, message: 'line 5 is not valid JSON' }],
      entries: 2,
      exitCode: 1,
    });
    // JSON that is not an object ("null") is not an entry either, and is no reason to throw.
    expect(verifyAuditLines([l1, 'null', l2].join('\n'), KEY)).toMatchObject({
      problems: [{ kind: 'altered', seq: 2, message: 'line 2 is not an audit entry (a JSON object)' }],
      entries: 1,
      exitCode: 1,
    });
  });

  test('a removed line is "missing" at the next entry; an edited one "altered"', async () => {
    const db = await keyedLog(4);
    const [l1, l2, l3, l4] = lines(exportAudit(db, 'jsonl'));
    expect(verifyAuditLines([l1, l2, l4].join('\n'), KEY).problems).toEqual([
      { kind: 'missing', seq: 4, message: 'entry 4 does not verify' },
    ]);
    expect(
      verifyAuditLines([l1, l2!.replace('"actor":"tech-1"', '"actor":"tech-9"'), l3].join('\n'), KEY).problems,
    ).toEqual([{ kind: 'altered', seq: 2, message: 'entry 2 does not verify' }]);
    // A line whose link alone was changed.
    const relinked = JSON.stringify({ ...JSON.parse(l2!), prev_hash: 'a'.repeat(64) });
    expect(kinds(verifyAuditLines([l1, relinked].join('\n'), KEY))).toEqual(['altered']);
  });

  test('the receipt line must name the export’s own count and head: a cut tail is exit 3', async () => {
    const db = await keyedLog(3);
    const [l1, l2, l3, receipt] = lines(exportAudit(db, 'jsonl'));
    const message = `the export holds 2 entries ending in ${short(hashOf(db, 2))}, its receipt names 3 ending in ${short(hashOf(db, 3))}`;
    expect(verifyAuditLines([l1, l2, receipt].join('\n'), KEY)).toMatchObject({
      ok: false,
      problems: [{ kind: 'tail-cut', message }],
      exitCode: 3,
      firstBroken: { seq: 2, reason: message },
    });
    // The same count with another head (a receipt from another copy, its MAC true) does not match either.
    const theirs = JSON.stringify({
      receipt: `RINGSIDE-AUDIT-1 ws=${WS} n=3 head=${'b'.repeat(64)} mac=${macOf(3, 'b'.repeat(64))}`,
    });
    expect(kinds(verifyAuditLines([l1, l2, l3, theirs].join('\n'), KEY))).toEqual(['tail-cut']);
    // Without a receipt line the export is checked as a chain only.
    expect(verifyAuditLines([l1, l2].join('\n'), KEY).ok).toBe(true);
  });

  test('a broken export reports its first break only, not the receipt as well, wherever the receipt line is', async () => {
    const db = await keyedLog(3);
    const [l1, l2, , receipt] = lines(exportAudit(db, 'jsonl'));
    const edited = l2!.replace('tech-1', 'tech-2');
    expect(kinds(verifyAuditLines([l1, edited, receipt].join('\n'), KEY))).toEqual(['altered']);
    expect(kinds(verifyAuditLines([receipt, l1, edited].join('\n'), KEY))).toEqual(['altered']);
  });

  test('a receipt naming the right head with another count does not match', async () => {
    const db = await keyedLog(2);
    const [l1, l2] = lines(exportAudit(db, 'jsonl'));
    // A true MAC over the false count: only the count is wrong.
    const receipt = JSON.stringify({
      receipt: `RINGSIDE-AUDIT-1 ws=${WS} n=3 head=${hashOf(db, 2)} mac=${macOf(3, hashOf(db, 2))}`,
    });
    expect(kinds(verifyAuditLines([l1, l2, receipt].join('\n'), KEY))).toEqual(['tail-cut']);
  });

  test('a never-keyed log\'s export verifies with its receipt, which says "mac=unkeyed"', async () => {
    const db = await plainLog(2);
    const text = exportAudit(db, 'jsonl', { now: T0 });
    expect(lines(text)[2]).toBe(
      JSON.stringify({ receipt: `RINGSIDE-AUDIT-1 ws=${WS} n=2 head=${hashOf(db, 2)} mac=unkeyed` }),
    );
    expect(verifyAuditLines(text)).toEqual({
      ok: true,
      entries: 2,
      head: hashOf(db, 2),
      problems: [],
      keyed: 0,
      plain: 2,
      exitCode: 0,
    });
    // Its receipt still names its head: one entry cut is found.
    const [l1, , receipt] = lines(text);
    expect(kinds(verifyAuditLines([l1, receipt].join('\n')))).toEqual(['tail-cut']);
  });

  test('a malformed receipt line is a finding naming its line, not a throw; the entries are still checked', async () => {
    const db = await keyedLog(2);
    const [l1, l2] = lines(exportAudit(db, 'jsonl'));
    const grammar = 'not an audit receipt: expected "RINGSIDE-AUDIT-1 ws=… n=… head=… mac=…" or a 64-hex head hash';
    const junk = JSON.stringify({ receipt: 'RINGSIDE-AUDIT-1 ws=x n=2' });
    const message = `line 2: the receipt is unreadable: ${grammar}`;
    expect(verifyAuditLines([l1, junk, l2].join('\n'), KEY)).toEqual({
      ok: false,
      entries: 2,
      head: hashOf(db, 2),
      problems: [{ kind: 'anchor-invalid', message }],
      keyed: 2,
      plain: 0,
      exitCode: 3,
      firstBroken: { seq: 2, reason: message },
    });
    // A bare head is a receipt for `verify --expect`, not for an export: it names no count.
    const bareHead = JSON.stringify({ receipt: hashOf(db, 2) });
    expect(verifyAuditLines([l1, l2, bareHead].join('\n'), KEY).problems).toEqual([
      { kind: 'anchor-invalid', message: 'line 3: the receipt is unreadable: a bare head hash names no count' },
    ]);
    // With a broken entry after it, the break is the first finding and decides the exit code.
    const edited = l2!.replace('tech-1', 'tech-2');
    expect(verifyAuditLines([l1, junk, edited].join('\n'), KEY)).toMatchObject({
      problems: [{ kind: 'anchor-invalid' }, { kind: 'altered', seq: 2 }],
      firstBroken: { seq: 2, reason: 'entry 2 does not verify' },
      exitCode: 1,
    });
  });

  test('the receipt\'s MAC is checked with the key: made up, for another workspace, or missing, it is "anchor-invalid"', async () => {
    const db = await keyedLog(2);
    const h2 = hashOf(db, 2);
    const [l1, l2, receipt] = lines(exportAudit(db, 'jsonl'));
    expect(receipt).toBe(JSON.stringify({ receipt: `RINGSIDE-AUDIT-1 ws=${WS} n=2 head=${h2} mac=${macOf(2, h2)}` }));
    const withReceipt = (text: string) => [l1, l2, JSON.stringify({ receipt: text })].join('\n');
    const message = "the receipt on line 3 was not made with this workspace's key";
    for (const text of [
      `RINGSIDE-AUDIT-1 ws=${WS} n=2 head=${h2} mac=${'0'.repeat(32)}`,
      // The MAC binds the workspace id: the same MAC under another id does not hold.
      `RINGSIDE-AUDIT-1 ws=other n=2 head=${h2} mac=${macOf(2, h2)}`,
      `RINGSIDE-AUDIT-1 ws=${WS} n=2 head=${h2} mac=unkeyed`,
    ])
      expect(verifyAuditLines(withReceipt(text), KEY)).toMatchObject({
        ok: false,
        entries: 2,
        problems: [{ kind: 'anchor-invalid', message }],
        exitCode: 3,
      });
    expect(verifyAuditLines(withReceipt(`RINGSIDE-AUDIT-1 ws=${WS} n=2 head=${h2} mac=${macOf(2, h2)}`), KEY).ok).toBe(
      true,
    );
  });

  test('without the key a receipt carrying a MAC is "unverifiable"', async () => {
    // An empty keyed log: no entry to check, only its receipt, whose MAC needs the key.
    const db = await keyedLog(0);
    const text = exportAudit(db, 'jsonl');
    expect(verifyAuditLines(text, KEY)).toMatchObject({ ok: true, entries: 0, head: GENESIS });
    const message = 'the receipt on line 1 carries a MAC: give the audit key to verify it';
    expect(verifyAuditLines(text)).toEqual({
      ok: false,
      entries: 0,
      head: GENESIS,
      problems: [{ kind: 'unverifiable', message }],
      keyed: 0,
      plain: 0,
      exitCode: 1,
      firstBroken: { seq: 0, reason: message },
    });
  });

  test('an edited plain line does not verify', async () => {
    const db = await plainLog(2);
    const [l1, l2] = lines(exportAudit(db, 'jsonl'));
    expect(verifyAuditLines([l1, l2!.replace('"actor":"tech-1"', '"actor":"tech-9"')].join('\n')).problems).toEqual([
      { kind: 'altered', seq: 2, message: 'entry 2 does not verify' },
    ]);
  });

  test('a filtered export does not verify as a chain: its first entry is not entry 1', async () => {
    const db = await keyedLog(4);
    const text = exportAudit(db, 'jsonl', { filter: { group: 'packs' } });
    expect(verifyAuditLines(text, KEY).problems[0]).toEqual({
      kind: 'missing',
      seq: 2,
      message: 'entry 2 does not verify',
    });
  });
});
