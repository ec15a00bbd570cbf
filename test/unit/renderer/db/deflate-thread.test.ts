// threadDeflate: raw-row chunks compressed in another thread come back as deflateRaw's bytes, each to its own chunk, and a failed thread costs none.
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateRaw } from '../../../../core/store/raw-rows.js';
import { threadDeflate, type DeflatePort } from '../../../../renderer/db/deflate-thread.js';

type Msg = { id: number; bytes: Uint8Array<ArrayBuffer> };

/** A stand-in thread: answers with deflateRaw, in the order `order` picks from what it holds, or fails. */
function fakeThread(opts: { answerOutOfOrder?: boolean; failAfter?: number; refuse?: boolean } = {}) {
  const started: Array<{ held: Msg[]; closed: boolean }> = [];
  const start = (): DeflatePort => {
    const me = { held: [] as Msg[], closed: false };
    started.push(me);
    let send: (m: { id: number; bytes?: Uint8Array; error?: string }) => void = () => undefined;
    let fail: () => void = () => undefined;
    let seen = 0;
    return {
      post(msg) {
        // A copy, as postMessage without a transfer list makes.
        me.held.push({ id: msg.id, bytes: msg.bytes.slice() });
        seen++;
        if (opts.failAfter !== undefined && started.length === 1 && seen > opts.failAfter) {
          queueMicrotask(fail);
          return;
        }
        if (me.held.length < 3 && !opts.answerOutOfOrder) {
          const m = me.held.shift()!;
          if (opts.refuse) queueMicrotask(() => send({ id: m.id, error: 'no zlib here' }));
          else void deflateRaw(m.bytes).then((bytes) => send({ id: m.id, bytes }));
        } else if (opts.answerOutOfOrder && me.held.length === 3) {
          for (const m of me.held.splice(0).reverse())
            void deflateRaw(m.bytes).then((bytes) => send({ id: m.id, bytes }));
        }
      },
      listen(fn, f) {
        send = fn;
        fail = f;
      },
      close() {
        me.closed = true;
      },
    };
  };
  return { start, started };
}

const chunk = (n: number) => new TextEncoder().encode(`[[${n},["host-${n}","${'x'.repeat(n * 37)}"]]]`);
const inflate = (b: Uint8Array) => new TextDecoder().decode(inflateRawSync(b));

describe('threadDeflate', () => {
  it("gives each chunk deflateRaw's bytes, answers out of order included", async () => {
    const t = fakeThread({ answerOutOfOrder: true });
    const deflate = threadDeflate(t.start)!;
    const chunks = [1, 2, 3, 4, 5, 6].map(chunk);
    const got = await Promise.all(chunks.map((c) => deflate(c)));
    const want = await Promise.all(chunks.map((c) => deflateRaw(c)));
    expect(got).toEqual(want);
    expect(got.map(inflate)).toEqual(chunks.map((c) => new TextDecoder().decode(c)));
    expect(t.started.length).toBe(1);
  });

  it('compresses here what a failed thread held, and starts a new thread for the next chunk', async () => {
    const t = fakeThread({ failAfter: 2 });
    const deflate = threadDeflate(t.start)!;
    const first = await Promise.all([1, 2].map((n) => deflate(chunk(n))));
    // The third chunk finds the thread failing: it and nothing else is compressed here.
    const third = await deflate(chunk(3));
    expect(t.started[0]!.closed).toBe(true);
    const fourth = await deflate(chunk(4));
    expect(t.started.length).toBe(2);
    expect([...first, third, fourth].map(inflate)).toEqual([1, 2, 3, 4].map((n) => new TextDecoder().decode(chunk(n))));
    expect(third).toEqual(await deflateRaw(chunk(3)));
  });

  it("fails a chunk the thread's zlib refused, as deflateRaw would fail it", async () => {
    const deflate = threadDeflate(fakeThread({ refuse: true }).start)!;
    await expect(deflate(chunk(1))).rejects.toThrow('a raw-row chunk could not be compressed: no zlib here');
  });
});
