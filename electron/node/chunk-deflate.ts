// Raw-row chunks compressed by Node's zlib at its fastest level, off the JS thread: the CLI's and the bench's deflate.
import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';
import { setChunkDeflate, type ChunkDeflate } from '../../core/store/raw-rows.js';

const deflateAsync = promisify(deflateRaw);

/**
 * Level 1 instead of CompressionStream's fixed level 6: on the 100k Intune file's raw rows (68 MB of JSON) zlib takes
 * 0.43 s CPU instead of 1.08 s for output 15 % larger (26 % of the text instead of 23 %). The raw rows are read only
 * to show a row's original cells, and inflate reads either level.
 */
export const nodeChunkDeflate: ChunkDeflate = async (bytes) =>
  new Uint8Array(await deflateAsync(bytes, { level: 1, chunkSize: outRoom(bytes.length) }));

/**
 * The output buffer zlib fills before it calls back: room for the whole compressed chunk (level 1 gives at most a
 * few bytes more than its input for text that does not compress), so a chunk is one trip to the thread pool and one
 * callback on the JS thread, not one per 16 KiB of output (zlib's default).
 */
function outRoom(n: number): number {
  return Math.max(16 * 1024, n + (n >> 6) + 64);
}

/** Compresses this process's raw-row chunks with nodeChunkDeflate from now on. */
export function useNodeChunkDeflate(): void {
  setChunkDeflate(nodeChunkDeflate);
}
