// Asks for the key passphrase in a small modal window (app://prompt), used where safeStorage is not trustworthy.
import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import { isAppUrl } from '../protocol.js';
import { createSecureWindow, hardenContents } from '../window.js';
import { PROMPT } from './channels.js';
import type { AskPassphrase } from './keys.js';

export const PROMPT_HOST = 'prompt';
export const PROMPT_URL = `app://${PROMPT_HOST}/passphrase.html`;

interface Pending {
  info: { purpose: 'create' | 'unlock'; retry: boolean; weak?: string };
  resolve: (value: string | null) => void;
}

const passphrase = z.string().min(1).max(1024);

/** Creates the asker; the IPC handlers accept calls only from the prompt window's own main frame. */
export function createPassphrasePrompt(opts: { preload: string; parent: () => BrowserWindow | null }): AskPassphrase {
  const pending = new Map<number, Pending>();
  const from = (event: IpcMainEvent | IpcMainInvokeEvent): Pending | undefined => {
    const frame = event.senderFrame;
    if (!frame || frame !== event.sender.mainFrame || !isAppUrl(frame.url, PROMPT_HOST)) return undefined;
    return pending.get(event.sender.id);
  };
  ipcMain.handle(PROMPT.info, (event) => {
    const p = from(event);
    if (!p) throw new Error('refused: not the passphrase prompt');
    return p.info;
  });
  ipcMain.on(PROMPT.submit, (event, value: unknown) => {
    const p = from(event);
    const parsed = passphrase.safeParse(value);
    if (p && parsed.success) p.resolve(parsed.data);
  });
  ipcMain.on(PROMPT.cancel, (event) => from(event)?.resolve(null));

  return (info) =>
    new Promise((resolve) => {
      const parent = opts.parent() ?? undefined;
      const win = createSecureWindow(
        {
          width: 440,
          height: info.purpose === 'create' ? (info.weak ? 430 : 330) : 270,
          resizable: false,
          minimizable: false,
          maximizable: false,
          modal: !!parent,
          ...(parent ? { parent } : {}),
          title: 'Ringside passphrase',
        },
        opts.preload,
      );
      win.setMenu(null);
      hardenContents(win.webContents);
      const id = win.webContents.id;
      let settled = false;
      const finish = (value: string | null) => {
        if (settled) return;
        settled = true;
        pending.delete(id);
        if (!win.isDestroyed()) win.close();
        resolve(value);
      };
      pending.set(id, { info, resolve: finish });
      win.on('closed', () => finish(null));
      void win.loadURL(PROMPT_URL);
    });
}
