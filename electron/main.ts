// Electron main process entry (being built: window, protocol, IPC and storage wiring).
import { app, BrowserWindow } from 'electron';

app.whenReady().then(() => {
  new BrowserWindow({
    width: 1400,
    height: 900,
    webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
});
