// The main window: hardened webPreferences, navigation/window.open/permission guards, and remembered window state.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BrowserWindow, screen, type BrowserWindowConstructorOptions, type Session, type WebContents } from 'electron';
import { z } from 'zod';
import { APP_URL, isAppUrl } from './protocol.js';

/**
 * The one place a BrowserWindow is made. Every security-relevant preference is written out as a literal (so
 * Electronegativity and reviewers see it), even where it equals Electron's default.
 */
export function createSecureWindow(
  options: Omit<BrowserWindowConstructorOptions, 'webPreferences'>,
  preload: string,
): BrowserWindow {
  return new BrowserWindow({
    ...options,
    webPreferences: {
      // Reviewed (docs/security.md): both preloads expose named functions only, each on one fixed channel, and the
      // preload test inspects exactly what reaches contextBridge.
      preload /* eng-disable PRELOAD_JS_CHECK */,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      // Middle-click would open links in new windows; the app has none to open.
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    },
  });
}

/** Navigation is allowed only within the app's own origin (a reload); every other URL is refused. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** Denies every permission (camera, notifications, clipboard-read, geolocation…): Ringside needs none. */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** Guards one webContents: no new windows, no navigation away, no webviews. */
export function hardenContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const refuse = (event: { preventDefault(): void }, url: string) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  };
  contents.on('will-navigate', (event, url) => refuse(event, url));
  contents.on('will-redirect', (event, url) => refuse(event, url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

// ---- Window state -------------------------------------------------------------------------------------------

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState extends Rect {
  maximized: boolean;
}

const stateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean(),
});

export const DEFAULT_SIZE = { width: 1400, height: 900 };
export const MIN_SIZE = { width: 900, height: 600 };

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Fits saved bounds onto the displays that exist now: the display showing most of the window (else the first
 * one), shrunk to its work area and moved fully inside it. A monitor that was unplugged never strands the window.
 */
export function clampToDisplays(saved: Rect, workAreas: Rect[]): Rect {
  const area = workAreas.reduce<Rect | undefined>(
    (best, wa) => (!best || overlap(saved, wa) > overlap(saved, best) ? wa : best),
    undefined,
  );
  if (!area) return saved;
  const width = Math.min(Math.max(saved.width, MIN_SIZE.width), area.width);
  const height = Math.min(Math.max(saved.height, MIN_SIZE.height), area.height);
  const x = Math.min(Math.max(saved.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(saved.y, area.y), area.y + area.height - height);
  return { x, y, width, height };
}

export async function loadWindowState(file: string): Promise<WindowState | null> {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(await fsp.readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, JSON.stringify(state), { mode: 0o600 });
}

/** Saves the window's normal bounds whenever it is moved, resized or closed (debounced). */
export function trackWindowState(win: BrowserWindow, file: string): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    void saveWindowState(file, { ...b, maximized: win.isMaximized() }).catch(() => undefined);
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', () => {
    clearTimeout(timer);
    save();
  });
}

export interface MainWindowOptions {
  preload: string;
  stateFile: string;
  icon?: string;
  title?: string;
}

/** Creates the main window on the remembered bounds and loads the app from app:// (never file://). */
export async function createMainWindow(opts: MainWindowOptions): Promise<BrowserWindow> {
  const saved = await loadWindowState(opts.stateFile);
  const bounds = saved
    ? clampToDisplays(
        saved,
        screen.getAllDisplays().map((d) => d.workArea),
      )
    : DEFAULT_SIZE;
  const win = createSecureWindow(
    {
      ...bounds,
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      show: false,
      title: opts.title ?? 'Ringside',
      backgroundColor: '#111418',
      ...(opts.icon ? { icon: opts.icon } : {}),
    },
    opts.preload,
  );
  hardenContents(win.webContents);
  if (saved?.maximized) win.maximize();
  trackWindowState(win, opts.stateFile);
  win.once('ready-to-show', () => win.show());
  await win.loadURL(APP_URL);
  return win;
}
