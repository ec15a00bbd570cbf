// The database worker's compression thread: raw-row chunks deflated here, off the thread that runs SQLite.
import { deflateRaw } from '../../core/store/raw-rows.js';

/** The dedicated worker scope, typed here: the renderer's lib is the page's (DOM), whose postMessage differs. */
const scope = self as unknown as {
  postMessage(msg: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
};

scope.addEventListener('message', (e) => {
  const { id, bytes } = e.data as { id: number; bytes: Uint8Array<ArrayBuffer> };
  deflateRaw(bytes).then(
    (out) => scope.postMessage({ id, bytes: out }, [out.buffer]),
    (err: unknown) => scope.postMessage({ id, error: err instanceof Error ? err.message : String(err) }, []),
  );
});
