// Whole-file and head reads of an import's byte stream, and the content hash of bytes read whole.
import { throwIfCancelled, type JobOptions } from '../../contract/jobs.js';
import type { ImportInput } from '../../contract/ingest.js';
import { buf, toHex } from '../../secrets/box.js';
import { FileError } from '../errors.js';
import { BLOCK } from './decode.js';

export async function peekBytes(input: ImportInput, n = 4096): Promise<Uint8Array> {
  const reader = input.stream().getReader();
  try {
    const parts: Uint8Array[] = [];
    let got = 0;
    while (got < n) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
      got += value.byteLength;
    }
    const out = new Uint8Array(Math.min(got, n));
    let o = 0;
    for (const p of parts) {
      const take = Math.min(p.byteLength, out.byteLength - o);
      out.set(p.subarray(0, take), o);
      o += take;
      if (o >= out.byteLength) break;
    }
    return out;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The same content identity as the streamed path: SHA-256 over the SHA-256 of each 1 MiB block. */
export async function contentHash(bytes: Uint8Array): Promise<string> {
  const n = Math.max(1, Math.ceil(bytes.byteLength / BLOCK));
  const cat = new Uint8Array(n * 32);
  for (let i = 0; i < n; i++) {
    const block = bytes.slice(i * BLOCK, Math.min(bytes.byteLength, (i + 1) * BLOCK));
    cat.set(new Uint8Array(await crypto.subtle.digest('SHA-256', buf(block))), i * 32);
  }
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', cat)));
}

export async function readWhole(input: ImportInput, cap: number, opts: JobOptions): Promise<Uint8Array> {
  if (input.size > cap)
    throw new FileError(`the file is ${input.size} bytes; files of this kind are read whole, up to ${cap}`);
  const reader = input.stream().getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    for (;;) {
      throwIfCancelled(opts.signal);
      const { value, done } = await reader.read();
      if (done) break;
      n += value.byteLength;
      if (n > cap) throw new FileError(`the file is larger than ${cap} bytes; files of this kind are read whole`);
      parts.push(value);
      opts.onProgress?.({ phase: 'read', done: n, total: input.size });
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
