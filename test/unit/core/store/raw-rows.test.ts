// Raw rows encoded a row at a time (in the reading thread) are stored as the one JSON text of their chunk would be.
import { inflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { compactColumns, prepareBatch, readColumns } from '../../../../core/ingest/read-plan.js';
import { REDACTED } from '../../../../core/secrets/redact.js';
import { beginImport } from '../../../../core/store/imports.js';
import { deflateRaw, encodeRows, RawChunkWriter, setChunkDeflate } from '../../../../core/store/raw-rows.js';
import { openWorkspace } from '../../../../core/workspace.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';

const open = async () => openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7) });

/** Every chunk of an import as its inflated text, in order. */
async function chunks(rows: string[][][], lines: number[][], keep: (batch: number, row: number) => boolean) {
  const ws = await open();
  const id = beginImport(ws.db, 'raw.csv', 'pending:raw', 0);
  const w = new RawChunkWriter(ws, id);
  rows.forEach((batch, b) => {
    const enc = encodeRows(batch, lines[b]!, batch.length);
    batch.forEach((_r, i) => keep(b, i) && w.add(lines[b]![i]!, enc, i));
  });
  await w.finish();
  w.free();
  return ws.db
    .all<{ first_line: number; last_line: number; data: Uint8Array }>(
      'SELECT first_line, last_line, data FROM raw_chunks WHERE import_id = ? ORDER BY first_line',
      [id],
    )
    .map((c) => ({ first: c.first_line, last: c.last_line, text: new TextDecoder().decode(inflateSync(c.data)) }));
}

// Cells that JSON escapes or UTF-8 spreads over several bytes: quotes, a backslash, a control character, accents,
// a character outside the BMP (a surrogate pair), and a lone surrogate (JSON.stringify writes it as \udc00).
const ODD = ['say "hi"', 'C:\\Temp', 'tab\there', 'Zoë Müller', 'PC-😀', 'bad \udc00 half', ''];

describe('raw rows', () => {
  it('a chunk holds the bytes of JSON.stringify of its [line, cells] pairs, whichever rows were kept', async () => {
    const rows = [
      Array.from({ length: 7 }, (_v, i) => [`PC-${i}`, ODD[i]!, String(i)]),
      Array.from({ length: 3 }, (_v, i) => [`SRV-${i}`, ODD[6 - i]!]),
    ];
    const lines = [
      [2, 3, 4, 6, 7, 8, 9],
      [10, 11, 13],
    ];
    // Rows 1 and 4 of the first batch are rejected (a gap inside a batch), and the second batch's last.
    const kept = (b: number, r: number) => !(b === 0 && (r === 1 || r === 4)) && !(b === 1 && r === 2);
    const got = await chunks(rows, lines, kept);
    const pairs = rows.flatMap((batch, b) =>
      batch.map((r, i) => [lines[b]![i]!, r] as const).filter((_p, i) => kept(b, i)),
    );
    expect(got).toEqual([{ first: 2, last: 11, text: JSON.stringify(pairs) }]);
    expect(got[0]!.text).toContain('\\udc00');
  });

  it('cuts a chunk every 512 kept rows, across batches', async () => {
    const rows = [0, 1, 2].map((b) => Array.from({ length: 400 }, (_v, i) => [`PC-${b}-${i}`]));
    const lines = [0, 1, 2].map((b) => Array.from({ length: 400 }, (_v, i) => 2 + b * 400 + i));
    const got = await chunks(rows, lines, () => true);
    const all = rows.flat().map((r, i) => [2 + i, r]);
    expect(got.map((c) => [c.first, c.last])).toEqual([
      [2, 513],
      [514, 1025],
      [1026, 1201],
    ]);
    expect(got.map((c) => c.text)).toEqual(
      [all.slice(0, 512), all.slice(512, 1024), all.slice(1024)].map((x) => JSON.stringify(x)),
    );
  });

  it('compresses chunks where setChunkDeflate says (the same bytes stored), and on this thread again after null', async () => {
    const rows = [Array.from({ length: 600 }, (_v, i) => [`PC-${i}`, 'x'.repeat(i % 50)])];
    const lines = [Array.from({ length: 600 }, (_v, i) => 2 + i)];
    const plain = await chunks(rows, lines, () => true);
    const seen: number[] = [];
    setChunkDeflate(async (bytes) => {
      seen.push(bytes.byteLength);
      return deflateRaw(bytes);
    });
    try {
      expect(await chunks(rows, lines, () => true)).toEqual(plain);
      expect(seen.length).toBe(2);
    } finally {
      setChunkDeflate(null);
    }
    expect(await chunks(rows, lines, () => true)).toEqual(plain);
    expect(seen.length).toBe(2);
  });

  it("the reading thread's batch: redacted but for the kept column, raw rows whole, unread cells empty", () => {
    const pw = '618497-103543-277992-581064-394603-708026-215336-462869';
    const rows = [
      ['PC-1', pw, `note ${pw}`, 'x'],
      ['PC-2', 'no key', 'plain', 'y', 'extra cell'],
    ];
    const lines = new Uint32Array([5, 9]);
    // Columns 0 and 1 are fields', 3 a second time column; 2 and the extra cell are read by no one.
    const plan = { keep: 1, raw: true, cols: readColumns({ hostname: 0, key: 1, site: -1 }, [1, 3]), compact: false };
    expect(plan.cols).toEqual([0, 1, 3]);
    const got = prepareBatch(rows, lines, 2, plan);
    expect(got.rows).toEqual([
      ['PC-1', pw, '', 'x'],
      ['PC-2', 'no key', '', 'y', ''],
    ]);
    // Compact: only the cells of columns 0, 1 and 3, in that order; the raw rows as before.
    const compact = prepareBatch(rows, lines, 2, { ...plan, compact: true });
    expect(compact.rows).toEqual([
      ['PC-1', pw, 'x'],
      ['PC-2', 'no key', 'y'],
    ]);
    expect(compact.raw).toEqual(got.raw);
    const text = new TextDecoder().decode(got.raw!.bytes);
    expect(text).toBe(
      JSON.stringify([5, ['PC-1', pw, `note ${REDACTED}`, 'x']]) + ',' + JSON.stringify([9, rows[1]]) + ',',
    );
    expect(Array.from(got.raw!.ends)).toEqual([text.indexOf('],[9,') + 2, text.length]);
    // The reader's own arrays are left as they were.
    expect(rows[0]![2]).toBe(`note ${pw}`);
  });

  it('compact rows of every column are the rows as they are; a row of another width is still cut to the columns', () => {
    const pw = '618497-103543-277992-581064-394603-708026-215336-462869';
    const rows = [
      ['PC-1', 'a', `note ${pw}`],
      ['PC-2', 'b', 'c'],
      ['PC-3', 'd', 'e'],
    ];
    const plan = { keep: -1, raw: false, cols: [0, 1, 2], compact: true };
    const got = prepareBatch(rows, [], 2, plan);
    // Redacted as always (a copy of the row with the secret), the count respected, the other row itself.
    expect(got.rows).toEqual([
      ['PC-1', 'a', `note ${REDACTED}`],
      ['PC-2', 'b', 'c'],
    ]);
    expect(got.rows[1]).toBe(rows[1]);
    expect(rows[0]![2]).toBe(`note ${pw}`);
    // A longer (or shorter) row than the columns: compact rows hold exactly the columns' cells.
    const ragged = [
      ['PC-1', 'a', 'b', 'extra'],
      ['PC-2', 'c'],
    ];
    expect(prepareBatch(ragged, [], 2, plan).rows).toEqual([
      ['PC-1', 'a', 'b'],
      ['PC-2', 'c', undefined],
    ]);
    expect(prepareBatch(ragged, [], 2, plan).rows.map((r) => r.length)).toEqual([3, 3]);
  });

  it('encodes every row as the UTF-8 of JSON.stringify([line, cells]) and a comma, whatever the cells hold', () => {
    // Every UTF-16 unit below 0x100 (controls, space, quote, backslash, DEL, Latin-1), then the units JSON or UTF-8
    // treat apart: U+2028, a surrogate pair, lone surrogates of either half, the last BMP unit.
    const units = [
      ...Array.from({ length: 0x100 }, (_v, i) => String.fromCharCode(i)),
      '\u2028',
      '😀',
      '\ud800',
      '\udfff',
      '\uffff',
    ];
    // Each unit alone, inside a plain cell, and at either end of one; a row of empty cells; a wide row.
    // First a row whose JSON is six bytes a unit (control characters), well past the buffer a batch starts with.
    const rows = [
      ['\u0001'.repeat(40_000)],
      ...units.map((u) => [u, `a${u}b`, `${u}tail`, `head${u}`, 'plain']),
      ['', '', ''],
      Array.from({ length: 300 }, (_v, i) => (i % 7 === 0 ? `cell "${i}"` : `cell ${i}`)),
    ];
    const lines = rows.map((_r, i) => 2 + i * 3);
    const enc = encodeRows(rows, lines, rows.length);
    const utf8 = new TextEncoder();
    let start = 0;
    rows.forEach((row, r) => {
      const want = utf8.encode(JSON.stringify([lines[r], row]) + ',');
      expect(enc.bytes.subarray(start, enc.ends[r])).toEqual(want);
      start = enc.ends[r]!;
    });
    expect(enc.bytes.length).toBe(start);
  });

  it('encodes a cell that is not a string as JSON.stringify writes it', () => {
    const rows = [
      ['PC-1', undefined as unknown as string, 'x\ny'],
      ['PC-2', 7 as unknown as string],
    ];
    const text = new TextDecoder().decode(encodeRows(rows, [4, 6], 2).bytes);
    expect(text).toBe(JSON.stringify([4, rows[0]]) + ',' + JSON.stringify([6, rows[1]]) + ',');
    expect(text).toBe('[4,["PC-1",null,"x\\ny"]],[6,["PC-2",7]],');
  });

  it("places a writer's columns among the compact cells", () => {
    const names = ['Host', 'Notes', 'Key', 'When', 'Other'];
    // Two fields on one column, one absent; time columns in preference order, not file order.
    const cols = { hostname: 0, dn: 0, key: 2, site: -1 };
    const read = readColumns(cols, [3, 2]);
    expect(read).toEqual([0, 2, 3]);
    expect(compactColumns(names, cols, [3, 2], read)).toEqual({
      header: ['Host', 'Key', 'When'],
      cols: { hostname: 0, dn: 0, key: 1, site: -1 },
      tsCols: [2, 1],
    });
  });
});
