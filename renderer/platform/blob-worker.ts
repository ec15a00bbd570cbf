// Makes a snapshot's Blob off the page's thread: copying a few hundred MB into a Blob blocks whichever thread does it.
const scope = self as unknown as {
  postMessage(msg: unknown): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<{ id: number; bytes: Uint8Array }>) => void): void;
};
scope.addEventListener('message', (e) => {
  const { id, bytes } = e.data;
  // A Blob crosses back to the page by reference, not by copy.
  scope.postMessage({ id, blob: new Blob([bytes as BlobPart], { type: 'application/vnd.sqlite3' }) });
});
