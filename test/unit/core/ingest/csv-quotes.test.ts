// Records without a quote among records with quoted cells (line ends, commas, quotes inside): read the same at every chunk size.
import { describe, expect, it } from 'vitest';
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
});
