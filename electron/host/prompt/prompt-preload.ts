// Preload of the passphrase prompt window: three named calls, nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { PROMPT } from '../channels.js';

contextBridge.exposeInMainWorld('ringsidePrompt', {
  info: () => ipcRenderer.invoke(PROMPT.info),
  submit: (passphrase: string) => ipcRenderer.send(PROMPT.submit, passphrase),
  cancel: () => ipcRenderer.send(PROMPT.cancel),
});
