// A chunk of CSV text gives one batch, the records whose line end is in it, however the chunk's lines and quotes fall.
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../../../core/ingest/readers/csv.js';
import type { RowBatch } from '../../../../core/ingest/rows.js';

type Batch = [number, string[], string | null][];

async function batches(chunks: string[]): Promise<Batch[]> {
  const out: Batch[] = [];
  async function* gen() {
    yield* chunks;
  }
  await readCsv(gen(), {
    header: () => true,
    rows(rs, ls, count) {
      const notes = (rs as RowBatch).notes ?? [];
      out.push(
        Array.from({ length: count }, (_v, i) => [
          ls[i]!,
          rs[i]!.slice(),
          notes.find((n) => n.index === i)?.message ?? null,
        ]),
      );
    },
  });
  return out;
}

describe('CSV chunks and batches', () => {
  // Each record: its text (ending in its line end), its first line, its cells, its note. Quoted cells hold line ends
  // (so a chunk's first or last line end may fall inside a record), commas and quotes.
  const records: [string, number, string[], string | null][] = [
    ['A,x,plain\n', 2, ['A', 'x', 'plain'], null],
    ['B,y,"two\nlines"\n', 3, ['B', 'y', 'two\nlines'], null],
    ['C,"a,b",""\n', 5, ['C', 'a,b', ''], null],
    ['E,"say ""hi""",e\n', 6, ['E', 'say "hi"', 'e'], null],
    ['F,"x\ny\nz",f\n', 7, ['F', 'x\ny\nz', 'f'], null],
    ['G,g,g\n', 10, ['G', 'g', 'g'], null],
    ['I,i,"\n"\n', 11, ['I', 'i', '\n'], null],
    ['J,j,j\n', 13, ['J', 'j', 'j'], null],
  ];
  const header = 'Host,Site,Note\n';
  const text = header + records.map((r) => r[0]).join('');

  it('gives each chunk the records that end in it, in one batch, at every chunk size', async () => {
    // Where each record's line end is in the text: the chunk holding it is the batch the record comes in.
    const ends: number[] = [];
    let at = header.length;
    for (const [t] of records) ends.push((at += t.length) - 1);
    for (let size = 1; size <= text.length; size++) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_v, i) =>
        text.slice(i * size, (i + 1) * size),
      );
      const want: Batch[] = [];
      let last = -1;
      records.forEach(([, line, cells, note], k) => {
        const chunk = Math.floor(ends[k]! / size);
        if (chunk !== last) want.push([]);
        last = chunk;
        want.at(-1)!.push([line, cells, note]);
      });
      expect({ size, got: await batches(chunks) }).toEqual({ size, got: want });
    }
  });
});
