// The preload exposes HostApi as named functions only, each on its own channel; no ipcRenderer, no generic invoke.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { HostApi } from '../../../core/contract/host.js';
import { SNAPSHOT_CHUNK } from '../../../core/store/export-stream.js';
import { EVENTS, INVOKE, SEND } from '../../../electron/host/channels.js';
import { createFakeElectron, requireWithFakeElectron, type FakeElectron } from './fake-electron.js';

const fake = vi.hoisted(() => ({ electron: undefined as unknown as FakeElectron }));
vi.mock('electron', async () => {
  const { createFakeElectron: make } = await import('./fake-electron.js');
  fake.electron = make();
  return fake.electron;
});

const domListeners = new Map<string, (e: unknown) => void>();
vi.stubGlobal('addEventListener', (type: string, fn: (e: unknown) => void) => domListeners.set(type, fn));

// Every HostApi member, written out: a new member without a preload function fails here and in `satisfies`.
const HOST_KEYS: (keyof HostApi)[] = [
  'kind',
  'appInfo',
  'recentWorkspaces',
  'createWorkspace',
  'openWorkspace',
  'saveSnapshot',
  'snapshotBegin',
  'snapshotChunk',
  'snapshotEnd',
  'appendJournal',
  'saveFile',
  'printToPdf',
  'onOpenFile',
  'onMenuCommand',
];

let api: Record<string, unknown>;
beforeAll(async () => {
  await import('../../../electron/preload.js');
  expect(fake.electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
  expect(fake.electron.contextBridge.exposeInMainWorld.mock.calls[0]![0]).toBe('ringside');
  api = fake.electron.exposed.ringside as Record<string, unknown>;
});

describe('preload', () => {
  it('exposes one object with every HostApi key and nothing else', () => {
    expect(Object.keys(api).sort()).toEqual([...HOST_KEYS].sort());
    expect(api.kind).toBe('electron');
  });

  it('exposes functions only (besides the kind tag): no ipcRenderer, no generic invoke/send/on', () => {
    for (const [key, value] of Object.entries(api)) {
      if (key === 'kind') continue;
      expect(typeof value, key).toBe('function');
      expect(value).not.toBe(fake.electron.ipcRenderer.invoke);
      expect(value).not.toBe(fake.electron.ipcRenderer.send);
    }
    const values = Object.values(api);
    expect(values).not.toContain(fake.electron.ipcRenderer);
    for (const banned of ['invoke', 'send', 'on', 'ipcRenderer', 'require', 'process', 'electron'])
      expect(api, banned).not.toHaveProperty(banned);
  });

  it('binds each verb to its own fixed channel, whatever the caller passes', async () => {
    const invoke = fake.electron.ipcRenderer.invoke;
    const cases: [keyof typeof INVOKE, unknown[]][] = [
      ['appInfo', []],
      ['recentWorkspaces', []],
      ['createWorkspace', ['X']],
      ['openWorkspace', ['/w/a.ringside']],
      ['snapshotBegin', ['id', 3]],
      ['snapshotChunk', ['sid', 4096, new Uint8Array(1)]],
      ['snapshotEnd', ['sid', null]],
      ['appendJournal', ['id', { seq: 1, action: { type: 'device.note' } }]],
      ['saveFile', [{ suggestedName: 'a', data: 'b' }]],
      ['printToPdf', []],
    ];
    for (const [verb, args] of cases) {
      invoke.mockClear();
      await (api[verb] as (...a: unknown[]) => Promise<unknown>)(...args);
      expect(invoke, verb).toHaveBeenCalledWith(INVOKE[verb], ...args);
    }
    invoke.mockClear();
    await (api.openWorkspace as () => Promise<unknown>)();
    expect(invoke).toHaveBeenCalledWith(INVOKE.openWorkspace);
    // Extra arguments a hostile page adds never change the channel.
    invoke.mockClear();
    await (api.appInfo as (...a: unknown[]) => Promise<unknown>)('host:save-file', { evil: true });
    expect(invoke).toHaveBeenCalledWith(INVOKE.appInfo);
  });

  it('sends a whole image through the streamed save: the pages after the first in chunks, then the first page', async () => {
    const invoke = fake.electron.ipcRenderer.invoke;
    invoke.mockClear();
    invoke.mockImplementation(async (channel: unknown) => (channel === INVOKE.snapshotBegin ? 'sid' : undefined));
    // A SQLite header stating 4096-byte pages, and an image of two full chunks and a bit after its first page.
    const total = 4096 + 2 * SNAPSHOT_CHUNK + 12345;
    const bytes = new Uint8Array(total);
    bytes.set(new TextEncoder().encode('SQLite format 3\0'));
    bytes[16] = 0x10;
    bytes[17] = 0x00;
    bytes[4096] = 1;
    bytes[total - 1] = 2;
    await (api.saveSnapshot as HostApi['saveSnapshot'])('id', bytes, 7);
    const size = (v: unknown) => (v instanceof Uint8Array ? v.byteLength : v);
    const calls = invoke.mock.calls.map((c) => c.map(size));
    expect(calls).toEqual([
      [INVOKE.snapshotBegin, 'id', 7],
      [INVOKE.snapshotChunk, 'sid', 4096, SNAPSHOT_CHUNK],
      [INVOKE.snapshotChunk, 'sid', 4096 + SNAPSHOT_CHUNK, SNAPSHOT_CHUNK],
      [INVOKE.snapshotChunk, 'sid', 4096 + 2 * SNAPSHOT_CHUNK, 12345],
      [INVOKE.snapshotEnd, 'sid', 4096],
    ]);
    // Views of the one image, not copies.
    expect((invoke.mock.calls[1]![3] as Uint8Array)[0]).toBe(1);
    expect((invoke.mock.calls[3]![3] as Uint8Array).at(-1)).toBe(2);
    expect((invoke.mock.calls[4]![2] as Uint8Array)[0]).toBe(0x53);
  });

  it('cancels the streamed save when main refuses a chunk, and passes the refusal on', async () => {
    const invoke = fake.electron.ipcRenderer.invoke;
    invoke.mockClear();
    invoke.mockImplementation(async (channel: unknown) => {
      if (channel === INVOKE.snapshotChunk) throw new Error('a chunk arrived out of order; the save was dropped');
      return channel === INVOKE.snapshotBegin ? 'sid' : undefined;
    });
    const bytes = new Uint8Array(3 * 4096);
    bytes[16] = 0x10;
    await expect((api.saveSnapshot as HostApi['saveSnapshot'])('id', bytes, 2)).rejects.toThrow(/out of order/);
    expect(invoke.mock.calls.at(-1)).toEqual([INVOKE.snapshotEnd, 'sid', null]);
    invoke.mockImplementation(async () => undefined);
  });

  it('subscriptions deliver main events and tell main the page is ready', () => {
    const seen: unknown[] = [];
    const off = (api.onOpenFile as HostApi['onOpenFile'])!((ev) => seen.push(ev));
    expect(fake.electron.ipcRenderer.send).toHaveBeenCalledWith(SEND.openFileReady);
    const listener = fake.electron.rendererListeners.get(EVENTS.openFile)![0]!;
    listener({}, { kind: 'workspace', name: 'a.ringside', location: '/w/a.ringside' });
    expect(seen).toEqual([{ kind: 'workspace', name: 'a.ringside', location: '/w/a.ringside' }]);
    off();
    listener({}, { kind: 'workspace', name: 'b.ringside' });
    expect(seen).toHaveLength(1);

    const cmds: string[] = [];
    (api.onMenuCommand as HostApi['onMenuCommand'])!((c) => cmds.push(c));
    fake.electron.rendererListeners.get(EVENTS.menuCommand)!.at(-1)!({}, 'save-snapshot');
    expect(cmds).toEqual(['save-snapshot']);
  });

  it('routes dropped workspaces to main by path and reads dropped exports itself', async () => {
    const got: { kind: string; name: string; data?: Uint8Array }[] = [];
    (api.onOpenFile as HostApi['onOpenFile'])!((ev) => got.push(ev));
    const file = (name: string, text: string) => ({
      name,
      size: text.length,
      arrayBuffer: async () => new TextEncoder().encode(text).buffer,
    });
    const files = [file('Incident.ringside', ''), file('falcon-hosts.csv', 'Hostname\nPC-1\n')];
    let prevented = false;
    await domListeners.get('drop')!({
      defaultPrevented: false,
      preventDefault: () => (prevented = true),
      dataTransfer: { files: Object.assign(files, { length: 2 }), types: ['Files'] },
    });
    await vi.waitFor(() => expect(got.some((g) => g.kind === 'export')).toBe(true));
    expect(prevented).toBe(true);
    expect(fake.electron.ipcRenderer.send).toHaveBeenCalledWith(SEND.droppedFiles, ['/dropped/file.ringside']);
    const exp = got.find((g) => g.kind === 'export')!;
    expect(exp.name).toBe('falcon-hosts.csv');
    expect(new TextDecoder().decode(exp.data)).toBe('Hostname\nPC-1\n');
  });

  it('leaves drops the page handled itself alone', async () => {
    fake.electron.ipcRenderer.send.mockClear();
    await domListeners.get('drop')!({
      defaultPrevented: true,
      preventDefault: vi.fn(),
      dataTransfer: { files: { length: 1, 0: {} } },
    });
    expect(fake.electron.ipcRenderer.send).not.toHaveBeenCalled();
  });

  it('source: the only electron imports are contextBridge, ipcRenderer and webUtils, and the object satisfies HostApi', () => {
    const src = readFileSync(new URL('../../../electron/preload.ts', import.meta.url), 'utf8');
    expect(src).toMatch(/import \{ contextBridge, ipcRenderer, webUtils, type IpcRendererEvent \} from 'electron'/);
    expect(src).toMatch(/\} satisfies HostApi;/);
    // Channels are constants, never a parameter.
    expect(src).not.toMatch(/invoke\(\s*(channel|name|c)\b/);
  });

  it('the built preload bundle exposes the same named functions', (ctx) => {
    const bundled = createFakeElectron();
    try {
      requireWithFakeElectron(new URL('../../../dist/electron/preload.cjs', import.meta.url).pathname, bundled);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
      // Not built in this checkout (`npm test` builds it first): reported as skipped, never as a pass.
      ctx.skip('dist/electron/preload.cjs is not built: run `npm run build:electron`');
    }
    expect(Object.keys(bundled.exposed.ringside as object).sort()).toEqual([...HOST_KEYS].sort());
  });
});
