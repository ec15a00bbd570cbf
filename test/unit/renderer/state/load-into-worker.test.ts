// loadIntoWorker hands the workspace image to the database worker instead of copying it, and lets go of it.
import * as Comlink from 'comlink';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { OpenedWorkspace } from '../../../../core/contract/host.js';

// The worker end: a real MessageChannel, so the hand-over goes through postMessage exactly as to a Worker.
const channel = new MessageChannel();
const received: { snapshot: Uint8Array | null; journal: unknown[] }[] = [];
Comlink.expose(
  {
    open(opts: { snapshot: Uint8Array | null; journal: unknown[] }) {
      received.push(opts);
      return { replayed: opts.journal.length, lastSeq: 41 + opts.journal.length };
    },
  },
  channel.port2 as unknown as Comlink.Endpoint,
);
const remote = Comlink.wrap(channel.port1 as unknown as Comlink.Endpoint);
vi.mock('../../../../renderer/db/client.js', () => ({ db: () => remote }));

// Through a variable: the test project does not typecheck the renderer's React files (they are the renderer's own).
const modulePath = '../../../../renderer/state/workspace.js';
const { loadIntoWorker } = (await import(/* @vite-ignore */ modulePath)) as {
  loadIntoWorker(opened: OpenedWorkspace): Promise<number>;
};

afterAll(() => {
  channel.port1.close();
  channel.port2.close();
});

function opened(snapshot: Uint8Array | null): OpenedWorkspace {
  return {
    ref: { id: 'w1', name: 'test', location: 'w1', openedAt: 0 },
    snapshot,
    journal: [{ seq: 1, action: { type: 'note' } } as never],
    keyMaterial: new Uint8Array(32),
  };
}

describe('loadIntoWorker', () => {
  it('transfers the image: the worker gets every byte, the page keeps none of it', async () => {
    const image = new Uint8Array(1 << 20).map((_, i) => i % 251);
    const ws = opened(image);
    expect(await loadIntoWorker(ws)).toBe(42);
    const got = received.at(-1)!.snapshot!;
    expect(got.byteLength).toBe(1 << 20);
    expect(got[250]).toBe(250);
    expect(got[251]).toBe(0);
    // Detached by the transfer, not copied; and the opened workspace no longer points at it.
    expect(image.byteLength).toBe(0);
    expect(ws.snapshot).toBeNull();
  });

  it('a new workspace (no image) opens without one', async () => {
    const ws = opened(null);
    expect(await loadIntoWorker(ws)).toBe(42);
    expect(received.at(-1)!.snapshot).toBeNull();
  });
});
