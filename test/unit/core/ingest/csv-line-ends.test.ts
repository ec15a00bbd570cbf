// Line ends in CSV text: CRLF, a lone CR (old Mac files) and a CRLF split across two chunks all end one line.
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../../../core/ingest/readers/csv.js';

async function read(chunks: string[]) {
  const rows: string[][] = [];
  const lines: number[] = [];
  async function* gen() {
    yield* chunks;
  }
  await readCsv(gen(), {
    header: () => true,
    rows(rs, ls, count) {
      for (let i = 0; i < count; i++) {
        rows.push(rs[i]!.slice());
        lines.push(ls[i]!);
      }
    },
  });
  return { rows, lines };
}

describe('CSV line ends', () => {
  it('reads CRLF, lone CRs and a CRLF cut between chunks as one line end each', async () => {
    // Line 1 the header; 2 and 3 end in CRLF (the second cut after its CR); 4 ends in a lone CR; 5 is blank
    // (a CR, then CRLF); 6 has a quoted cell holding a CRLF, read as LF; 7 ends the file without a line end.
    const got = await read(['Host,Site\r\nA,x\r', '\nB,y\rC,z\r\r\nD,"two\r\nlines"\r\nE', ',w']);
    expect(got.rows).toEqual([
      ['A', 'x'],
      ['B', 'y'],
      ['C', 'z'],
      ['D', 'two\nlines'],
      ['E', 'w'],
    ]);
    expect(got.lines).toEqual([2, 3, 4, 6, 8]);
  });
});
