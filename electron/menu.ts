// The application menu (File, Edit, View, Help) with keyboard shortcuts, recent workspaces and the About box.
import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand, WorkspaceRef } from '../core/contract/host.js';

export interface MenuActions {
  /** Shows the open dialog and opens the chosen workspace. */
  open(): void;
  openRecent(location: string): void;
  command(cmd: MenuCommand): void;
  reload(): void;
  toggleDevTools(): void;
  about(): void;
  quit(): void;
}

export interface MenuContext {
  isMac: boolean;
  /** Development build: reload and devtools are available; in production both are disabled and hidden. */
  isDev: boolean;
  appName: string;
  recent: WorkspaceRef[];
  actions: MenuActions;
}

/** The menu as data, so tests can check every item and shortcut without Electron. */
export function buildMenuTemplate(ctx: MenuContext): MenuItemConstructorOptions[] {
  const a = ctx.actions;
  const recent: MenuItemConstructorOptions[] =
    ctx.recent.length > 0
      ? ctx.recent.map((r) => ({ label: r.name, sublabel: r.location, click: () => a.openRecent(r.location) }))
      : [{ label: 'No recent workspaces', enabled: false }];
  const about: MenuItemConstructorOptions = { id: 'about', label: `About ${ctx.appName}`, click: () => a.about() };
  const template: MenuItemConstructorOptions[] = [];
  if (ctx.isMac)
    template.push({
      label: ctx.appName,
      submenu: [
        about,
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { id: 'quit', label: `Quit ${ctx.appName}`, accelerator: 'Cmd+Q', click: () => a.quit() },
      ],
    });
  template.push(
    {
      label: 'File',
      submenu: [
        { id: 'new', label: 'New Workspace', accelerator: 'CmdOrCtrl+N', click: () => a.command('new-workspace') },
        { id: 'open', label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: () => a.open() },
        { id: 'recent', label: 'Open Recent', submenu: recent },
        { type: 'separator' },
        { id: 'save', label: 'Save Snapshot', accelerator: 'CmdOrCtrl+S', click: () => a.command('save-snapshot') },
        {
          id: 'export-pdf',
          label: 'Export Report as PDF…',
          accelerator: 'CmdOrCtrl+Shift+E',
          click: () => a.command('export-pdf'),
        },
        { type: 'separator' },
        {
          id: 'close-workspace',
          label: 'Close Workspace',
          accelerator: 'CmdOrCtrl+W',
          click: () => a.command('close-workspace'),
        },
        ...(ctx.isMac
          ? []
          : [
              { type: 'separator' } as const,
              { id: 'quit', label: 'Exit', accelerator: 'Ctrl+Q', click: () => a.quit() },
            ]),
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        {
          id: 'reload',
          label: 'Reload',
          accelerator: 'CmdOrCtrl+R',
          enabled: ctx.isDev,
          visible: ctx.isDev,
          click: () => a.reload(),
        },
        {
          id: 'devtools',
          label: 'Toggle Developer Tools',
          accelerator: ctx.isMac ? 'Alt+Cmd+I' : 'Ctrl+Shift+I',
          enabled: ctx.isDev,
          visible: ctx.isDev,
          click: () => a.toggleDevTools(),
        },
        { type: 'separator', visible: ctx.isDev },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: 'Help', submenu: ctx.isMac ? [{ role: 'help', label: `${ctx.appName} Help`, enabled: false }] : [about] },
  );
  return template;
}

/** Installs the application menu; call again when the recent list changes. */
export function setupMenu(ctx: MenuContext): Menu {
  const menu = Menu.buildFromTemplate(buildMenuTemplate(ctx));
  Menu.setApplicationMenu(menu);
  return menu;
}

/** The About box text: app version plus the Electron, Chromium, Node and V8 versions. */
export function aboutDetail(version: string, versions: Record<string, string | undefined>): string {
  return [
    `Version ${version}`,
    `Electron ${versions.electron ?? '?'}`,
    `Chromium ${versions.chrome ?? '?'}`,
    `Node.js ${versions.node ?? '?'}`,
    `V8 ${versions.v8 ?? '?'}`,
  ].join('\n');
}
