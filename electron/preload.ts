// Electron preload (being built): exposes the HostApi verbs through contextBridge.
export {};
