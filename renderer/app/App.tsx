// Top-level shell: the start screen until a workspace is open, then the sidebar layout with the feature views.
import { useCallback, useEffect, useState } from 'react';
import type { OpenedWorkspace } from '../../core/contract/host.js';
import { StartView } from '../features/start/StartView.js';
import { host } from '../platform/host.js';
import { routes } from './routes.js';
import { loadIntoWorker, WorkspaceProvider } from './workspace.js';

type Theme = 'light' | 'dark';

export function App() {
  const [opened, setOpened] = useState<{ ws: OpenedWorkspace; lastSeq: number } | null>(null);
  const [route, setRoute] = useState('overview');
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem('ringside.theme') as Theme | null) ?? 'light');

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('ringside.theme', theme);
  }, [theme]);

  useEffect(() => {
    // The readiness marker end-to-end tests wait on, instead of sleeping.
    document.documentElement.dataset.appState = opened ? 'workspace' : 'start';
  }, [opened]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!opened || !e.altKey) return;
      const r = routes.find((x) => x.key === e.key);
      if (r) {
        e.preventDefault();
        setRoute(r.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [opened]);

  const open = useCallback(async (ws: OpenedWorkspace) => {
    const lastSeq = await loadIntoWorker(ws);
    setRoute('overview');
    setOpened({ ws, lastSeq });
  }, []);
  const close = useCallback(() => setOpened(null), []);

  if (!opened) return <StartView onOpen={open} theme={theme} onTheme={setTheme} />;

  const current = routes.find((r) => r.id === route) ?? routes[0]!;
  return (
    <WorkspaceProvider key={opened.ws.ref.id} opened={opened.ws} lastSeq={opened.lastSeq} host={host} onClose={close}>
      <div className="layout">
        <nav className="sidebar" aria-label="Views">
          <div className="brand">
            Ringside
            <span className="muted small">{opened.ws.ref.name}</span>
          </div>
          <ul>
            {routes.map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  className={r.id === current.id ? 'nav active' : 'nav'}
                  aria-current={r.id === current.id ? 'page' : undefined}
                  onClick={() => setRoute(r.id)}
                  title={`Alt+${r.key}`}
                >
                  {r.label}
                </button>
              </li>
            ))}
          </ul>
          <div className="sidebar-foot">
            <button type="button" className="ghost" onClick={() => setTheme(theme === 'light' ? 'dark' : 'light')}>
              {theme === 'light' ? 'Dark theme' : 'Light theme'}
            </button>
            <button type="button" className="ghost" onClick={close}>
              Close workspace
            </button>
          </div>
        </nav>
        <main className="content" data-view={current.id}>
          <current.View />
        </main>
      </div>
    </WorkspaceProvider>
  );
}
