// The built main process (dist/electron/main.cjs) under a fake electron: startup, single instance, menu, dialogs, About.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { EVENTS, INVOKE, PROMPT, SEND } from '../../../electron/host/channels.js';
import { createFakeElectron, ipcEvent, requireWithFakeElectron, type FakeElectron } from './fake-electron.js';

vi.mock('electron', () => createFakeElectron());
const { buildMenuTemplate, aboutDetail } = await import('../../../electron/menu.js');
const { fileFromArgv, OpenFileRouter } = await import('../../../electron/host/open-files.js');

const MAIN = fileURLToPath(new URL('../../../dist/electron/main.cjs', import.meta.url));
const built = existsSync(MAIN) && existsSync(path.join(path.dirname(MAIN), 'sql-wasm.wasm'));

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? items(i.submenu) : [])]);
}
const byId = (t: MenuItemConstructorOptions[], id: string) => items(t).find((i) => i.id === id)!;

const actions = () => ({
  open: vi.fn(),
  openRecent: vi.fn(),
  command: vi.fn(),
  reload: vi.fn(),
  toggleDevTools: vi.fn(),
  about: vi.fn(),
  quit: vi.fn(),
});
const click = (item: MenuItemConstructorOptions) => (item.click as unknown as () => void)();

describe('application menu', () => {
  const recent = [{ id: 'a', name: 'Incident A', location: '/w/Incident A.ringside', openedAt: 1 }];

  it('has keyboard shortcuts for new, open, save, export and close', () => {
    const a = actions();
    const t = buildMenuTemplate({ isMac: false, isDev: false, appName: 'Ringside', recent, actions: a });
    expect(byId(t, 'new').accelerator).toBe('CmdOrCtrl+N');
    expect(byId(t, 'open').accelerator).toBe('CmdOrCtrl+O');
    expect(byId(t, 'save').accelerator).toBe('CmdOrCtrl+S');
    expect(byId(t, 'export-pdf').accelerator).toBe('CmdOrCtrl+Shift+E');
    expect(byId(t, 'close-workspace').accelerator).toBe('CmdOrCtrl+W');
    click(byId(t, 'open'));
    expect(a.open).toHaveBeenCalled();
    click(byId(t, 'save'));
    click(byId(t, 'export-pdf'));
    expect(a.command.mock.calls).toEqual([['save-snapshot'], ['export-pdf']]);
  });

  it('disables and hides reload and devtools in production, enables them in development', () => {
    const prod = buildMenuTemplate({ isMac: false, isDev: false, appName: 'Ringside', recent, actions: actions() });
    expect(byId(prod, 'reload')).toMatchObject({ enabled: false, visible: false });
    expect(byId(prod, 'devtools')).toMatchObject({ enabled: false, visible: false });
    expect(
      items(prod).some((i) => i.role === 'reload' || i.role === 'forceReload' || i.role === 'toggleDevTools'),
    ).toBe(false);
    const dev = buildMenuTemplate({ isMac: false, isDev: true, appName: 'Ringside', recent, actions: actions() });
    expect(byId(dev, 'reload')).toMatchObject({ enabled: true, visible: true, accelerator: 'CmdOrCtrl+R' });
  });

  it('lists recent workspaces and opens them; About is under Help (app menu on macOS)', () => {
    const a = actions();
    const t = buildMenuTemplate({ isMac: false, isDev: false, appName: 'Ringside', recent, actions: a });
    const sub = byId(t, 'recent').submenu as MenuItemConstructorOptions[];
    expect(sub.map((i) => i.label)).toEqual(['Incident A']);
    click(sub[0]!);
    expect(a.openRecent).toHaveBeenCalledWith('/w/Incident A.ringside');
    expect(t.at(-1)!.label).toBe('Help');
    click(byId(t, 'about'));
    expect(a.about).toHaveBeenCalled();
    const empty = buildMenuTemplate({ isMac: false, isDev: false, appName: 'Ringside', recent: [], actions: a });
    expect((byId(empty, 'recent').submenu as MenuItemConstructorOptions[])[0]).toMatchObject({ enabled: false });
    const mac = buildMenuTemplate({ isMac: true, isDev: false, appName: 'Ringside', recent, actions: a });
    expect(mac[0]!.label).toBe('Ringside');
    expect((mac[0]!.submenu as MenuItemConstructorOptions[])[0]!.id).toBe('about');
    expect(byId(mac, 'quit').accelerator).toBe('Cmd+Q');
  });

  it('About text names the app, Electron, Chromium, Node and V8 versions', () => {
    expect(aboutDetail('0.1.0', { electron: '45.5.0', chrome: '140.0', node: '22.1.0', v8: '14.0' })).toBe(
      'Version 0.1.0\nElectron 45.5.0\nChromium 140.0\nNode.js 22.1.0\nV8 14.0',
    );
  });
});

describe('command line and open-file routing', () => {
  it('finds the workspace or field pack in a second launch command line', () => {
    expect(fileFromArgv(['ringside.exe', '--allow-file-access', 'C.ringside'], '/home/u')).toBe('/home/u/C.ringside');
    expect(fileFromArgv(['/usr/bin/ringside', '/data/pack.RINGPACK'], '/')).toBe('/data/pack.RINGPACK');
    expect(fileFromArgv(['electron', '.'], '/repo')).toBeNull();
    expect(fileFromArgv(['ringside', '--x=a.ringside'], '/')).toBeNull();
    expect(fileFromArgv(['a.ringside'], '/')).toBeNull(); // argv[0] is the executable
  });

  it('queues files until the page listens, then delivers in order; packs carry their bytes', async () => {
    const grant = vi.fn();
    const router = new OpenFileRouter(grant, async () => new Uint8Array([1, 2, 3]));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-open-'));
    const pack = path.join(dir, 'site.ringpack');
    (await import('node:fs')).writeFileSync(pack, 'x');
    await router.open('/w/a.ringside');
    await router.open(pack);
    expect(await router.open('/w/notes.txt')).toBeNull();
    expect(grant).toHaveBeenCalledWith('/w/a.ringside');
    const sent: unknown[] = [];
    const focus = vi.fn();
    router.attach({ send: (ev) => sent.push(ev), focus });
    expect(sent).toEqual([
      { kind: 'workspace', name: 'a.ringside', location: '/w/a.ringside' },
      { kind: 'fieldpack', name: 'site.ringpack', location: pack, data: new Uint8Array([1, 2, 3]) },
    ]);
    await router.open('/w/b.ringside');
    expect(sent).toHaveLength(3);
    expect(focus).toHaveBeenCalled();
  });
});

describe.skipIf(!built)('dist/electron/main.cjs under a fake electron', () => {
  const env = { ...process.env };
  let dir: string;
  let fake: FakeElectron;

  async function start(singleInstance = true) {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-main-'));
    process.env.RINGSIDE_USER_DATA = path.join(dir, 'userData');
    process.env.RINGSIDE_WORKSPACE_DIR = path.join(dir, 'Documents', 'Ringside');
    process.env.RINGSIDE_HOME = path.join(dir, 'cli-home');
    fake = createFakeElectron();
    fake.app.singleInstance = singleInstance;
    requireWithFakeElectron(MAIN, fake);
  }
  async function ready() {
    fake.app.readyResolve!();
    await vi.waitFor(() => expect(fake.windows[0]?.loadedUrl).toBeDefined());
    return fake.windows[0]!;
  }
  const menu = () => fake.Menu.buildFromTemplate.mock.calls.at(-1)![0] as MenuItemConstructorOptions[];

  afterEach(() => {
    process.env = { ...env };
  });

  it('registers app:// as privileged, enables the sandbox, and quits when another instance holds the lock', async () => {
    await start(false);
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    expect(fake.app.enableSandbox).toHaveBeenCalled();
    expect(fake.app.setPath).toHaveBeenCalledWith('userData', path.join(dir, 'userData'));
    expect(fake.app.quit).toHaveBeenCalled();
    fake.app.readyResolve!();
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.windows).toHaveLength(0);
  });

  it('on ready: denies permissions, serves app://, one handler per verb, menu, and a sandboxed window on app://', async () => {
    await start();
    const win = await ready();
    const ses = fake.session.defaultSession;
    expect(ses.setPermissionRequestHandler).toHaveBeenCalled();
    expect(ses.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(ses.webRequest.onBeforeRequest).toHaveBeenCalled();
    expect([...fake.ipcHandlers.keys()].sort()).toEqual([...Object.values(INVOKE), PROMPT.info].sort());
    expect(fake.ipcListeners.has(SEND.droppedFiles)).toBe(true);
    expect(fake.Menu.setApplicationMenu).toHaveBeenCalled();
    expect(win.loadedUrl).toBe('app://ringside/index.html');
    expect(win.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      preload: path.join(path.dirname(MAIN), 'preload.cjs'),
    });
    // The CSP-bearing protocol serves the built renderer when it exists.
    const handler = ses.protocol.handle.mock.calls[0]![1] as (r: Request) => Promise<Response>;
    const res = await handler(new Request('app://ringside/%2e%2e/electron/main.cjs'));
    expect(res.status).not.toBe(200);
  });

  it('a second launch with a file forwards it to this instance, which can then open it', async () => {
    await start();
    const win = await ready();
    const invoke = (ch: string, ...args: unknown[]) => fake.ipcHandlers.get(ch)!(ipcEvent(win.webContents), ...args);
    const created = (await invoke(INVOKE.createWorkspace, 'Night shift')) as { ref: { location: string; id: string } };
    const elsewhere = path.join(dir, 'usb', 'Night shift copy.ringside');
    mkdirSync(path.dirname(elsewhere), { recursive: true });
    copyFileSync(created.ref.location, elsewhere);
    // Not handed over yet: the page cannot open it by name.
    await expect(invoke(INVOKE.openWorkspace, elsewhere)).rejects.toThrow(/not opened by the user/);

    fake.app.emit(
      'second-instance',
      {},
      ['ringside', '--some-flag', 'Night shift copy.ringside'],
      path.dirname(elsewhere),
    );
    fake.ipcListeners.get(SEND.openFileReady)!(ipcEvent(win.webContents));
    await vi.waitFor(() => expect(win.webContents.sent.some((s) => s.channel === EVENTS.openFile)).toBe(true));
    const ev = win.webContents.sent.find((s) => s.channel === EVENTS.openFile)!.args[0] as {
      kind: string;
      location: string;
    };
    expect(ev).toMatchObject({ kind: 'workspace', location: elsewhere });
    expect(win.focus).toHaveBeenCalled();
    const opened = (await invoke(INVOKE.openWorkspace, ev.location)) as { ref: { id: string; location: string } };
    expect(opened.ref).toMatchObject({ id: created.ref.id, location: elsewhere });
    // Recent list and the OS recent documents follow; the menu is rebuilt with it.
    expect(fake.app.addRecentDocument).toHaveBeenCalledWith(elsewhere);
    await vi.waitFor(() => {
      const recentItem = items(menu()).find((i) => i.id === 'recent')!;
      expect((recentItem.submenu as MenuItemConstructorOptions[]).map((i) => i.label)).toContain('Night shift copy');
    });
  });

  it('menu: About shows versions, Open uses the dialog, menu commands reach the page', async () => {
    await start();
    const win = await ready();
    click(items(menu()).find((i) => i.id === 'about')!);
    await vi.waitFor(() => expect(fake.dialog.showMessageBox).toHaveBeenCalled());
    const about = fake.dialog.showMessageBox.mock.calls[0]!.at(-1) as unknown as { detail: string; message: string };
    expect(about.message).toBe('Ringside 0.1.0');
    expect(about.detail).toMatch(/Electron .*\nChromium .*\nNode\.js .*\nV8 /);

    click(items(menu()).find((i) => i.id === 'open')!);
    await vi.waitFor(() => expect(fake.dialog.showOpenDialog).toHaveBeenCalled());
    const opts = fake.dialog.showOpenDialog.mock.calls[0]!.at(-1) as unknown as { filters: { extensions: string[] }[] };
    expect(opts.filters[0]!.extensions).toEqual(['ringside']);

    click(items(menu()).find((i) => i.id === 'save')!);
    expect(win.webContents.sent).toContainEqual({ channel: EVENTS.menuCommand, args: ['save-snapshot'] });
    // Development run (not packaged): reload works.
    click(items(menu()).find((i) => i.id === 'reload')!);
    expect(win.webContents.reload).toHaveBeenCalled();
  });

  it('save dialog: cancel returns null, a chosen path is written atomically', async () => {
    await start();
    const win = await ready();
    const invoke = (ch: string, ...args: unknown[]) => fake.ipcHandlers.get(ch)!(ipcEvent(win.webContents), ...args);
    expect(await invoke(INVOKE.saveFile, { suggestedName: 'site-LON.cmd', data: 'echo' })).toBeNull();
    const target = path.join(dir, 'site-LON.cmd');
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: target });
    expect(await invoke(INVOKE.saveFile, { suggestedName: 'site-LON.cmd', data: 'echo' })).toBe(target);
    const saveOpts = fake.dialog.showSaveDialog.mock.calls.at(-1)!.at(-1) as unknown as { defaultPath: string };
    expect(path.basename(saveOpts.defaultPath)).toBe('site-LON.cmd');
    expect((await import('node:fs')).readFileSync(target, 'utf8')).toBe('echo');
  });

  it('Linux basic_text: the key is wrapped with a passphrase asked in the sandboxed prompt window', async () => {
    await start();
    fake.safeStorage.getSelectedStorageBackend = () => 'basic_text';
    const win = await ready();
    const invoke = (ch: string, ...args: unknown[]) => fake.ipcHandlers.get(ch)!(ipcEvent(win.webContents), ...args);
    const creating = invoke(INVOKE.createWorkspace, 'Locked down');
    await vi.waitFor(() => expect(fake.windows).toHaveLength(2));
    const prompt = fake.windows[1]!;
    expect(prompt.loadedUrl).toBe('app://prompt/passphrase.html');
    expect(prompt.options).toMatchObject({ modal: true, parent: win });
    expect(prompt.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      preload: path.join(path.dirname(MAIN), 'prompt-preload.cjs'),
    });
    // The main window may not answer for the prompt.
    expect(() => fake.ipcHandlers.get(PROMPT.info)!(ipcEvent(win.webContents))).toThrow(/refused/);
    expect(fake.ipcHandlers.get(PROMPT.info)!(ipcEvent(prompt.webContents))).toEqual({
      purpose: 'create',
      retry: false,
    });
    fake.ipcListeners.get(PROMPT.submit)!(ipcEvent(win.webContents), 'from the wrong window');
    fake.ipcListeners.get(PROMPT.submit)!(ipcEvent(prompt.webContents), 'correct horse battery staple');
    const ws = (await creating) as { ref: { id: string } };
    expect(prompt.close).toHaveBeenCalled();
    const keyFile = readFileSync(path.join(dir, 'userData', 'keys', `${ws.ref.id}.key`));
    expect(keyFile.subarray(0, 5)).toEqual(Buffer.from([0x52, 0x53, 0x4b, 0x31, 2])); // RSK1 + passphrase
    // The prompt page itself is served from app://prompt.
    const handler = fake.session.defaultSession.protocol.handle.mock.calls[0]![1] as (r: Request) => Promise<Response>;
    const page = await handler(new Request('app://prompt/passphrase.html'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('passphrase.js');
  });

  it('macOS open-file before the window exists is queued and delivered once the page listens', async () => {
    await start();
    const prevented = vi.fn();
    fake.app.emit('open-file', { preventDefault: prevented }, '/Volumes/usb/Field.ringside');
    expect(prevented).toHaveBeenCalled();
    const win = await ready();
    expect(win.webContents.sent).toHaveLength(0);
    fake.ipcListeners.get(SEND.openFileReady)!(ipcEvent(win.webContents));
    expect(win.webContents.sent[0]).toMatchObject({ channel: EVENTS.openFile, args: [{ kind: 'workspace' }] });
  });
});

beforeAll(() => {
  if (!built) console.warn('dist/electron/main.cjs not built (npm run build): skipping the bundled-main tests');
});
