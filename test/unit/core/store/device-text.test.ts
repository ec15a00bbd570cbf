// The device text search through its trigram index gives what the plain LIKE scan gave: matches, order and paging.
import { beforeAll, describe, expect, it } from 'vitest';
import { devices, deviceTotal } from '../../../../core/analysis/devices.js';
import type { DeviceQuery } from '../../../../core/store/devices.js';
import { decode, rebuildDirtyChunks, termGrams } from '../../../../core/store/device-text.js';
import {
  bigramRuns,
  firstOfRuns,
  textCandidates,
  textRuns,
  type TextRun,
} from '../../../../core/store/device-text-search.js';
import { inputFromBytes } from '../../../../core/contract/ingest.js';
import migration24 from '../../../../core/store/migrations/024-device-text.js';
import { importFile } from '../../../../core/ingest/index.js';
import { loadSample } from '../../../../core/sample/handlers.js';
import { sampleImportInput } from '../../../../core/sample/index.js';
import { population } from '../../../../core/sample/model.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { fixtures } from '../../../fixtures/ingest/generate.js';

const open = async (bytes?: Uint8Array) =>
  openWorkspace({ SQL: await loadSqlJs(), bytes, keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });

/** The search as it was before the index, written out here: LIKE on six columns, hostname order, current devices. */
function scan(ws: Workspace, term: string, includeStale = false): number[] {
  const like = `%${term.replace(/\\/g, '\\\\').replace(/%/g, '\\%').replace(/_/g, '\\_')}%`;
  const cols = ['hostname', 'serial', 'falcon_aid', 'entra_id', 'intune_id', 'user'];
  return ws.db
    .all<{ id: number }>(
      `SELECT id FROM devices WHERE ${includeStale ? '' : 'superseded_by IS NULL AND'}
         (${cols.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')}) ORDER BY hostname COLLATE NOCASE, id`,
      cols.map(() => like),
    )
    .map((r) => r.id);
}

/** Every page of a search, walked with the cursor, as the device table pages it. */
function pages(ws: Workspace, q: DeviceQuery): { ids: number[]; total: number } {
  const ids: number[] = [];
  let cursor: string | null = null;
  let total = -2;
  do {
    const p = devices(ws, { ...q, limit: 7, ...(cursor ? { cursor } : {}) });
    // A first page with more matches than it holds leaves the count to deviceTotal, as the device table asks for it.
    if (total === -2) {
      const counted = p.countPending ? deviceTotal(ws, q) : { total: p.total, capped: false };
      expect(counted.capped).toBe(false);
      total = counted.total;
    }
    ids.push(...p.rows.map((r) => r.id));
    cursor = p.nextCursor;
  } while (cursor);
  return { ids, total };
}

const idsOf = (r: TextRun) => {
  r.load(0, r.length);
  return Array.from({ length: r.length }, (_, k) => r.id(k));
};

const swapCase = (s: string) => [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');

/** Terms taken from the workspace's own devices, plus the edge cases the LIKE scan has always handled. */
function termsOf(ws: Workspace): string[] {
  const d = ws.db.get<Record<string, string | null>>(
    'SELECT hostname, serial, falcon_aid, entra_id, intune_id, user FROM devices WHERE user IS NOT NULL AND serial IS NOT NULL ORDER BY id LIMIT 1 OFFSET 7',
  )!;
  const host = d.hostname!;
  return [
    host,
    swapCase(host),
    host.slice(0, 6),
    host.slice(-4),
    d.serial!,
    d.serial!.slice(2, 7),
    d.falcon_aid!.slice(9, 19),
    d.falcon_aid!.toUpperCase(),
    d.user!,
    d.user!.slice(1, 5).toUpperCase(),
    d.entra_id ?? 'abc',
    (d.intune_id ?? 'f0e').slice(0, 13),
    'a',
    'PC',
    'pC',
    '%q',
    'q9',
    'ZQ',
    'ço',
    'Ço',
    '.é',
    '0',
    'zzzz-no-such-device',
    '%',
    '_',
    '%_%',
    'LAB_7%',
    'lab_7',
    'B_7%q',
    '\\x',
    'é',
    'FRANÇ',
    'franç',
    '  pc-0  ',
  ];
}

function expectSameAsScan(ws: Workspace, terms: string[]) {
  for (const term of terms) {
    for (const includeStale of [false, true]) {
      const want = scan(ws, term.trim(), includeStale);
      const got = pages(ws, { text: term, includeStale });
      expect(got.ids, `${term} (stale ${includeStale})`).toEqual(want);
      expect(got.total, term).toBe(want.length);
    }
    // Another order and direction: the same set, sorted as that column sorts.
    const byTime = devices(ws, { text: term, sort: 'lastSeen', dir: 'desc', limit: 5000 });
    expect(new Set(byTime.rows.map((r) => r.id)), term).toEqual(new Set(scan(ws, term.trim())));
  }
}

/** A device whose name holds the LIKE wildcards and a non-ASCII letter, written outside any import. */
function addOddDevice(ws: Workspace): void {
  ws.db.run(
    "INSERT INTO devices(hostname, host_key, serial, user) VALUES ('LAB_7%Q', 'LAB_7%Q', 'X\\Y-01', 'FRANÇOIS.é')",
  );
  // Values of two characters: no trigram holds them, only their end gram.
  ws.db.run("INSERT INTO devices(hostname, host_key, user) VALUES ('Q9', 'Q9', 'zq')");
}

describe('device text search on the sample incident', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await open();
    await loadSample(ws, { devices: 1500, seed: 11 });
    addOddDevice(ws);
  }, 120_000);

  it('answers from the index after an import (no dirty chunk left)', () => {
    // The odd device was added outside an import: its chunk is dirty until the next rebuild.
    expect(ws.db.value('SELECT COUNT(*) FROM device_text_dirty')).toBe(1);
    expect(rebuildDirtyChunks(ws.db)).toBe(1);
    expect(ws.db.value('SELECT COUNT(*) FROM device_text_dirty')).toBe(0);
    const host = ws.db.value<string>('SELECT hostname FROM devices ORDER BY id LIMIT 1 OFFSET 3')!;
    const c = textCandidates(ws.db, host)!;
    const all = ws.db.value<number>('SELECT COUNT(*) FROM devices')!;
    // The candidates hold the match and are far fewer than the devices: the index, not a scan, answered.
    expect(c).toEqual(expect.arrayContaining(scan(ws, host, true)));
    expect(c.length).toBeLessThan(all / 20);
    expect(textCandidates(ws.db, 'PC')).toBeNull();
  });

  it('gives the same matches, order, totals and pages as the LIKE scan', () => {
    expectSameAsScan(ws, termsOf(ws));
    // The wildcard terms are literal: only the odd device holds "LAB_7%".
    expect(scan(ws, 'LAB_7%')).toHaveLength(1);
    expect(pages(ws, { text: 'lab_7%q' }).total).toBe(1);
    // LIKE folds only ASCII letters: ç and Ç stay different.
    expect(pages(ws, { text: 'françois.é' }).total).toBe(0);
    expect(pages(ws, { text: 'FRANÇOIS.É' }).total).toBe(0);
    expect(pages(ws, { text: 'franÇois.é' }).total).toBe(1);
  });

  it('answers a two-character term from the grams that start with it, value ends and two-character values included', () => {
    expect(ws.db.value('SELECT COUNT(*) FROM device_text_dirty')).toBe(0);
    const all = ws.db.value<number>('SELECT COUNT(*) FROM devices')!;
    const ids = (term: string) => bigramRuns(ws.db, term)!.flatMap(idsOf);
    const q9 = ws.db.value<number>("SELECT id FROM devices WHERE hostname = 'Q9'")!;
    const odd = ws.db.value<number>("SELECT id FROM devices WHERE hostname = 'LAB_7%Q'")!;
    // Each gram starting with the pair holds it, so the candidates are exactly the devices LIKE finds (stale ones
    // too: the page's condition drops those).
    const same = (term: string) => expect(new Set(ids(term)), term).toEqual(new Set(scan(ws, term, true)));
    for (const term of ['q9', 'ZQ', '%q', 'ço', 'Ço', 'pc', 'lt', '.é', '-0']) same(term);
    // A whole value of two characters (the host name, the user) and a term only at a value's end are among them.
    expect(ids('q9')).toContain(q9);
    expect(ids('ZQ')).toContain(q9);
    expect(ids('%q')).toEqual([odd]);
    // A non-ASCII pair: LIKE does not fold Ç, and neither do the grams (the sample's users spell it ç).
    expect(ids('Ço')).toEqual([odd]);
    expect(ids('ço')).not.toContain(odd);
    expect(ids('pc').length).toBeLessThan(all);
    // Other lengths are not this path's: no pair of characters to look up.
    expect(bigramRuns(ws.db, 'p')).toBeNull();
    expect(bigramRuns(ws.db, 'pcx')).toBeNull();
    expect(bigramRuns(ws.db, 'p\0c')).toBeNull();
  });

  it('stays right for chunks written since the last rebuild (dirty chunks are scanned)', () => {
    addOddDevice(ws);
    expect(ws.db.value('SELECT COUNT(*) FROM device_text_dirty')).toBe(1);
    expect(pages(ws, { text: 'lab_7%q' }).total).toBe(2);
    ws.db.run("UPDATE devices SET serial = 'QQ-NEW-SERIAL' WHERE id = 5");
    rebuildDirtyChunks(ws.db);
    expect(pages(ws, { text: 'qq-new-ser', includeStale: true }).ids).toEqual([5]);
    expect(pages(ws, { text: 'lab_7%q' }).total).toBe(2);
  });
});

describe('device text search on the ingest fixtures', () => {
  const OPTS = { devices: 300, seed: 777 };
  const pop = [...population(OPTS)];
  let ws: Workspace;

  beforeAll(async () => {
    ws = await open();
    await importFile(ws, sampleImportInput('falcon-hosts.csv', OPTS));
  }, 120_000);

  it('finds a device merged from a second file under the record it joined', async () => {
    const d = pop.find((x) => x.intune && x.user)!;
    const id = ws.db.value<number>('SELECT id FROM devices WHERE falcon_aid = ?', [d.aid])!;
    expect(pages(ws, { text: d.intune!.id }).total).toBe(0);
    await importFile(ws, sampleImportInput('intune-devices.csv', OPTS));
    expect(pages(ws, { text: d.intune!.id }).ids).toEqual([id]);
    expect(pages(ws, { text: d.intune!.entraId.toUpperCase() }).ids).toEqual([id]);
    expect(ws.db.value('SELECT COUNT(*) FROM device_text_dirty')).toBe(0);
  });

  it('gives the same results as the LIKE scan after every fleet format, stale duplicates included', async () => {
    for (const f of fixtures(OPTS)) {
      const r = await importFile(ws, inputFromBytes(f.name, f.bytes));
      expect(r.rejected, f.name).toBe(0);
    }
    expect(ws.db.value('SELECT COUNT(*) FROM devices WHERE superseded_by IS NOT NULL')).toBeGreaterThan(0);
    expect(ws.db.value('SELECT COUNT(*) FROM device_text_dirty')).toBe(0);
    const stale = ws.db.get<{ hostname: string; falcon_aid: string; superseded_by: number }>(
      'SELECT hostname, falcon_aid, superseded_by FROM devices WHERE superseded_by IS NOT NULL AND falcon_aid IS NOT NULL LIMIT 1',
    )!;
    expectSameAsScan(ws, [...termsOf(ws), stale.hostname, stale.falcon_aid, stale.falcon_aid.slice(4, 12)]);
    // A reimaged machine: its name finds the surviving record; the stale one only when stale records are asked for.
    const current = pages(ws, { text: stale.hostname });
    expect(current.ids).toContain(stale.superseded_by);
    expect(pages(ws, { text: stale.falcon_aid }).ids).toEqual([]);
    expect(pages(ws, { text: stale.falcon_aid, includeStale: true }).total).toBe(1);
  });
});

describe('a workspace written before the search index', () => {
  it('opens, builds its index and searches as before', async () => {
    const ws = await open();
    await loadSample(ws, { devices: 300, seed: 5 });
    // Back to the schema before migration 24: no index tables, no triggers, the migration not recorded.
    ws.db.raw.exec(`DROP TRIGGER device_text_insert; DROP TRIGGER device_text_update; DROP TRIGGER device_text_delete;
      DROP TABLE device_text_grams; DROP TABLE device_text_dirty; DROP TABLE device_text_order;
      DELETE FROM schema_migrations WHERE version IN (24, 30);`);
    const old = await open(ws.db.export());
    expect(old.db.value('SELECT COUNT(*) FROM schema_migrations WHERE version IN (24, 30)')).toBe(2);
    expect(old.db.value('SELECT COUNT(*) FROM device_text_dirty')).toBe(0);
    const chunks = old.db.value<number>('SELECT COUNT(DISTINCT chunk) FROM device_text_grams');
    expect(chunks).toBe(1);
    expectSameAsScan(old, termsOf(old));
  }, 120_000);
});

describe('a workspace written with the index of migration 24 (id order, chunks of 16,384)', () => {
  it('opens, rebuilds its index in hostname order and searches as before', async () => {
    const ws = await open();
    await loadSample(ws, { devices: 300, seed: 6 });
    // Migration 24's own triggers (chunks of 16,384: id >> 14), taken from its SQL.
    const migration24Triggers = (migration24.sql.match(/CREATE TRIGGER[\s\S]*?\bEND;/g) ?? []).join('\n');
    expect(migration24Triggers.match(/CREATE TRIGGER/g)).toHaveLength(3);
    // Back to migration 24's index: its triggers, rows in the old layout (stand-ins: lists no search may trust), no
    // order table, migration 30 not recorded.
    ws.db.raw.exec(`DROP TABLE device_text_order; DELETE FROM schema_migrations WHERE version = 30;
      DROP TRIGGER device_text_insert; DROP TRIGGER device_text_update; DROP TRIGGER device_text_delete;
      ${migration24Triggers}
      DELETE FROM device_text_grams;
      INSERT INTO device_text_grams(chunk, tri, n, ids) SELECT 0, 'pc-', 1, x'00';`);
    const old = await open(ws.db.export());
    expect(old.db.value('SELECT COUNT(*) FROM schema_migrations WHERE version = 30')).toBe(1);
    expect(old.db.value('SELECT COUNT(*) FROM device_text_dirty')).toBe(0);
    expect(old.db.value('SELECT COUNT(*) FROM device_text_order')).toBe(1);
    expect(old.db.value("SELECT n FROM device_text_grams WHERE tri = 'pc-'")).toBeGreaterThan(1);
    expectSameAsScan(old, termsOf(old));
    // The new triggers mark chunks of 65,536 ids.
    old.db.run("UPDATE devices SET user = 'moved' WHERE id = 70000 OR id = (SELECT MAX(id) FROM devices)");
    expect(old.db.all('SELECT chunk FROM device_text_dirty')).toEqual([{ chunk: 0 }]);
  }, 120_000);
});

describe('a hostname-sorted page across chunks', () => {
  // Devices in chunks 0, 1, 2 and 5 (ids c·65,536 + j) whose names interleave across chunks, in mixed case, with the
  // characters NOCASE puts between the upper- and lower-case letters (_ and [, before z but after Z), names equal but for case in several
  // chunks (the id breaks the tie), a non-ASCII name (its chunk is ordered by SQLite) and stale records.
  let ws: Workspace;
  const SITES = ['Ber', 'lon', 'LON', 'Lab_x', 'labz', 'lab[', 'lÖn', 'lön'];
  beforeAll(async () => {
    ws = await open();
    ws.db.tx(() => {
      for (const c of [0, 1, 2, 5])
        ws.db.run(
          `WITH RECURSIVE j(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM j WHERE n < 120)
           INSERT INTO devices(id, hostname, host_key, site, user)
           SELECT ? * 65536 + n, json_extract(?, '$[' || ((n + ?) % ?) || ']') || '-PC-' || printf('%02d', n % 40),
             'K' || n, CASE WHEN n % 3 = 0 THEN 'north' ELSE 'south' END, 'u' || (n % 7) FROM j`,
          [c, JSON.stringify(SITES), c, c === 2 ? 8 : 6],
        );
      ws.db.run('UPDATE devices SET superseded_by = 1 WHERE id % 17 = 3');
      rebuildDirtyChunks(ws.db);
    });
  }, 120_000);

  /** The LIKE scan's rows in the page order, with an extra condition. */
  function scanOrdered(term: string, dir: 'ASC' | 'DESC', extra = '', args: string[] = []): number[] {
    const like = `%${term}%`;
    const cols = ['hostname', 'serial', 'falcon_aid', 'entra_id', 'intune_id', 'user'];
    return ws.db
      .all<{ id: number }>(
        `SELECT id FROM devices WHERE superseded_by IS NULL ${extra} AND (${cols.map((c) => `${c} LIKE ?`).join(' OR ')})
         ORDER BY hostname COLLATE NOCASE ${dir}, id ${dir}`,
        [...args, ...cols.map(() => like)],
      )
      .map((r) => r.id);
  }

  function walk(q: DeviceQuery, limit: number): number[] {
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const p = devices(ws, { ...q, limit, ...(cursor ? { cursor } : {}) });
      ids.push(...p.rows.map((r) => r.id));
      cursor = p.nextCursor;
    } while (cursor);
    return ids;
  }

  const TERMS = ['lon-', 'LON-PC', 'lab', '_x-', 'lab[', 'n-pc-0', 'ön-', 'Ön-', 'pc-1', 'u3', 'nothing'];

  it('pages as the LIKE scan does, both ways, with and without a filter', () => {
    expect(ws.db.value('SELECT COUNT(*) FROM device_text_order')).toBe(4);
    for (const term of TERMS)
      for (const dir of ['asc', 'desc'] as const) {
        const want = scanOrdered(term, dir === 'asc' ? 'ASC' : 'DESC');
        for (const limit of [1, 3, 7, 50])
          expect(walk({ text: term, dir }, limit), `${term} ${dir} ${limit}`).toEqual(want);
        expect(deviceTotal(ws, { text: term }), term).toEqual({ total: want.length, capped: false });
        const north = scanOrdered(term, dir === 'asc' ? 'ASC' : 'DESC', "AND site = 'north'");
        expect(deviceTotal(ws, { text: term, site: 'north' }), term).toEqual({ total: north.length, capped: false });
        expect(walk({ text: term, dir, site: 'north' }, 5), `${term} ${dir} north`).toEqual(north);
      }
    expect(scanOrdered('lon-', 'ASC').length).toBeGreaterThan(100);
  });

  it('reads about a page per chunk for a broad term, not every candidate', () => {
    const runs = textRuns(ws.db, 'pc-')!;
    expect(runs.map((r) => r.chunk)).toEqual([0, 1, 2, 5]);
    // Every device holds "PC-": each run is its whole chunk, in SQLite's NOCASE order (chunk 2 has non-ASCII names).
    for (const r of runs)
      expect(idsOf(r), `chunk ${r.chunk}`).toEqual(
        ws.db
          .all<{ id: number }>('SELECT id FROM devices WHERE id >> 16 = ? ORDER BY hostname COLLATE NOCASE, id', [
            r.chunk,
          ])
          .map((x) => x.id),
      );
    const checked: number[] = [];
    const ids = firstOfRuns(runs, 8, false, (batch) => {
      checked.push(...batch);
      return batch;
    });
    expect(checked).toHaveLength(4 * 8);
    // Each run's first 8 are its chunk's first 8 names in NOCASE order.
    const firstOf = (c: number) =>
      ws.db
        .all<{ id: number }>('SELECT id FROM devices WHERE id >> 16 = ? ORDER BY hostname COLLATE NOCASE, id LIMIT 8', [
          c,
        ])
        .map((r) => r.id);
    expect(ids).toEqual([0, 1, 2, 5].flatMap(firstOf));
    // Candidates that fail are replaced from the same run: a keep that passes odd ids only.
    // Taken from the back (descending): each run's last 8 odd ids are there, and only odd ids.
    const odd = firstOfRuns(runs, 8, true, (batch) => batch.filter((id) => id % 2 === 1));
    expect(odd.every((id) => id % 2 === 1)).toBe(true);
    for (const r of runs)
      expect(odd).toEqual(
        expect.arrayContaining(
          idsOf(r)
            .filter((id) => id % 2 === 1)
            .slice(-8),
        ),
      );
    expect(odd.length).toBeLessThan(runs.reduce((n, r) => n + r.length, 0) / 2);
  });

  it('stays right with a dirty chunk among clean ones', () => {
    ws.db.run("INSERT INTO devices(id, hostname, host_key) VALUES (5 * 65536 + 500, 'ber-pc-00', 'X1')");
    ws.db.run("UPDATE devices SET hostname = 'AAA-PC-99' WHERE id = 65536 + 7");
    expect(ws.db.value('SELECT COUNT(*) FROM device_text_dirty')).toBe(2);
    for (const term of ['pc-0', 'ber-pc', 'aaa-', 'lon-'])
      for (const dir of ['asc', 'desc'] as const)
        expect(walk({ text: term, dir }, 6), `${term} ${dir}`).toEqual(
          scanOrdered(term, dir === 'asc' ? 'ASC' : 'DESC'),
        );
    rebuildDirtyChunks(ws.db);
    expect(walk({ text: 'aaa-' }, 6)).toEqual([65536 + 7]);
  });
});

describe('the index codec and trigrams', () => {
  it('cuts trigrams by character and folds only ASCII letters', () => {
    expect(termGrams('AbCd')).toEqual(['abc', 'bcd']);
    expect(termGrams('Éa😀b')).toEqual(['Éa😀', 'a😀b']);
    expect(termGrams('ab')).toEqual([]);
    expect(termGrams('aaaa')).toEqual(['aaa']);
    // LIKE stops reading the pattern at a NUL: what follows one narrows nothing.
    expect(termGrams('abcd\u0000xyz')).toEqual(['abc', 'bcd']);
  });

  it('decodes gaps of one byte and of several', () => {
    // Offsets 0, 1, 200 (gap 198: 0xc6 0x01), 4095 (gap 3894: 0xb6 0x1e).
    const got: number[] = [];
    decode(Uint8Array.of(0, 0, 0xc6, 0x01, 0xb6, 0x1e), (o) => {
      got.push(o);
    });
    expect(got).toEqual([0, 1, 200, 4095]);
  });
});

describe('the capped count of a broad search', () => {
  // 10,001 devices CAP-00001 … CAP-10001 and 10,000 devices EDGE-00001 … EDGE-10000, written by SQL, then indexed.
  let ws: Workspace;
  beforeAll(async () => {
    ws = await open();
    ws.db.tx(() => {
      ws.db.run(`WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10001)
        INSERT INTO devices(hostname, host_key) SELECT printf('CAP-%05d', n), printf('CAP-%05d', n) FROM c`);
      ws.db.run(`WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10000)
        INSERT INTO devices(hostname, host_key) SELECT printf('EDGE-%05d', n), printf('EDGE-%05d', n) FROM c`);
      rebuildDirtyChunks(ws.db);
    });
  }, 120_000);

  it('leaves the count of a page that does not hold every match to deviceTotal, which stops at 10,000', () => {
    // 20,001 devices in one chunk: its order map takes twenty rows of 1,024 positions.
    expect(ws.db.value('SELECT COUNT(*) FROM device_text_order')).toBe(20);
    const first = devices(ws, { text: 'CAP-', limit: 100 });
    expect(first.countPending).toBe(true);
    expect(first.total).toBe(-1);
    // Hostname order: CAP-00001 … CAP-00100, then the cursor.
    expect(first.rows.map((r) => r.hostname)).toEqual(
      Array.from({ length: 100 }, (_, i) => `CAP-${String(i + 1).padStart(5, '0')}`),
    );
    expect(first.nextCursor).not.toBeNull();
    // 10,001 match: one more than the cap.
    expect(deviceTotal(ws, { text: 'CAP-' })).toEqual({ total: 10_000, capped: true });
  });

  it('counts exactly 10,000 matches as 10,000, not capped', () => {
    expect(deviceTotal(ws, { text: 'edge-' })).toEqual({ total: 10_000, capped: false });
    // Stale records are left out unless asked for: with CAP-00001 superseded, CAP- matches 10,000 current devices.
    ws.db.run(
      "UPDATE devices SET superseded_by = (SELECT id FROM devices WHERE hostname = 'CAP-00002') WHERE hostname = 'CAP-00001'",
    );
    expect(deviceTotal(ws, { text: 'CAP-' })).toEqual({ total: 10_000, capped: false });
    expect(deviceTotal(ws, { text: 'CAP-', includeStale: true })).toEqual({ total: 10_000, capped: true });
    ws.db.run("UPDATE devices SET superseded_by = NULL WHERE hostname = 'CAP-00001'");
  });

  it('counts a page that holds every match on the page itself', () => {
    // CAP-1 is in CAP-10000 and CAP-10001 only (CAP-0xxxx and the EDGE names hold no "P-1").
    const p = devices(ws, { text: 'cap-1', limit: 100 });
    expect(p.countPending).toBe(false);
    expect(p.total).toBe(2);
    expect(p.rows.map((r) => r.hostname)).toEqual(['CAP-10000', 'CAP-10001']);
    // EDGE-10000 is the only EDGE name holding "GE-1"; a term too short for a trigram is capped the same way.
    expect(deviceTotal(ws, { text: 'GE-1' })).toEqual({ total: 1, capped: false });
    expect(deviceTotal(ws, { text: 'aP' })).toEqual({ total: 10_000, capped: true });
  });

  it('counts every match for the CLI (exactTotal)', () => {
    expect(devices(ws, { text: 'CAP-', limit: 100, exactTotal: true })).toMatchObject({
      total: 10_001,
      countPending: false,
    });
    expect(devices(ws, { text: 'e', limit: 100, exactTotal: true }).total).toBe(10_000);
  });
});
