// The device text index as built, row for row and byte for byte, against a plain reference builder written here.
import { beforeAll, describe, expect, it } from 'vitest';
import { rebuildDirtyChunks } from '../../../../core/store/device-text.js';
import { add, begin, each, end, roomFor } from '../../../../core/store/device-text-postings.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const COLS = ['hostname', 'serial', 'falcon_aid', 'entra_id', 'intune_id', 'user'] as const;
type Device = { id: number } & Record<(typeof COLS)[number], string | null>;

/** LEB128 of the gaps (offset minus the one before, minus one; the first from -1), one number at a time. */
function varints(positions: number[]): number[] {
  const out: number[] = [];
  let prev = -1;
  for (const p of positions) {
    let gap = p - prev - 1;
    prev = p;
    for (;;) {
      const low = gap % 128;
      gap = Math.floor(gap / 128);
      out.push(gap > 0 ? low + 128 : low);
      if (gap === 0) break;
    }
  }
  return out;
}

/**
 * The index from its definition, one device and one gram at a time: per chunk, devices in the list's order (SQLite's
 * hostname COLLATE NOCASE, then id); per device, the set of three-character windows of each column's value cut at
 * NULs (A-Z made a-z, nothing else folded, characters by code point), plus each part's last two characters and a NUL.
 * Rows: grams of ASCII characters only, in text order, then the others in text order; the order map in rows of 1,024
 * two-byte little-endian offsets.
 */
function reference(ws: Workspace): { grams: unknown[][]; order: unknown[][] } {
  const grams: unknown[][] = [];
  const order: unknown[][] = [];
  const chunks = ws.db.all<{ c: number }>('SELECT DISTINCT id / 65536 AS c FROM devices ORDER BY c').map((r) => r.c);
  for (const chunk of chunks) {
    const list = ws.db.all<Device>(
      `SELECT id, ${COLS.join(', ')} FROM devices WHERE id / 65536 = ? ORDER BY hostname COLLATE NOCASE, id`,
      [chunk],
    );
    const lists = new Map<string, number[]>();
    list.forEach((d, pos) => {
      const mine = new Set<string>();
      for (const c of COLS) {
        const v = d[c];
        if (v === null) continue;
        const folded = [...v].map((ch) => (ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch));
        let part: string[] = [];
        for (const ch of [...folded, '\0']) {
          if (ch !== '\0') {
            part.push(ch);
            continue;
          }
          for (let i = 0; i + 3 <= part.length; i++) mine.add(part.slice(i, i + 3).join(''));
          if (part.length >= 2) mine.add(part.slice(-2).join('') + '\0');
          part = [];
        }
      }
      for (const g of mine) lists.set(g, [...(lists.get(g) ?? []), pos]);
    });
    const ascii = (g: string) => [...g].every((ch) => ch.charCodeAt(0) < 128);
    const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const names = [...lists.keys()];
    for (const g of [...names.filter(ascii).sort(text), ...names.filter((g) => !ascii(g)).sort(text)])
      grams.push([chunk, g, lists.get(g)!.length, varints(lists.get(g)!)]);
    for (let part = 0; part * 1024 < list.length; part++)
      order.push([
        chunk * 64 + part,
        list
          .slice(part * 1024, (part + 1) * 1024)
          .flatMap((d) => [(d.id - chunk * 65536) % 256, (d.id - chunk * 65536) >> 8]),
      ]);
  }
  return { grams, order };
}

function stored(ws: Workspace): { grams: unknown[][]; order: unknown[][] } {
  const rows = (sql: string) => {
    const st = ws.db.prepare(sql);
    const out: unknown[][] = [];
    while (st.step()) out.push(st.get().map((v) => (v instanceof Uint8Array ? [...v] : v)));
    st.free();
    return out;
  };
  return {
    grams: rows('SELECT chunk, tri, n, ids FROM device_text_grams ORDER BY chunk, rowid'),
    order: rows('SELECT id, ids FROM device_text_order ORDER BY id'),
  };
}

describe('the device text index build', () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => 0 });
    ws.db.tx(() => {
      // Chunk 0: 20,000 devices in name order h00001..., hex IDs and GUIDs in mixed case, users from a short list
      // (long lists, gaps of one byte and of two); "zqzq" on the first and the last (a gap of three bytes).
      ws.db.run(
        `WITH RECURSIVE j(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM j WHERE n < 20000)
         INSERT INTO devices(id, hostname, host_key, serial, falcon_aid, entra_id, user)
         SELECT n, printf('H%05d', n), 'K' || n, CASE WHEN n % 5 THEN printf('PF%X', n * 7919) END,
           printf('%08x%04x', (n * 2654435761) % 4294967296, n * 40503 % 65536),
           CASE WHEN n % 3 = 0 THEN printf('%08X-%X', n * 97 % 4294967296, n) END,
           CASE WHEN n IN (1, 20000) THEN 'zqzq' ELSE json_extract('["ann","Bob","cy","d"]', '$[' || (n % 4) || ']') END
         FROM j`,
      );
      // Chunk 1: the odd cases, with a non-ASCII name (the chunk's order then comes from SQLite).
      const odd: [string, string | null, string | null][] = [
        ['Ölaf-PC', 'ÉCOLE-7', 'françois.ÆØ'],
        ['olaf-pc', null, 'x😀yz😀'],
        ['AB', 'a', ''],
        ['lab_7%Q', 'X\\Y-01', 'ab\u0000cd\u0000efg'],
        ['ZZ', 'ÇÇ', 'aaaa aaaa'],
        ['Straße', 'ss', 'ǅungla'],
        ['e\u0000ç', 'mIxEd-CaSe-😀-é', 'abcabcabc'],
        // First by name, last by id: its wide grams' lists are not in id order.
        ['Aardvark', '', 'çois'],
      ];
      odd.forEach(([h, s, u], i) =>
        ws.db.run('INSERT INTO devices(id, hostname, host_key, serial, user) VALUES (?, ?, ?, ?, ?)', [
          65536 + i * 3,
          h,
          'O' + i,
          s,
          u,
        ]),
      );
      // A value beyond ASCII with an ASCII value after it in the same row.
      ws.db.run(
        "INSERT INTO devices(id, hostname, host_key, serial, falcon_aid, user) VALUES (65566, 'Wide-Then-Ascii', 'W', 'ÄÖ-9', 'abc123def', 'ñu')",
      );
      // Chunk 3: ASCII only, names equal but for case (the id breaks the tie) and values with a NUL inside.
      for (let i = 0; i < 40; i++)
        ws.db.run(
          "INSERT INTO devices(id, hostname, host_key, intune_id, user) VALUES (?, ?, ?, ?, 'pc' || char(0) || 'PC')",
          [3 * 65536 + 1000 - i * 7, i % 2 ? 'Same-Name' : 'same-name', 'S' + i, `guid-${i}-ABC`],
        );
      // Chunk 4: names beyond ASCII, sorted in JavaScript (NOCASE folds A-Z only: Ü and ü differ, as À and à);
      // chunk 5: the same with a name beyond U+FFFF, whose UTF-16 order is not UTF-8's (sorted by SQLite).
      const names = ['Zürich-K1', 'zürich-k1', 'ZÜRICH', 'Zurich', 'zz', 'zÀ', 'zà', '[x', '_y', 'É', '中文', 'Ω'];
      for (const [chunk, extra] of [
        [4, []],
        [5, ['😀-pc', 'ﬀ-pc']],
      ] as const)
        [...names, ...extra].forEach((h, i) =>
          ws.db.run('INSERT INTO devices(id, hostname, host_key, user) VALUES (?, ?, ?, ?)', [
            chunk * 65536 + 500 - i * 11,
            h,
            `N${chunk}-${i}`,
            `u${i % 3}`,
          ]),
        );
      // Chunk 6: names that differ only after a NUL, where NOCASE stops comparing (equal names: the id decides).
      ws.db.run(
        "INSERT INTO devices(id, hostname, host_key) VALUES (6 * 65536 + 1, 'ab' || char(0) || 'z', 'Z1'), (6 * 65536 + 2, 'ab' || char(0) || 'a', 'Z2')",
      );
      rebuildDirtyChunks(ws.db);
    });
  }, 120_000);

  it('stores the rows the reference builder gives, in the same order', () => {
    const want = reference(ws);
    const got = stored(ws);
    expect(got.order).toEqual(want.order);
    expect(got.grams.length).toBe(want.grams.length);
    // Compared chunk by chunk, so a failure names the first gram that differs and not one huge array.
    for (const chunk of [0, 1, 3, 4, 5, 6]) {
      const of = (rows: unknown[][]) => rows.filter((r) => r[0] === chunk);
      expect(of(got.grams), `chunk ${chunk}`).toEqual(of(want.grams));
    }
    // The cases the data was made for are in it: a three-byte gap, a long list, wide and end grams.
    expect(want.grams).toContainEqual([0, 'zqz', 2, [0, 0x9e, 0x9c, 0x01]]);
    expect(want.grams.some((r) => (r[2] as number) > 4000)).toBe(true);
    // Chunk 1 in NOCASE order: Aardvark, AB, e<NUL>ç, lab_7%Q, olaf-pc, Straße, Wide-Then-Ascii, ZZ, Ölaf-PC.
    expect(want.grams).toContainEqual([1, 'x😀y', 1, [4]]);
    expect(want.grams).toContainEqual([1, 'ab\u0000', 2, [1, 1]]);
    expect(want.grams).toContainEqual([1, 'çoi', 2, [0, 7]]);
    expect(want.grams).toContainEqual([1, 'abc', 2, [2, 3]]);
  });

  it('gives the reference rows again after edits, for every chunk rebuilt and for a chunk rebuilt alone', () => {
    ws.db.run("UPDATE devices SET user = 'Ünïcode', serial = 'NEW' WHERE id IN (5, 65536)");
    ws.db.run("UPDATE devices SET hostname = 'AAA' WHERE id = 3 * 65536 + 1000");
    expect(rebuildDirtyChunks(ws.db)).toBe(3);
    expect(stored(ws)).toEqual(reference(ws));
    ws.db.run("UPDATE devices SET hostname = 'olaf-PC' WHERE id = 65536 + 3");
    expect(rebuildDirtyChunks(ws.db)).toBe(1);
    expect(stored(ws)).toEqual(reference(ws));
  });

  it('keeps the clean chunks whichever of them are left, and drops every row when every chunk is dirty', () => {
    // The index holds chunks 0, 1, 3, 4, 5 and 6: the old rows go in one DELETE only when all of them are dirty.
    const dirty = (chunks: number[]) => {
      ws.db.run(`INSERT INTO device_text_dirty(chunk) VALUES ${chunks.map(() => '(?)').join(', ')}`, chunks);
      expect(rebuildDirtyChunks(ws.db)).toBe(chunks.length);
      expect(stored(ws), chunks.join(',')).toEqual(reference(ws));
    };
    // Every one but the lowest, every one but the highest, a clean one between; then all, with an empty one or not.
    dirty([1, 3, 4, 5, 6]);
    dirty([0, 1, 3, 4, 5]);
    dirty([0, 1, 4, 5, 6]);
    dirty([0, 1, 2, 3, 4, 5, 6]);
    dirty([0, 1, 3, 4, 5, 6]);
  });
});

describe('the postings of one chunk', () => {
  it('grows its pair array from a small start and keeps every list', () => {
    // Room for two pairs at first: every value below makes it grow.
    end();
    begin(4, 2);
    add('AbcD\u0000xyz', 0);
    add('bcd abcd', 1);
    add('zoë\u0000xyz', 2);
    const got: [string, number, number[]][] = [];
    // Rows 2, 0, 1 at positions 0, 1, 2.
    each(Uint32Array.of(2, 0, 1), (tri, n, list) => got.push([tri, n, [...list]]));
    end();
    // By hand, folded: row 0 "abcd" and "xyz", row 1 "bcd abcd", row 2 "zoë" and "xyz"; each value's trigrams and
    // its last two characters with a NUL. Lists in list positions (row 2 is 0, row 0 is 1, row 1 is 2), as gaps.
    // ASCII grams in code order (NUL before space), then the others.
    expect(got).toEqual([
      [' ab', 1, [2]],
      ['abc', 2, [1, 0]],
      ['bcd', 2, [1, 0]],
      ['cd\u0000', 2, [1, 0]],
      ['cd ', 1, [2]],
      ['d a', 1, [2]],
      ['xyz', 2, [0, 0]],
      ['yz\u0000', 2, [0, 0]],
      ['oë\u0000', 1, [0]],
      ['zoë', 1, [0]],
    ]);
  });

  it('gives each list the room its longest form takes: the lists filling it exactly stay apart', () => {
    // A list of every 129th position has gaps of 128 (two bytes each): all the room roomFor gives it below 16,385
    // rows; one of every 16,385th position, gaps of 16,384 (three bytes each). The list after "bbb" in key order,
    // "cc" and a NUL, holds every row (gaps of 0): a list written past its room would change that one's first byte.
    for (const [rows, every, want] of [
      [129 * 10, 129, [0x80, 0x01]],
      [16385 * 3, 16385, [0x80, 0x80, 0x01]],
    ] as const) {
      const n = Math.floor(rows / every);
      expect(roomFor(n, rows)).toBe(n * want.length);
      end();
      begin(rows);
      for (let row = 0; row < rows; row++) add(row % every === every - 1 ? 'bbb\u0000ccc' : 'ccc', row);
      const got = new Map<string, number[]>();
      each(
        Uint32Array.from({ length: rows }, (_, i) => i),
        (tri, count, list) => got.set(tri, [count, ...list]),
      );
      end();
      expect(got.get('bbb'), `${rows} rows`).toEqual([n, ...Array.from({ length: n }, () => want).flat()]);
      expect([...got.keys()]).toEqual(['bb\u0000', 'bbb', 'cc\u0000', 'ccc']);
      for (const tri of ['cc\u0000', 'ccc'])
        expect(got.get(tri), `${rows} rows`).toEqual([rows, ...new Array<number>(rows).fill(0)]);
    }
  });
});
