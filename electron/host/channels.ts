// IPC channel names, one per HostApi verb (`host:verb`), shared by the preload and main; never a generic channel.
export const INVOKE = {
  appInfo: 'host:app-info',
  recentWorkspaces: 'host:recent-workspaces',
  createWorkspace: 'host:create-workspace',
  openWorkspace: 'host:open-workspace',
  snapshotBegin: 'host:snapshot-begin',
  snapshotChunk: 'host:snapshot-chunk',
  snapshotEnd: 'host:snapshot-end',
  appendJournal: 'host:append-journal',
  saveFile: 'host:save-file',
  printToPdf: 'host:print-to-pdf',
} as const;

/** Fire-and-forget messages from the renderer. */
export const SEND = {
  /** Paths of dropped workspace/field-pack files (the preload reads other exports itself). */
  droppedFiles: 'host:dropped-files',
  /** The renderer subscribed to onOpenFile: main flushes files queued before the page was ready. */
  openFileReady: 'host:open-file-ready',
} as const;

/** Events from main to the renderer. */
export const EVENTS = {
  openFile: 'host:open-file',
  menuCommand: 'host:menu-command',
} as const;

export type InvokeVerb = keyof typeof INVOKE;

export const WORKSPACE_EXT = '.ringside';
export const FIELD_PACK_EXT = '.ringpack';

/** The passphrase prompt window's own channels; only that window may use them. */
export const PROMPT = {
  info: 'prompt:info',
  submit: 'prompt:submit',
  cancel: 'prompt:cancel',
} as const;
