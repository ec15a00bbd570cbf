// Picks the host: the Electron preload's object when present, otherwise the plain-browser host.
import type { HostApi } from '../../core/contract/host.js';
import { browserHost } from './host.browser.js';

declare global {
  interface Window {
    ringside?: HostApi;
  }
}

export const host: HostApi = window.ringside ?? browserHost;
