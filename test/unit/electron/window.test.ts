// The window: hardened preferences, navigation/window.open/webview/permission denial, remembered and clamped bounds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createFakeElectron, FakeWebContents, type FakeBrowserWindow } from './fake-electron.js';

vi.mock('electron', () => createFakeElectron());

const win = await import('../../../electron/window.js');

describe('webPreferences', () => {
  it('writes every security setting out explicitly', () => {
    const w = win.createSecureWindow({ width: 10 }, '/p/preload.cjs') as unknown as FakeBrowserWindow;
    expect(w.options.width).toBe(10);
    expect(w.options.webPreferences).toMatchObject({
      preload: '/p/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
    });
    expect(w.options.webPreferences).not.toHaveProperty('enableBlinkFeatures');
    expect(w.options.webPreferences).not.toHaveProperty('enableRemoteModule');
  });
});

describe('navigation and new windows', () => {
  const wc = new FakeWebContents();
  win.hardenContents(wc as never);

  it.each([
    'https://example.com.attacker.com',
    'https://example.com.attacker.com/app://ringside/',
    'https://attacker.com/?u=app://ringside/index.html',
    'app://ringside.attacker.com/index.html',
    'app://evil/index.html',
    'app://ringside@evil/index.html',
    'file:///etc/passwd',
    'file://ringside/index.html',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://127.0.0.1:5178/',
    'ms-settings:',
    '\\\\server\\share',
    'not a url',
  ])('denies navigation and redirects to %s', (url) => {
    expect(wc.fire('will-navigate', url)).toBe(true);
    expect(wc.fire('will-redirect', url)).toBe(true);
  });

  it('allows only the app itself (a reload)', () => {
    expect(wc.fire('will-navigate', 'app://ringside/index.html')).toBe(false);
    expect(win.isNavigationAllowed('app://ringside/')).toBe(true);
  });

  it('denies every window.open, including app:// ones', () => {
    for (const url of ['https://example.com', 'app://ringside/index.html', 'about:blank'])
      expect(wc.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
  });

  it('refuses to attach any webview', () => {
    expect(wc.fire('will-attach-webview', {}, {})).toBe(true);
  });
});

describe('permissions', () => {
  it('denies every permission request and check', () => {
    const session = {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
    };
    win.denyAllPermissions(session as never);
    const request = session.setPermissionRequestHandler.mock.calls[0]![0] as (
      wc: unknown,
      p: string,
      cb: (ok: boolean) => void,
    ) => void;
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid']) {
      const cb = vi.fn();
      request({}, p, cb);
      expect(cb, p).toHaveBeenCalledWith(false);
    }
    expect((session.setPermissionCheckHandler.mock.calls[0]![0] as () => boolean)()).toBe(false);
    expect((session.setDevicePermissionHandler.mock.calls[0]![0] as () => boolean)()).toBe(false);
  });
});

describe('window state', () => {
  const screen = { x: 0, y: 0, width: 1920, height: 1080 };
  const right = { x: 1920, y: 0, width: 1280, height: 1024 };

  it('keeps bounds that are visible', () => {
    expect(win.clampToDisplays({ x: 100, y: 50, width: 1200, height: 800 }, [screen])).toEqual({
      x: 100,
      y: 50,
      width: 1200,
      height: 800,
    });
  });

  it('brings a window back from an unplugged monitor', () => {
    expect(win.clampToDisplays({ x: 2500, y: 200, width: 1000, height: 700 }, [screen])).toEqual({
      x: 920,
      y: 200,
      width: 1000,
      height: 700,
    });
  });

  it('picks the display showing most of it and shrinks to its work area', () => {
    expect(win.clampToDisplays({ x: 1800, y: -50, width: 3000, height: 2000 }, [screen, right])).toEqual({
      x: 1920,
      y: 0,
      width: 1280,
      height: 1024,
    });
    expect(win.clampToDisplays({ x: -5000, y: -5000, width: 10, height: 10 }, [screen]).width).toBe(win.MIN_SIZE.width);
  });

  it('saves and restores state, ignoring a damaged file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-ws-'));
    const file = path.join(dir, 'window-state.json');
    expect(await win.loadWindowState(file)).toBeNull();
    await win.saveWindowState(file, { x: 10, y: 20, width: 1000, height: 700, maximized: true });
    expect(await win.loadWindowState(file)).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: true });
    writeFileSync(file, '{"x": "left"}');
    expect(await win.loadWindowState(file)).toBeNull();
  });

  it('creates the window on the saved, clamped bounds with app:// and secure preferences', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-ws-'));
    const file = path.join(dir, 'window-state.json');
    await win.saveWindowState(file, { x: 3000, y: 100, width: 1300, height: 850, maximized: true });
    const w = (await win.createMainWindow({
      preload: '/p/preload.cjs',
      stateFile: file,
    })) as unknown as FakeBrowserWindow;
    expect(w.options).toMatchObject({ x: 620, y: 100, width: 1300, height: 850, show: false });
    expect((w.options.webPreferences as Record<string, unknown>).sandbox).toBe(true);
    expect(w.loadedUrl).toBe('app://ringside/index.html');
    expect(w.maximize).toHaveBeenCalled();
    w.bounds = { x: 5, y: 6, width: 1111, height: 777 };
    w.emit('close');
    await vi.waitFor(async () =>
      expect(await win.loadWindowState(file)).toEqual({ x: 5, y: 6, width: 1111, height: 777, maximized: false }),
    );
  });
});
