// A file on disk as a byte stream in 1 MiB reads, opened on the first pull: the CLI's inputs and the reading thread's.
import { open } from 'node:fs/promises';

export function fileStream(abs: string): ReadableStream<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | null = null;
  let started: Promise<Awaited<ReturnType<typeof open>>> | null = null;
  const get = () => (started ??= open(abs, 'r').then((h) => (handle = h)));
  return new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      const h = await get();
      const chunk = new Uint8Array(1 << 20);
      const { bytesRead } = await h.read(chunk, 0, chunk.byteLength, null);
      if (bytesRead === 0) {
        await h.close();
        handle = null;
        ctrl.close();
      } else ctrl.enqueue(chunk.subarray(0, bytesRead));
    },
    async cancel() {
      await handle?.close();
    },
  });
}
