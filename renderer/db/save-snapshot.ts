// Saves the open workspace's snapshot: streamed from the worker in chunks on the desktop, whole elsewhere (a Blob).
import * as Comlink from 'comlink';
import type { HostApi } from '../../core/contract/host.js';
import { db } from './client.js';

/**
 * On a host that takes a streamed snapshot (the desktop app), the worker sends the image in chunks, each written
 * by the main process before the next is exported, so no whole copy of the image exists in any process. A failure
 * or cancel anywhere drops the save: the previous snapshot stays and no temp file is left.
 */
export async function saveSnapshot(host: HostApi, workspaceId: string, journalSeq: number): Promise<void> {
  if (!host.snapshotBegin || !host.snapshotChunk || !host.snapshotEnd)
    return host.saveSnapshot(workspaceId, await db().exportDb(), journalSeq);
  const saveId = await host.snapshotBegin(workspaceId, journalSeq);
  try {
    const head = await db().exportStream(
      Comlink.proxy((position: number, bytes: Uint8Array) => host.snapshotChunk!(saveId, position, bytes)),
    );
    await host.snapshotEnd(saveId, head);
  } catch (err) {
    // The main process may have dropped the save already (then this is refused, which is fine).
    await host.snapshotEnd(saveId, null).catch(() => undefined);
    throw err;
  }
}
