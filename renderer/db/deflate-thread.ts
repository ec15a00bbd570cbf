// Raw-row chunks compressed in a thread of their own: Chromium's CompressionStream runs zlib on the thread that calls it, here the one running SQLite.
import type { ChunkDeflate } from '../../core/store/raw-rows.js';
import { deflateRaw } from '../../core/store/raw-rows.js';

/** One end of the compression thread's channel (a Worker; a stand-in in tests). */
export interface DeflatePort {
  post(msg: { id: number; bytes: Uint8Array<ArrayBuffer> }): void;
  listen(fn: (msg: { id: number; bytes?: Uint8Array; error?: string }) => void, fail: () => void): void;
  close(): void;
}

function spawn(): DeflatePort {
  const w = new Worker(new URL('./deflate-worker.ts', import.meta.url), { type: 'module', name: 'ringside-deflate' });
  return {
    post(msg) {
      // A copy goes, transferred (a structured clone of the bytes cost this thread more than the copy): the chunk
      // stays here until its answer, so a thread that fails costs no chunk.
      const bytes = msg.bytes.slice();
      w.postMessage({ id: msg.id, bytes }, [bytes.buffer]);
    },
    listen(fn, fail) {
      w.onmessage = (e) => fn(e.data as { id: number; bytes?: Uint8Array; error?: string });
      w.onerror = () => fail();
      w.onmessageerror = () => fail();
    },
    close: () => w.terminate(),
  };
}

/**
 * A ChunkDeflate that compresses in the thread `start` gives (a nested Worker by default), with deflateRaw's bytes
 * (the same zlib, the same settings). A chunk the thread fails to answer (it could not start, or died) is
 * compressed here instead, and the next chunk starts a new thread; a chunk zlib refuses fails as deflateRaw would.
 * Null where a worker cannot start one.
 */
export function threadDeflate(start: () => DeflatePort = spawn): ChunkDeflate | null {
  if (start === spawn && typeof Worker === 'undefined') return null;
  let port: DeflatePort | null = null;
  let next = 0;
  const waiting = new Map<
    number,
    { bytes: Uint8Array<ArrayBuffer>; ok: (b: Uint8Array) => void; fail: (e: Error) => void }
  >();
  const fallBack = () => {
    port?.close();
    port = null;
    const left = [...waiting.values()];
    waiting.clear();
    for (const w of left) deflateRaw(w.bytes).then(w.ok, w.fail);
  };
  return (bytes) =>
    new Promise<Uint8Array>((ok, fail) => {
      if (!port) {
        const p = start();
        p.listen(
          (m) => {
            if (p !== port) return;
            const w = waiting.get(m.id);
            if (!w) return;
            waiting.delete(m.id);
            if (m.bytes) w.ok(m.bytes);
            else w.fail(new Error(`a raw-row chunk could not be compressed: ${m.error ?? 'no reason given'}`));
          },
          () => {
            if (p === port) fallBack();
          },
        );
        port = p;
      }
      const id = ++next;
      waiting.set(id, { bytes, ok, fail });
      port.post({ id, bytes });
    });
}
