// Records without a quote among records with quoted cells (line ends, commas, quotes inside): read the same at every chunk size.
import { describe, expect, it } from 'vitest';
import { recordEnd, splitRecords } from '../../../../core/ingest/readers/csv-text.js';
import { readCsv } from '../../../../core/ingest/readers/csv.js';
import type { RowBatch } from '../../../../core/ingest/rows.js';

async function read(chunks: string[]) {
  const rows: [number, string[]][] = [];
  const notes: [number, string, string][] = [];
  async function* gen() {
    yield* chunks;
  }
  await readCsv(gen(), {
    header: () => true,
    rows(rs, ls, count) {
      for (let i = 0; i < count; i++) rows.push([ls[i]!, rs[i]!.slice()]);
      for (const n of (rs as RowBatch).notes ?? []) notes.push([ls[n.index]!, n.field, n.message]);
    },
  });
  return { rows, notes };
}

const cut = (text: string, size: number) =>
  Array.from({ length: Math.ceil(text.length / size) }, (_v, i) => text.slice(i * size, (i + 1) * size));

describe('CSV records with and without quotes', () => {
  const text = [
    'Host,Site,Note',
    'A,x,plain',
    'B,y,"two',
    'lines"',
    'C,z,',
    'D,w',
    'E,v,"say ""hi"""',
    'F,u,extra,cell',
    'G,t,"x,y"',
    'H,s,last',
    '',
  ].join('\n');
  // Worked out from the text above: B's cell holds a line end (line 4 is its second line); C ends in an empty cell;
  // D is a cell short and F a cell long, each with its note; E and G unquote.
  const rows: [number, string[]][] = [
    [2, ['A', 'x', 'plain']],
    [3, ['B', 'y', 'two\nlines']],
    [5, ['C', 'z', '']],
    [6, ['D', 'w', '']],
    [7, ['E', 'v', 'say "hi"']],
    [8, ['F', 'u', 'extra']],
    [9, ['G', 't', 'x,y']],
    [10, ['H', 's', 'last']],
  ];
  const notes: [number, string, string][] = [
    [6, 'Note', 'row has 2 fields; the header has 3 — missing cells left empty'],
    [8, '(row)', 'row has 4 fields; the header has 3 — the 1 extra cell ignored'],
  ];

  it('reads every record, line and note as worked out, the text whole or cut into chunks of any size', async () => {
    for (let size = 1; size <= text.length; size++) {
      const got = await read(cut(text, size));
      expect({ size, ...got }).toEqual({ size, rows, notes });
    }
  });

  it('reads a line whose cells are as long as it, or two short lines in a row, as records of their own', async () => {
    const short = 'the header has 3 — missing cells left empty';
    const cases: [string, [number, string[]][], [number, string, string][]][] = [
      // I's quoted cell ends on the next line: its cells (I, j, "k" and a line end) are as long as its first line.
      [
        'Host,Site,Note\nI,j,"k\n"\nJ,s,t\n',
        [
          [2, ['I', 'j', 'k\n']],
          [4, ['J', 's', 't']],
        ],
        [],
      ],
      // Two short lines without quotes before a line with them: each is a record a cell short, not one record.
      [
        'Host,Site,Note\nD,w\nE,v\n"Q",s,t\n',
        [
          [2, ['D', 'w', '']],
          [3, ['E', 'v', '']],
          [4, ['Q', 's', 't']],
        ],
        [
          [2, 'Note', `row has 2 fields; ${short}`],
          [3, 'Note', `row has 2 fields; ${short}`],
        ],
      ],
      // A short row before a quoted line end: uDSV reads D's second cell up to the next comma (line end and all) and
      // runs on out of step; cut into chunks it gave the rows F|x| and y"|f|.
      [
        'Host,Site,Note\nD,w\nF,"x\ny",f\nG,g,g\n',
        [
          [2, ['D', 'w', '']],
          [3, ['F', 'x\ny', 'f']],
          [5, ['G', 'g', 'g']],
        ],
        [[2, 'Note', `row has 2 fields; ${short}`]],
      ],
      // A row of delimiters only (blank, skipped) before rows a cell or two short, one with a quote inside its cell: the
      // row uDSV pads counts delimiters the text does not have, so its length is not the record's.
      [
        'Host,Site,Note\n,\na\nb"\naa\n',
        [
          [3, ['a', '', '']],
          [4, ['b"', '', '']],
          [5, ['aa', '', '']],
        ],
        [
          [3, 'Site', `row has 1 field; ${short}`],
          [4, 'Site', `row has 1 field; ${short}`],
          [5, 'Site', `row has 1 field; ${short}`],
        ],
      ],
      [
        'Host,Site,Note\n,b,\n,\nab\n',
        [
          [2, ['', 'b', '']],
          [4, ['ab', '', '']],
        ],
        [[4, 'Site', `row has 1 field; ${short}`]],
      ], // A quoted line end first thing on the line after a short row; a row long by two cells; a row whose cells past
      // the header's hold all its text (blank as a record: no note on the next), which cut after its fifth cell uDSV
      // gave as ||b".
      [
        'Host,Site,Note\n,a\n"\n"b",\n',
        [
          [2, ['', 'a', '']],
          [3, ['\nb"', '', '']],
        ],
        [
          [2, 'Note', `row has 2 fields; ${short}`],
          [3, 'Note', `row has 2 fields; ${short}`],
        ],
      ],
      [
        'Host,Site,Note\n,\nb,,,ab,\n',
        [[3, ['b', '', '']]],
        [[3, '(row)', 'row has 5 fields; the header has 3 — the 2 extra cells ignored']],
      ],
      // (Y first: a first row with three times the header's delimiters would make the header a banner.)
      [
        'Host,Site,Note\nY,y,y\n,,,a,,,b"\nZ,z,z\n',
        [
          [2, ['Y', 'y', 'y']],
          [4, ['Z', 'z', 'z']],
        ],
        [],
      ],
    ];
    // Cut as small as one character too: then Q's quote is chunks behind the line end that completes its record.
    for (const [text, rows, notes] of cases)
      for (let size = 1; size <= text.length; size++) {
        const got = await read(cut(text, size));
        expect({ text, size, ...got }).toEqual({ text, size, rows, notes });
      }
  });

  it('reads a quoted line end in a later chunk after quote-free records in an earlier one', async () => {
    // The first chunk's only quote is near its end; the second chunk's quoted cell comes first thing.
    const head = 'Host,Site,Note\n' + Array.from({ length: 50 }, (_v, i) => `P${i},s,n`).join('\n') + '\nQ,s,"q"\n';
    // R's cells (R, s, "a" and a line end) are as long as its first line, as I's above.
    const got = await read([head, 'R,s,"a\n"\nS,s,t\n']);
    expect(got.rows.slice(-3)).toEqual([
      [52, ['Q', 's', 'q']],
      [53, ['R', 's', 'a\n']],
      [55, ['S', 's', 't']],
    ]);
    expect(got.rows).toHaveLength(53);
    expect(got.notes).toEqual([]);
  });

  it('after a short row before a quoted line end, the records after it still come chunk by chunk', async () => {
    const lines = ['Host,Site,Note', 'D,w', 'F,"x', 'y",f'];
    for (let i = 0; i < 20_000; i++) lines.push(`H${i},s,n${i}`);
    const chunks = cut(lines.join('\n') + '\n', 16_384);
    let yielded = 0;
    async function* gen() {
      for (const c of chunks) {
        yielded++;
        yield c;
      }
    }
    const rows: [number, string[]][] = [];
    const arrived: number[] = [];
    await readCsv(gen(), {
      header: () => true,
      rows(rs, ls, count) {
        arrived.push(yielded);
        for (let i = 0; i < count; i++) rows.push([ls[i]!, rs[i]!.slice()]);
      },
    });
    expect(rows.slice(0, 3)).toEqual([
      [2, ['D', 'w', '']],
      [3, ['F', 'x\ny', 'f']],
      [5, ['H0', 's', 'n0']],
    ]);
    expect(rows).toHaveLength(20_002);
    expect(rows.filter(([l, r], i) => i >= 2 && (l !== i + 3 || r.join('|') !== `H${i - 2}|s|n${i - 2}`))).toEqual([]);
    // Out of step, uDSV gave no row again: every later record waited for the end of the file, one batch read the
    // slow way in time squared.
    expect(arrived.length).toBeGreaterThan(chunks.length / 2);
  });

  it('finds where a record ends as splitRecords reads it', () => {
    // Texts of cells, delimiters, quotes (at a cell's start and inside one) and line ends, every combination up to 7.
    const alphabet = ['a', ',', '"', '\n'];
    // A record ends at the line end before the next one starts: with a cell appended, splitRecords starts a record
    // after every line end it reads as one (it drops an empty last record).
    const ends = (raw: string) =>
      splitRecords(`${raw}a`, ',')
        .slice(1)
        .map((r) => r.offset - 1);
    let checked = 0;
    const each = (raw: string) => {
      const want = ends(raw);
      const chain: number[] = [];
      for (let e = recordEnd(raw, 0, ','); e >= 0; e = recordEnd(raw, e + 1, ',')) chain.push(e);
      expect({ raw, chain }).toEqual({ raw, chain: want });
      expect({ raw, last: recordEnd(raw, 0, ',', true) }).toEqual({ raw, last: want.at(-1) ?? -1 });
      checked++;
    };
    const grow = (prefix: string) => {
      each(prefix);
      if (prefix.length < 7) for (const c of alphabet) grow(prefix + c);
    };
    grow('');
    expect(checked).toBe((4 ** 8 - 1) / 3);
  });
});

describe('the header above a first row far wider than it', () => {
  it('keeps the header when the row after the wide one is as wide as the header; a banner is still skipped', async () => {
    // The header has 2 delimiters, the first row 6: the ratio alone would take the header for a banner above a header.
    const wide = 'Host,Site,Note\nA,a,a,x,x,x,x\nZ,z,z\n';
    for (let size = 1; size <= wide.length; size++)
      expect({ size, ...(await read(cut(wide, size))) }).toEqual({
        size,
        rows: [
          [2, ['A', 'a', 'a']],
          [3, ['Z', 'z', 'z']],
        ],
        notes: [[2, '(row)', 'row has 7 fields; the header has 3 — the 4 extra cells ignored']],
      });
    // Banners with and without delimiters of their own above a header whose rows are as wide as it: skipped, at
    // every chunk size (the next line and the one after decide, so they are waited for).
    for (const banner of [
      'Report,2024-07-19\nHost,Site,Note,Ring\nZ,z,z,r\nY,y,y,r\n',
      'Exported from Intune\nHost,Site,Note,Ring\nZ,z,z,r\nY,y,y,r\n',
    ])
      for (let size = 1; size <= banner.length; size++)
        expect({ size, ...(await read(cut(banner, size))) }).toEqual({
          size,
          rows: [
            [3, ['Z', 'z', 'z', 'r']],
            [4, ['Y', 'y', 'y', 'r']],
          ],
          notes: [],
        });
  });
});
