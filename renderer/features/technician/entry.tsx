// Route-less entry to technician mode: at #/technician the app shows the offline pack checklist instead of the start screen.
// App.tsx belongs to the shell; until it routes #/technician itself, this mounts the view in its own root beside #root
// and hides #root with CSS (html[data-mode='technician']). Installed once from the packs feature module.
import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { TechnicianView } from './TechnicianView.js';

export const TECHNICIAN_HASH = '#/technician';
let root: Root | null = null;
let host: HTMLElement | null = null;
let installed = false;

function apply(): void {
  const on = location.hash.startsWith(TECHNICIAN_HASH);
  document.documentElement.dataset.mode = on ? 'technician' : 'console';
  if (on && !root) {
    host = document.createElement('div');
    host.id = 'technician-root';
    document.body.append(host);
    root = createRoot(host);
    root.render(
      <StrictMode>
        <TechnicianView onExit={() => (location.hash = '')} />
      </StrictMode>,
    );
  } else if (!on && root) {
    root.unmount();
    host?.remove();
    root = null;
    host = null;
  }
}

export function installTechnicianEntry(): void {
  if (installed || typeof window === 'undefined') return;
  installed = true;
  window.addEventListener('hashchange', apply);
  apply();
}
