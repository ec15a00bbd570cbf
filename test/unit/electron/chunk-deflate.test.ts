// The CLI's raw-row chunks: Node's zlib at level 1, installed by `ringside`'s main for every command; inflate reads them.
import { inflateSync } from 'fflate';
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { main } from '../../../electron/cli.js';
import { nodeChunkDeflate } from '../../../electron/node/chunk-deflate.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { beginImport } from '../../../core/store/imports.js';
import { deflateRaw, encodeRows, RawChunkWriter, setChunkDeflate } from '../../../core/store/raw-rows.js';
import { openWorkspace } from '../../../core/workspace.js';

afterAll(() => setChunkDeflate(null));

// Rows that compress differently at levels 1 and 6 (repeats at several distances).
const rows = Array.from({ length: 700 }, (_v, i) => [
  `PC-${i % 97}`,
  `site-${i % 13}`,
  'x'.repeat(i % 41),
  String(i * 7),
]);
const lines = Array.from({ length: rows.length }, (_v, i) => 2 + i);

/** The stored chunks of one import of `rows`, written by whatever deflate this process has installed. */
async function stored(): Promise<Uint8Array[]> {
  const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7) });
  const id = beginImport(ws.db, 'raw.csv', 'pending:raw', 0);
  const w = new RawChunkWriter(ws, id);
  const enc = encodeRows(rows, lines, rows.length);
  rows.forEach((_r, i) => w.add(lines[i]!, enc, i));
  await w.finish();
  w.free();
  return ws.db.all<{ data: Uint8Array }>('SELECT data FROM raw_chunks ORDER BY first_line').map((r) => r.data);
}

it('nodeChunkDeflate gives zlib level 1 bytes, which inflate reads back', async () => {
  const text = new TextEncoder().encode(JSON.stringify(rows));
  const got = await nodeChunkDeflate(text);
  expect(Buffer.from(got).equals(deflateRawSync(text, { level: 1 }))).toBe(true);
  expect(Buffer.from(got).equals(Buffer.from(await deflateRaw(text)))).toBe(false);
  expect(new TextDecoder().decode(inflateSync(got))).toBe(JSON.stringify(rows));
});

it('gives the same bytes with its one output buffer a chunk, for text and for bytes that do not compress, at every size', async () => {
  // Random bytes come out a little longer than they went in (stored blocks): within the buffer's room as well.
  for (const n of [0, 1, 100, 16_383, 16_384, 16_385, 70_000, 300_000, 1 << 20])
    for (const input of [randomBytes(n), new TextEncoder().encode(JSON.stringify(rows).repeat(40).slice(0, n))]) {
      const got = await nodeChunkDeflate(input);
      expect(Buffer.from(got).equals(deflateRawSync(input, { level: 1 }))).toBe(true);
    }
});

it("after any `ringside` command the process's raw-row chunks are level 1, with the same rows", async () => {
  const platform = await stored();
  for (const c of platform) expect(Buffer.from(c).equals(deflateRawSync(inflateSync(c)))).toBe(true);
  expect(await main(['help'], { out: () => undefined, err: () => undefined })).toBe(0);
  const cli = await stored();
  expect(cli.length).toBe(2);
  cli.forEach((c, i) => {
    const text = inflateSync(c);
    expect(text).toEqual(inflateSync(platform[i]!));
    expect(Buffer.from(c).equals(deflateRawSync(text, { level: 1 }))).toBe(true);
  });
});
