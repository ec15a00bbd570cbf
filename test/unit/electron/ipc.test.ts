// Main-process IPC: every handler refuses foreign senders and malformed arguments; the desktop host keeps its files.
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebContents } from 'electron';
import { DesktopHost } from '../../../electron/host/desktop-host.js';
import { INVOKE, SEND } from '../../../electron/host/channels.js';
import { RecentList } from '../../../electron/host/recent.js';
import { ARGS, ForeignSenderError, registerIpc } from '../../../electron/ipc.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { WorkspaceStorage } from '../../../electron/storage.js';
import { FakeWebContents, ipcEvent, type FakeFrame } from './fake-electron.js';

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;

function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-ipc-'));
  const storage = new WorkspaceStorage();
  const keys = new Map<string, Uint8Array>();
  const dialogs = {
    open: vi.fn(async (): Promise<string | null> => null),
    save: vi.fn(async (_defaultPath: string): Promise<string | null> => null),
  };
  const host = new DesktopHost({
    storage,
    keys: { get: async (id) => keys.get(id) ?? (keys.set(id, new Uint8Array(32).fill(keys.size + 1)), keys.get(id)!) },
    recent: new RecentList(path.join(dir, 'user', 'recent.json'), (f, b) => storage.writeAtomic(f, b)),
    sqlJs: loadSqlJs,
    workspaceDir: () => path.join(dir, 'Documents', 'Ringside'),
    documentsDir: () => path.join(dir, 'Documents'),
    showOpenDialog: dialogs.open,
    showSaveDialog: dialogs.save,
    printToPdf: async () => new Uint8Array([37, 80, 68, 70]),
    appInfo: () => ({ name: 'Ringside', version: '0.1.0', versions: { electron: '45.5.0' } }),
  });
  const handlers = new Map<string, Handler>();
  const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  const win = new FakeWebContents();
  const openPaths = vi.fn();
  const openFileReady = vi.fn();
  const channels = registerIpc({
    ipcMain: {
      handle: ((c: string, fn: Handler) => handlers.set(c, fn)) as never,
      on: ((c: string, fn: (event: unknown, ...args: unknown[]) => void) => listeners.set(c, fn)) as never,
    },
    host,
    trusted: (wc: WebContents) => wc === (win as unknown as WebContents),
    openPaths,
    openFileReady,
  });
  const call = (channel: string, ...args: unknown[]) => handlers.get(channel)!(ipcEvent(win), ...args);
  return { dir, host, handlers, listeners, win, call, channels, dialogs, openPaths, openFileReady, keys };
}

/** A whole image saved the way the preload sends one: the pages after the first in chunks, then the first page. */
async function saveImage(s: ReturnType<typeof setup>, id: string, img: Uint8Array, seq: number): Promise<void> {
  const sid = (await s.call(INVOKE.snapshotBegin, id, seq)) as string;
  const stated = (img[16]! << 8) | img[17]!;
  const page = img[0] === 0x53 ? (stated === 1 ? 65536 : stated) : img.byteLength;
  for (let p = page; p < img.byteLength; p += 8 * 2 ** 20)
    await s.call(INVOKE.snapshotChunk, sid, p, img.subarray(p, p + 8 * 2 ** 20));
  await s.call(INVOKE.snapshotEnd, sid, img.subarray(0, page));
}

const VALID_ARGS: Record<keyof typeof INVOKE, unknown[]> = {
  appInfo: [],
  recentWorkspaces: [],
  createWorkspace: ['Incident'],
  openWorkspace: [],
  snapshotBegin: ['00000000-0000-4000-8000-000000000000', 1],
  snapshotChunk: ['00000000-0000-4000-8000-000000000000', 4096, new Uint8Array(4096)],
  snapshotEnd: ['00000000-0000-4000-8000-000000000000', new Uint8Array(4096)],
  appendJournal: [
    '00000000-0000-4000-8000-000000000000',
    { seq: 1, action: { type: 'device.note', deviceId: 1, note: 'x', at: 1 } },
  ],
  saveFile: [{ suggestedName: 'a.txt', data: 'x' }],
  printToPdf: [],
};

const MALFORMED: Record<keyof typeof INVOKE, unknown[][]> = {
  appInfo: [['extra']],
  recentWorkspaces: [[1]],
  createWorkspace: [[], [42], [''], ['x'.repeat(201)], [{ name: 'x' }], ['a', 'b']],
  openWorkspace: [[42], [''], [{ location: '/x' }], ['a', 'b']],
  snapshotBegin: [
    [],
    ['not-an-id', 1],
    ['00000000-0000-4000-8000-000000000000', -1],
    ['00000000-0000-4000-8000-000000000000', 1.5],
    ['00000000-0000-4000-8000-000000000000', 1, 'extra'],
  ],
  snapshotChunk: [
    ['00000000-0000-4000-8000-000000000000', 4096],
    ['00000000-0000-4000-8000-000000000000', 4096, 'bytes'],
    ['00000000-0000-4000-8000-000000000000', 4096, new Uint8Array(0)],
    ['00000000-0000-4000-8000-000000000000', 4096, new Uint8Array(8 * 2 ** 20 + 1)],
    ['00000000-0000-4000-8000-000000000000', 0, new Uint8Array(4096)],
    ['00000000-0000-4000-8000-000000000000', -4096, new Uint8Array(4096)],
    ['00000000-0000-4000-8000-000000000000', 2 ** 32, new Uint8Array(4096)],
  ],
  snapshotEnd: [
    ['00000000-0000-4000-8000-000000000000'],
    ['00000000-0000-4000-8000-000000000000', new Uint8Array(100)],
    ['00000000-0000-4000-8000-000000000000', new Uint8Array(65537)],
    ['00000000-0000-4000-8000-000000000000', 'head'],
  ],
  appendJournal: [
    ['00000000-0000-4000-8000-000000000000'],
    ['00000000-0000-4000-8000-000000000000', { seq: 0, action: { type: 'device.note' } }],
    ['00000000-0000-4000-8000-000000000000', { seq: 1, action: { type: 'rm -rf /' } }],
    ['00000000-0000-4000-8000-000000000000', { seq: 1, action: { type: 'device.note' }, extra: 1 }],
    ['00000000-0000-4000-8000-000000000000', { seq: 1, action: { type: 'device.note', note: 'x'.repeat(70_000) } }],
  ],
  saveFile: [
    [],
    [{ suggestedName: '', data: 'x' }],
    [{ suggestedName: 'a', data: 42 }],
    [{ suggestedName: 'a', data: 'x', path: '/etc/passwd' }],
  ],
  printToPdf: [[{ landscape: true }]],
};

const foreignFrames = (win: FakeWebContents): [string, FakeWebContents, FakeFrame | null][] => [
  ['another app:// host', win, { url: 'app://evil/index.html', parent: null }],
  ['a look-alike host', win, { url: 'app://ringside.attacker.com/index.html', parent: null }],
  ['credentials in the URL', win, { url: 'app://user:pw@ringside/index.html', parent: null }],
  ['a file:// page', win, { url: 'file:///home/u/index.html', parent: null }],
  ['an https:// page', win, { url: 'https://ringside/index.html', parent: null }],
  ['https look-alike', win, { url: 'https://example.com.attacker.com/', parent: null }],
  ['a subframe of the app', win, { url: 'app://ringside/index.html', parent: win.mainFrame }],
  ['a destroyed frame', win, null],
  ['another webContents', new FakeWebContents(), null],
];

describe('IPC handlers', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('registers exactly one handler per HostApi verb plus the two renderer messages', () => {
    expect([...s.handlers.keys()].sort()).toEqual(Object.values(INVOKE).sort());
    expect([...s.listeners.keys()].sort()).toEqual(Object.values(SEND).sort());
    expect(Object.keys(ARGS).sort()).toEqual(Object.keys(INVOKE).sort());
  });

  for (const verb of Object.keys(INVOKE) as (keyof typeof INVOKE)[]) {
    it(`${verb}: refuses every foreign sender before doing anything`, async () => {
      const spy = vi.spyOn(s.host, verb as never);
      for (const [label, sender, frame] of foreignFrames(s.win)) {
        const f = frame ?? (label === 'another webContents' ? sender.mainFrame : null);
        // A subframe is a different object from the main frame even when its URL is the app's.
        const event = { sender, senderFrame: f };
        await expect(s.handlers.get(INVOKE[verb])!(event, ...VALID_ARGS[verb]), label).rejects.toBeInstanceOf(
          ForeignSenderError,
        );
      }
      expect(spy).not.toHaveBeenCalled();
    });

    it(`${verb}: refuses malformed arguments`, async () => {
      const spy = vi.spyOn(s.host, verb as never);
      for (const args of MALFORMED[verb]) {
        await expect(s.call(INVOKE[verb], ...args), JSON.stringify(args).slice(0, 80)).rejects.toThrow(
          /invalid arguments/,
        );
      }
      expect(spy).not.toHaveBeenCalled();
    });
  }

  it('ignores dropped-file and ready messages from foreign senders and bad paths', () => {
    const drop = s.listeners.get(SEND.droppedFiles)!;
    drop({ sender: s.win, senderFrame: { url: 'https://evil.example/', parent: null } }, ['/x/a.ringside']);
    drop(ipcEvent(s.win), ['relative/a.ringside']);
    drop(ipcEvent(s.win), ['/etc/passwd']);
    drop(ipcEvent(s.win), []);
    expect(s.openPaths).not.toHaveBeenCalled();
    drop(ipcEvent(s.win), ['/x/a.ringside', '/x/b.RINGPACK']);
    expect(s.openPaths).toHaveBeenCalledWith(['/x/a.ringside', '/x/b.RINGPACK']);
    s.listeners.get(SEND.openFileReady)!({ sender: s.win, senderFrame: { url: 'file:///x', parent: null } });
    expect(s.openFileReady).not.toHaveBeenCalled();
    s.listeners.get(SEND.openFileReady)!(ipcEvent(s.win));
    expect(s.openFileReady).toHaveBeenCalledOnce();
  });
});

describe('desktop host through IPC', () => {
  it('creates a workspace file, journals, snapshots, and reopens snapshot + journal with the same key', async () => {
    const s = setup();
    const opened = (await s.call(INVOKE.createWorkspace, 'Sample incident: 19 July 2024')) as {
      ref: { id: string; location: string; name: string };
      snapshot: Uint8Array;
      keyMaterial: Uint8Array;
    };
    expect(opened.ref.location).toBe(
      path.join(s.dir, 'Documents', 'Ringside', 'Sample incident 19 July 2024.ringside'),
    );
    expect(opened.ref.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from(opened.snapshot.subarray(0, 15)).toString()).toBe('SQLite format 3');
    const entry = { seq: 1, action: { type: 'device.note', deviceId: 3, note: 'on site', at: 1 } };
    await s.call(INVOKE.appendJournal, opened.ref.id, entry);
    const again = (await s.call(INVOKE.openWorkspace, opened.ref.location)) as {
      ref: { id: string };
      journal: unknown[];
      keyMaterial: Uint8Array;
    };
    expect(again.ref.id).toBe(opened.ref.id);
    expect(again.journal).toEqual([entry]);
    expect(again.keyMaterial).toEqual(opened.keyMaterial);
    // A snapshot that includes seq 1 empties the journal.
    await saveImage(s, opened.ref.id, opened.snapshot, 1);
    expect(((await s.call(INVOKE.openWorkspace, opened.ref.location)) as { journal: unknown[] }).journal).toEqual([]);
    expect((await s.call(INVOKE.recentWorkspaces)) as unknown[]).toHaveLength(1);
    // A second workspace with the same name gets its own file.
    const second = (await s.call(INVOKE.createWorkspace, 'Sample incident: 19 July 2024')) as {
      ref: { location: string };
    };
    expect(path.basename(second.ref.location)).toBe('Sample incident 19 July 2024 (2).ringside');
  });

  it('refuses to open files the user never handed over, and non-SQLite snapshots are never written', async () => {
    const s = setup();
    const secret = path.join(s.dir, 'secret.ringside');
    writeFileSync(secret, 'not for the renderer');
    await expect(s.call(INVOKE.openWorkspace, secret)).rejects.toThrow(/not opened by the user/);
    expect(readFileSync(secret, 'utf8')).toBe('not for the renderer');
    const ws = (await s.call(INVOKE.createWorkspace, 'A')) as { ref: { id: string; location: string } };
    const before = readFileSync(ws.ref.location);
    await expect(saveImage(s, ws.ref.id, new Uint8Array(4096).fill(65), 0)).rejects.toThrow(
      /not a complete SQLite image/,
    );
    expect(readFileSync(ws.ref.location)).toEqual(before);
    await expect(s.call(INVOKE.snapshotBegin, '00000000-0000-4000-8000-000000000000', 0)).rejects.toThrow(
      /is not open/,
    );
  });

  it('moves a damaged snapshot aside, reports it, and falls back to the previous copy', async () => {
    const s = setup();
    const ws = (await s.call(INVOKE.createWorkspace, 'Damaged')) as {
      ref: { id: string; location: string };
      snapshot: Uint8Array;
    };
    await saveImage(s, ws.ref.id, ws.snapshot, 0); // leaves a good .prev behind
    writeFileSync(ws.ref.location, 'garbage, not SQLite'.repeat(20));
    const opened = (await s.call(INVOKE.openWorkspace, ws.ref.location)) as {
      ref: { id: string };
      quarantined?: string;
      snapshot: Uint8Array;
    };
    expect(opened.quarantined).toMatch(/Damaged\.ringside\.corrupt-/);
    expect(readFileSync(opened.quarantined!, 'utf8')).toContain('garbage');
    expect(opened.ref.id).toBe(ws.ref.id);
    expect(Buffer.from(readFileSync(ws.ref.location).subarray(0, 15)).toString()).toBe('SQLite format 3');
  });

  it('open with no location uses the dialog; cancel gives null; save and print go through the host', async () => {
    const s = setup();
    expect(await s.call(INVOKE.openWorkspace)).toBeNull();
    const ws = (await s.call(INVOKE.createWorkspace, 'Picked')) as { ref: { location: string } };
    const fresh = setup();
    fresh.dialogs.open.mockResolvedValueOnce(ws.ref.location);
    expect(((await fresh.call(INVOKE.openWorkspace)) as { ref: { location: string } }).ref.location).toBe(
      ws.ref.location,
    );
    // Once picked, the renderer may reopen it by location.
    await expect(fresh.call(INVOKE.openWorkspace, ws.ref.location)).resolves.toBeTruthy();

    expect(await s.call(INVOKE.saveFile, { suggestedName: 'report.csv', data: 'a,b\n' })).toBeNull();
    const target = path.join(s.dir, 'out', 'report.csv');
    s.dialogs.save.mockResolvedValueOnce(target);
    await import('node:fs').then((fs) => fs.mkdirSync(path.dirname(target), { recursive: true }));
    expect(await s.call(INVOKE.saveFile, { suggestedName: '../../etc/report.csv', data: 'a,b\n' })).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('a,b\n');
    expect(s.dialogs.save.mock.calls.at(-1)![0]).toBe(path.join(s.dir, 'Documents', 'etc report.csv'));
    expect(existsSync(path.join(s.dir, 'etc'))).toBe(false);
    expect(await s.call(INVOKE.printToPdf)).toEqual(new Uint8Array([37, 80, 68, 70]));
    expect(readdirSync(path.join(s.dir, 'out'))).toEqual(['report.csv']);
  });
});
