// Top-level shell: technician mode, the start screen until a workspace is open, then the sidebar layout with the views.
import { useCallback, useEffect, useState } from 'react';
import type { MenuCommand, OpenedWorkspace } from '../../core/contract/host.js';
import { StartView } from '../features/start/StartView.js';
import { isTechnicianHash } from '../features/technician/entry.js';
import { TechnicianView } from '../features/technician/TechnicianView.js';
import { host } from '../platform/host.js';
import { offerFiles } from '../state/dropped-files.js';
import { ROUTE_EVENT } from '../state/navigate.js';
import { routes } from './routes.js';
import { AuditWarning } from '../features/audit/AuditWarning.js';
import { loadIntoWorker, useWorkspace, WorkspaceProvider } from '../state/workspace.js';

type Theme = 'light' | 'dark';

/** Moves focus to the open view's heading, so a screen reader announces where the user is and Tab starts there. */
function focusHeading(): boolean {
  const h = document.querySelector<HTMLElement>('main h1');
  if (!h) return false;
  if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1');
  h.focus();
  return true;
}

/** After a workspace opens and after every navigation, focus goes to the new view's heading (not the page body). */
function FocusHeading(props: { route: string }) {
  useEffect(() => {
    let tries = 0;
    let frame = 0;
    const attempt = () => {
      if (!focusHeading() && tries++ < 30) frame = requestAnimationFrame(attempt);
    };
    frame = requestAnimationFrame(attempt);
    return () => cancelAnimationFrame(frame);
  }, [props.route]);
  return null;
}

/** Carries out application-menu commands that need the open workspace (the menu lives in the Electron host). */
function MenuBridge(props: { onRoute: (id: string) => void; onClose: () => void }) {
  const { changed } = useWorkspace();
  const { onRoute, onClose } = props;
  useEffect(
    () =>
      host.onMenuCommand?.((command: MenuCommand) => {
        if (command === 'save-snapshot') void changed();
        else if (command === 'export-pdf') onRoute('report');
        else if (command === 'close-workspace') onClose();
      }),
    [changed, onRoute, onClose],
  );
  return null;
}

export function App() {
  const [opened, setOpened] = useState<{ ws: OpenedWorkspace; lastSeq: number } | null>(null);
  const [route, setRoute] = useState('overview');
  const [technician, setTechnician] = useState(() => isTechnicianHash(location.hash));
  const [notice, setNotice] = useState<string | null>(null);
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem('ringside.theme') as Theme | null) ?? 'light');

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('ringside.theme', theme);
  }, [theme]);

  useEffect(() => {
    // The readiness marker end-to-end tests wait on, instead of sleeping.
    document.documentElement.dataset.appState = technician ? 'technician' : opened ? 'workspace' : 'start';
  }, [opened, technician]);

  useEffect(() => {
    const onHash = () => setTechnician(isTechnicianHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    // A view asks for another (a count on the Overview opens the Devices view listing it).
    const onRoute = (e: Event) => setRoute(String((e as CustomEvent<string>).detail));
    window.addEventListener(ROUTE_EVENT, onRoute);
    return () => window.removeEventListener(ROUTE_EVENT, onRoute);
  }, []);

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
    setNotice(
      ws.quarantined
        ? `This workspace could not be read as saved, so the damaged file was moved aside to ${ws.quarantined} (nothing was deleted). The last good copy was opened.`
        : null,
    );
    setRoute('overview');
    setOpened({ ws, lastSeq });
  }, []);
  const close = useCallback(() => setOpened(null), []);

  useEffect(
    () =>
      host.onOpenFile?.((ev) => {
        if (ev.kind === 'workspace' && ev.location) {
          void host.openWorkspace(ev.location).then((ws) => ws && open(ws));
        } else if (ev.kind === 'fieldpack') {
          location.hash = '#/technician';
        } else if (ev.kind === 'export' && ev.data) {
          offerFiles([new File([ev.data as BlobPart], ev.name)]);
          setRoute('import');
        }
      }),
    [open],
  );

  useEffect(
    () =>
      host.onMenuCommand?.((command) => {
        if (command === 'new-workspace') {
          void host.createWorkspace(`Incident ${new Date().toISOString().slice(0, 10)}`).then(open);
        }
      }),
    [open],
  );

  if (technician) return <TechnicianView onExit={() => (location.hash = '')} />;
  if (!opened) return <StartView onOpen={open} theme={theme} onTheme={setTheme} />;

  const current = routes.find((r) => r.id === route) ?? routes[0]!;
  return (
    <WorkspaceProvider key={opened.ws.ref.id} opened={opened.ws} lastSeq={opened.lastSeq} host={host} onClose={close}>
      <MenuBridge onRoute={setRoute} onClose={close} />
      <FocusHeading route={current.id} />
      <a
        href="#main"
        className="skip-link"
        onClick={(e) => {
          // No hash navigation: the hash is the technician-mode switch. Focus goes to the view's heading instead.
          e.preventDefault();
          focusHeading();
        }}
      >
        Skip to content
      </a>
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
        <main className="content" id="main" data-view={current.id}>
          <AuditWarning />
          {notice && (
            <p role="alert" className="notice">
              {notice}{' '}
              <button type="button" className="link" onClick={() => setNotice(null)}>
                Dismiss
              </button>
            </p>
          )}
          <current.View />
        </main>
      </div>
    </WorkspaceProvider>
  );
}
