// A recording fake of the electron module for main-process and preload tests (no Electron binary needed).
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { vi } from 'vitest';

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  id = FakeWebContents.nextId++;
  mainFrame: FakeFrame = { url: 'app://ringside/index.html', parent: null };
  windowOpenHandler: ((d: { url: string }) => { action: string }) | undefined;
  sent: { channel: string; args: unknown[] }[] = [];
  setWindowOpenHandler(fn: (d: { url: string }) => { action: string }) {
    this.windowOpenHandler = fn;
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args });
  }
  reload = vi.fn();
  toggleDevTools = vi.fn();
  printToPDF = vi.fn(async () => Buffer.from('%PDF-1.7 fake'));
  /** Emits an Electron-style event and reports whether a handler called preventDefault(). */
  fire(name: string, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(name, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  /** Where new windows are recorded: the windows list of the most recently created fake. */
  static registry: FakeBrowserWindow[] = [];
  webContents = new FakeWebContents();
  options: Record<string, unknown>;
  loadedUrl: string | undefined;
  destroyed = false;
  bounds = { x: 0, y: 0, width: 1400, height: 900 };
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    FakeBrowserWindow.registry.push(this);
  }
  async loadURL(url: string) {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
  }
  isDestroyed = () => this.destroyed;
  isMinimized = () => false;
  isMaximized = () => false;
  restore = vi.fn();
  focus = vi.fn();
  show = vi.fn();
  maximize = vi.fn();
  close = vi.fn(() => {
    this.destroyed = true;
    this.emit('closed');
  });
  setMenu = vi.fn();
  getNormalBounds = () => this.bounds;
}

export function createFakeElectron() {
  const windows: FakeBrowserWindow[] = [];
  const ipcHandlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const ipcListeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();

  FakeBrowserWindow.registry = windows;

  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    readyResolve: undefined as undefined | (() => void),
    ready: undefined as unknown as Promise<void>,
    paths: {} as Record<string, string>,
    singleInstance: true,
    whenReady() {
      return this.ready;
    },
    getPath(name: string) {
      return this.paths[name] ?? `/tmp/fake-electron/${name}`;
    },
    setPath: vi.fn(function (this: { paths: Record<string, string> }, name: string, p: string) {
      this.paths[name] = p;
    }),
    getName: () => 'Ringside',
    getVersion: () => '0.1.0',
    enableSandbox: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => app.singleInstance),
    quit: vi.fn(),
    addRecentDocument: vi.fn(),
    setAboutPanelOptions: vi.fn(),
  });
  app.ready = new Promise<void>((r) => (app.readyResolve = r));

  const session = {
    protocol: { handle: vi.fn() },
    webRequest: { onBeforeRequest: vi.fn() },
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
  };

  const exposed: Record<string, unknown> = {};
  const rendererListeners = new Map<string, ((...a: unknown[]) => void)[]>();

  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    windows,
    ipcMain: {
      handle: vi.fn((channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => {
        if (ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
        ipcHandlers.set(channel, fn);
      }),
      on: vi.fn((channel: string, fn: (event: unknown, ...args: unknown[]) => void) => ipcListeners.set(channel, fn)),
    },
    ipcHandlers,
    ipcListeners,
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    session: { defaultSession: session },
    dialog: {
      showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] as string[] })),
      showSaveDialog: vi.fn(async () => ({ canceled: true, filePath: '' })),
      showMessageBox: vi.fn(async () => ({ response: 0 })),
    },
    Menu: {
      buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
      setApplicationMenu: vi.fn(),
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(`enc:${s}`),
      decryptString: (b: Buffer) => b.toString().replace(/^enc:/, ''),
      getSelectedStorageBackend: () => 'gnome_libsecret',
    },
    contextBridge: {
      exposeInMainWorld: vi.fn((key: string, value: unknown) => {
        exposed[key] = value;
      }),
    },
    exposed,
    ipcRenderer: {
      invoke: vi.fn(async (..._args: unknown[]): Promise<unknown> => undefined),
      send: vi.fn(),
      on: vi.fn((channel: string, fn: (...a: unknown[]) => void) => {
        rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), fn]);
      }),
      removeListener: vi.fn(),
    },
    rendererListeners,
    webUtils: { getPathForFile: vi.fn(() => '/dropped/file.ringside') },
  };
  return electron;
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;

/** Loads a CommonJS bundle (dist/electron/*.cjs) with `require('electron')` answered by the fake. */
export function requireWithFakeElectron(bundle: string, fake: FakeElectron): unknown {
  const require = createRequire(import.meta.url);
  const electronId = require.resolve('electron');
  require.cache[electronId] = { id: electronId, filename: electronId, loaded: true, exports: fake } as never;
  delete require.cache[require.resolve(bundle)];
  try {
    return require(bundle);
  } finally {
    delete require.cache[electronId];
  }
}

/** An IPC event as main sees it, from a frame showing `url`. */
export function ipcEvent(sender: FakeWebContents, frame: FakeFrame | null = sender.mainFrame) {
  return { sender, senderFrame: frame };
}
