// Electron main process: wiring only (protocol, window, IPC, menu, keys, single instance, file associations).
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session } from 'electron';
import { DesktopHost } from './host/desktop-host.js';
import { EVENTS, WORKSPACE_EXT } from './host/channels.js';
import {
  chooseKeyProtection,
  DesktopKeyStore,
  PassphraseWrapper,
  SafeStorageWrapper,
  TaggedKeyWrapper,
} from './host/keys.js';
import { fileFromArgv, OpenFileRouter } from './host/open-files.js';
import { createPassphrasePrompt, PROMPT_HOST } from './host/passphrase-prompt.js';
import { RecentList } from './host/recent.js';
import { sqlJsFromWasm } from './host/sqlite.js';
import { registerIpc } from './ipc.js';
import { aboutDetail, setupMenu } from './menu.js';
import { ringsideHome } from './node/keystore.js';
import { APP_HOST, APP_SCHEME_PRIVILEGES, installAppProtocol } from './protocol.js';
import { WorkspaceStorage } from './storage.js';
import { createMainWindow, denyAllPermissions, hardenContents } from './window.js';

// Bundled to dist/electron/main.cjs: the renderer build sits beside it in dist/renderer.
const here = __dirname;
const paths = {
  renderer: path.join(here, '..', 'renderer'),
  prompt: path.join(here, 'prompt'),
  preload: path.join(here, 'preload.cjs'),
  promptPreload: path.join(here, 'prompt-preload.cjs'),
  wasm: path.join(here, 'sql-wasm.wasm'),
  icon: path.join(here, 'icon.png'),
};

// Must run before ready: app:// becomes a standard, secure origin (fetch, workers and WebAssembly work from it).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
// Test and portable runs keep their state apart.
if (process.env.RINGSIDE_USER_DATA) app.setPath('userData', path.resolve(process.env.RINGSIDE_USER_DATA));

let win: BrowserWindow | null = null;
const isDev = !app.isPackaged;
const storage = new WorkspaceStorage();
const userFile = (name: string) => path.join(app.getPath('userData'), name);
const workspaceDir = () => process.env.RINGSIDE_WORKSPACE_DIR ?? path.join(app.getPath('documents'), 'Ringside');

const askPassphrase = createPassphrasePrompt({ preload: paths.promptPreload, parent: () => win });
let keystore: Promise<DesktopKeyStore> | undefined;
const keys = () =>
  (keystore ??= chooseKeyProtection(safeStorage, process.platform).then(
    (mode) =>
      new DesktopKeyStore(
        userFile('keys'),
        new TaggedKeyWrapper(mode, new SafeStorageWrapper(safeStorage), new PassphraseWrapper(askPassphrase)),
        path.join(ringsideHome(), 'keys'),
      ),
  ));

const recent = new RecentList(userFile('recent-workspaces.json'), (f, b) => storage.writeAtomic(f, b));
const versions = () => {
  const v = process.versions as Record<string, string | undefined>;
  return Object.fromEntries(['electron', 'chrome', 'node', 'v8'].map((k) => [k, v[k] ?? ''])) as Record<string, string>;
};

const host = new DesktopHost({
  storage,
  keys: { get: async (id) => (await keys()).get(id) },
  recent,
  sqlJs: sqlJsFromWasm(paths.wasm),
  workspaceDir,
  documentsDir: () => app.getPath('documents'),
  showOpenDialog: async () => {
    const opts = {
      title: 'Open a Ringside workspace',
      defaultPath: workspaceDir(),
      properties: ['openFile' as const],
      filters: [{ name: 'Ringside workspace', extensions: [WORKSPACE_EXT.slice(1)] }],
    };
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  showSaveDialog: async (defaultPath) => {
    const r = win ? await dialog.showSaveDialog(win, { defaultPath }) : await dialog.showSaveDialog({ defaultPath });
    return r.canceled ? null : (r.filePath ?? null);
  },
  printToPdf: async () => {
    if (!win) throw new Error('no window to print');
    return new Uint8Array(await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' }));
  },
  appInfo: () => ({ name: app.getName(), version: app.getVersion(), versions: versions() }),
  addRecentDocument: (file) => {
    app.addRecentDocument(file);
    void refreshMenu();
  },
});

const router = new OpenFileRouter((file) => host.grant(file));

async function showAbout(): Promise<void> {
  const opts = {
    type: 'info' as const,
    title: `About ${app.getName()}`,
    message: `${app.getName()} ${app.getVersion()}`,
    detail: aboutDetail(app.getVersion(), versions()),
    buttons: ['OK'],
  };
  if (win) await dialog.showMessageBox(win, opts);
  else await dialog.showMessageBox(opts);
}

async function refreshMenu(): Promise<void> {
  setupMenu({
    isMac: process.platform === 'darwin',
    isDev,
    appName: app.getName(),
    recent: await recent.list(),
    actions: {
      open: () => void host.pickWorkspace().then((file) => (file ? router.open(file) : null)),
      openRecent: (location) => void router.open(location),
      command: (cmd) => win?.webContents.send(EVENTS.menuCommand, cmd),
      reload: () => isDev && win?.webContents.reload(),
      toggleDevTools: () => isDev && win?.webContents.toggleDevTools(),
      about: () => void showAbout(),
      quit: () => app.quit(),
    },
  });
}

function focusWindow(): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
}

if (!app.requestSingleInstanceLock()) {
  // Another Ringside is running: it received our command line (and any file in it) through 'second-instance'.
  app.quit();
} else {
  app.on('second-instance', (_event, argv, cwd) => {
    const file = fileFromArgv(argv, cwd);
    if (file) void router.open(file).catch(() => undefined);
    focusWindow();
  });
  // macOS delivers double-clicked files this way, possibly before ready: the router queues them.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    void router.open(file).catch(() => undefined);
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  app.on('window-all-closed', () => app.quit());

  void app.whenReady().then(async () => {
    const ses = session.defaultSession;
    denyAllPermissions(ses);
    installAppProtocol(ses, { [APP_HOST]: paths.renderer, [PROMPT_HOST]: paths.prompt });
    registerIpc({
      ipcMain,
      host,
      trusted: (wc) => !!win && !win.isDestroyed() && wc === win.webContents,
      openPaths: (files) => files.forEach((f) => void router.open(f).catch(() => undefined)),
      openFileReady: (wc) => router.attach({ send: (ev) => wc.send(EVENTS.openFile, ev), focus: focusWindow }),
    });
    await refreshMenu();
    win = await createMainWindow({
      preload: paths.preload,
      stateFile: userFile('window-state.json'),
      icon: paths.icon,
    });
    win.webContents.on('did-navigate', () => router.detach());
    win.on('closed', () => {
      win = null;
      router.detach();
    });
    const initial = fileFromArgv(process.argv, process.cwd());
    if (initial) void router.open(initial).catch(() => undefined);
  });
}
