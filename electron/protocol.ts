// The app:// protocol: serves the built renderer (never file://) with traversal checks, the CSP header, and no network.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Session } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'ringside';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Exactly the policy in renderer/index.html's meta tag (a unit test keeps them equal); also sent as a header. */
export const CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/** Privileges for protocol.registerSchemesAsPrivileged (before app ready): a real origin, secure, fetch for the .wasm. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Parses `value` as a URL; null when it is not one. */
export function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** True only for app://ringside/... with no credentials or port. Compares parsed parts, never string prefixes. */
export function isAppUrl(value: string, host = APP_HOST): boolean {
  const u = parseUrl(value);
  return !!u && u.protocol === `${APP_SCHEME}:` && u.hostname === host && !u.port && !u.username && !u.password;
}

/**
 * Maps an app:// URL to a file under `root`, or null when it must not be served: another host, an undecodable
 * or traversing path (`..`, `%2e%2e`, encoded slashes), backslashes, NUL, drive letters or absolute paths.
 */
export function resolveAppPath(root: string, url: string, host = APP_HOST): string | null {
  const u = parseUrl(url);
  if (!u || !isAppUrl(url, host) || hasRawTraversal(url)) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  if (/[\\\0]/.test(rel) || rel.split('/').some((seg) => seg === '..' || seg === '.')) return null;
  rel = rel.replace(/^\/+/, '');
  if (!rel || path.isAbsolute(rel) || path.win32.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return null;
  const base = path.resolve(root);
  const file = path.resolve(base, rel);
  const back = path.relative(base, file);
  if (!back || back.startsWith('..') || path.isAbsolute(back)) return null;
  return file;
}

/**
 * Looks at the path as written, before URL parsing folds `..` and `%2e%2e` away: a request that tried to climb
 * is refused outright, not quietly re-rooted.
 */
function hasRawTraversal(url: string): boolean {
  const rawPath = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]*/i, '').split(/[?#]/)[0] ?? '';
  return rawPath.split('/').some((seg) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return true;
    }
    return decoded === '..' || decoded === '.' || /[\\/\0]/.test(decoded) || seg.includes('\\');
  });
}

function securityHeaders(type: string): Record<string, string> {
  return {
    'Content-Type': type,
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

/** The protocol.handle callback: GET/HEAD of files under the root of the URL's host; nothing else. */
export function createAppHandler(roots: Record<string, string>): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
    const u = parseUrl(req.url);
    const root = u ? roots[u.hostname] : undefined;
    const file = root && u ? resolveAppPath(root, req.url, u.hostname) : null;
    if (!file) return new Response('forbidden', { status: 403, headers: securityHeaders('text/plain') });
    try {
      const stat = await fsp.stat(file);
      if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      const body = req.method === 'HEAD' ? null : new Uint8Array(await fsp.readFile(file));
      return new Response(body, { status: 200, headers: securityHeaders(type) });
    } catch {
      return new Response('not found', { status: 404, headers: securityHeaders('text/plain') });
    }
  };
}

/** Schemes a request may use; anything else (http, https, ws, ftp, file…) is cancelled: Ringside is offline. */
export const ALLOWED_SCHEMES = new Set(['app:', 'devtools:', 'data:', 'blob:']);

export function isRequestAllowed(url: string): boolean {
  const u = parseUrl(url);
  return !!u && ALLOWED_SCHEMES.has(u.protocol);
}

/** Serves app:// on the session and cancels every request that would leave the machine. */
export function installAppProtocol(session: Session, roots: Record<string, string>): void {
  session.protocol.handle(APP_SCHEME, createAppHandler(roots));
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isRequestAllowed(details.url) }));
}
