// Turns an import's byte stream into ~1 MiB text chunks: encoding sniffing, content hash, progress and cancel points.
import { throwIfCancelled, type JobOptions } from '../../contract/jobs.js';
import type { ImportInput } from '../../contract/ingest.js';
import { buf, toHex } from '../../secrets/box.js';
import { EncodingRestart, FileError } from '../errors.js';

/** Hash block size. The content identity is SHA-256 over the concatenated SHA-256 digests of 1 MiB blocks. */
export const BLOCK = 1 << 20;

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodeState {
  encoding: TextEncoding | null;
  bom: boolean;
  bytes: number;
  /** Set once the stream is fully read. */
  sha256: string | null;
  /** File-level notes (encoding fallback and the like), shown with the report. */
  notes: string[];
}

/** Sniffs the encoding of the first block: BOMs first, then UTF-16 without BOM by its zero bytes, then UTF-8. */
export function sniffEncoding(head: Uint8Array): { encoding: TextEncoding; bom: boolean } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  const n = Math.min(head.byteLength, 4096);
  let evenZero = 0;
  let oddZero = 0;
  let firstZero = -1;
  for (let i = 0; i < n; i++) {
    if (head[i] === 0) {
      if (firstZero < 0) firstZero = i;
      if (i % 2 === 0) evenZero++;
      else oddZero++;
    }
  }
  // Mostly-ASCII UTF-16 text has a zero in every other byte.
  if (n >= 4 && oddZero > n / 4 && evenZero === 0) return { encoding: 'utf-16le', bom: false };
  if (n >= 4 && evenZero > n / 4 && oddZero === 0) return { encoding: 'utf-16be', bom: false };
  if (firstZero >= 0)
    throw new FileError(
      `the file contains NUL bytes (first at byte ${firstZero}): it is binary, or text in an encoding other than UTF-8, UTF-16 or Windows-1252`,
    );
  return { encoding: 'utf-8', bom: false };
}

/** Windows-1252's characters for bytes 0x80–0x9F (undefined ones stay as they are). */
const CP1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * Node's TextDecoder('windows-1252') (v20, small ICU) decodes 0x80–0x9F as C1 controls, as ISO-8859-1 does, so
 * `O’Brien` (0x92) came out as `O\u0092Brien`; browsers follow the WHATWG table. Map them the way Windows does.
 */
export function fixCp1252(text: string): string {
  return /[\u0080-\u009f]/.test(text)
    ? text.replace(/[\u0080-\u009f]/g, (c) => CP1252_C1[c.charCodeAt(0) - 0x80]!)
    : text;
}

/**
 * Yields decoded text chunks. Blocks are re-cut to exactly 1 MiB so the hash does not depend on how the source
 * stream happens to chunk. With `force`, the encoding is not sniffed (used for the Windows-1252 retry).
 */
export async function* decodeText(
  input: ImportInput,
  state: DecodeState,
  opts: JobOptions & { force?: TextEncoding },
): AsyncGenerator<string> {
  const reader = input.stream().getReader();
  const digests: Promise<ArrayBuffer>[] = [];
  let pending = new Uint8Array(BLOCK);
  let fill = 0;
  let decoder: TextDecoder | null = null;
  let offset = 0;

  const decodeBlock = (block: Uint8Array, last: boolean): string => {
    if (!decoder) {
      if (opts.force) {
        state.encoding = opts.force;
        state.bom = false;
      } else {
        const s = sniffEncoding(block);
        state.encoding = s.encoding;
        state.bom = s.bom;
      }
      // fatal only for UTF-8: the other decoders never fail, and a UTF-8 failure means "try Windows-1252".
      decoder = new TextDecoder(state.encoding!, { fatal: state.encoding === 'utf-8', ignoreBOM: false });
    }
    let text: string;
    try {
      text = decoder.decode(block, { stream: !last });
    } catch {
      throw new EncodingRestart(offset);
    }
    offset += block.byteLength;
    if (state.encoding === 'windows-1252') text = fixCp1252(text);
    if (state.encoding !== 'utf-8' || opts.force) {
      const nul = text.indexOf('\0');
      if (nul >= 0)
        throw new FileError(`the file contains a NUL character near byte ${offset - block.byteLength + nul}`);
    } else if (block.indexOf(0) >= 0) {
      throw new FileError(`the file contains a NUL byte at byte ${offset - block.byteLength + block.indexOf(0)}`);
    }
    return text;
  };

  try {
    for (;;) {
      throwIfCancelled(opts.signal);
      const { value, done } = await reader.read();
      if (done) break;
      let pos = 0;
      while (pos < value.byteLength) {
        const take = Math.min(BLOCK - fill, value.byteLength - pos);
        pending.set(value.subarray(pos, pos + take), fill);
        fill += take;
        pos += take;
        state.bytes += take;
        if (fill === BLOCK) {
          const block = pending;
          pending = new Uint8Array(BLOCK);
          fill = 0;
          digests.push(crypto.subtle.digest('SHA-256', buf(block)));
          const text = decodeBlock(block, false);
          opts.onProgress?.({ phase: 'import', done: state.bytes, total: input.size });
          if (text) yield text;
          throwIfCancelled(opts.signal);
        }
      }
    }
    const tail = pending.subarray(0, fill);
    if (fill > 0 || digests.length === 0) digests.push(crypto.subtle.digest('SHA-256', buf(tail.slice())));
    const text = decodeBlock(tail, true);
    if (text) yield text;
    opts.onProgress?.({ phase: 'import', done: state.bytes, total: input.size });
    const all = await Promise.all(digests);
    const cat = new Uint8Array(all.length * 32);
    all.forEach((d, i) => cat.set(new Uint8Array(d), i * 32));
    state.sha256 = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', cat)));
  } finally {
    reader.releaseLock();
  }
}
