// The app:// protocol: only files under the renderer build, no traversal, the CSP header, and no network.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import {
  APP_SCHEME_PRIVILEGES,
  CSP,
  createAppHandler,
  installAppProtocol,
  isRequestAllowed,
  resolveAppPath,
} from '../../../electron/protocol.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'ringside-proto-'));
const dist = path.join(root, 'dist', 'renderer');
mkdirSync(path.join(dist, 'assets'), { recursive: true });
writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Ringside</title>');
writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(path.join(dist, 'assets', 'sql-wasm.wasm'), new Uint8Array([0, 97, 115, 109]));
writeFileSync(path.join(root, 'dist', 'secret.txt'), 'outside the renderer build');
writeFileSync(path.join(root, 'dist', 'renderer-evil'), 'sibling with a shared prefix');

const handler = createAppHandler({ ringside: dist });
const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

describe('resolveAppPath', () => {
  it('maps app://ringside paths under the root and / to index.html', () => {
    expect(resolveAppPath(dist, 'app://ringside/')).toBe(path.join(dist, 'index.html'));
    expect(resolveAppPath(dist, 'app://ringside/assets/app.js')).toBe(path.join(dist, 'assets', 'app.js'));
    expect(resolveAppPath(dist, 'app://ringside/assets/app.js?v=1#x')).toBe(path.join(dist, 'assets', 'app.js'));
  });

  it.each([
    'app://ringside/%2e%2e/secret.txt',
    'app://ringside/assets/%2E%2E/%2e%2e/secret.txt',
    'app://ringside/..%2fsecret.txt',
    'app://ringside/..%2Fsecret.txt',
    'app://ringside/assets%2f..%2f..%2fsecret.txt',
    'app://ringside/..%5csecret.txt',
    'app://ringside/assets\\..\\..\\secret.txt',
    'app://ringside/%5c%5cserver%5cshare',
    'app://ringside/%2fetc%2fpasswd',
    'app://ringside//etc/passwd',
    'app://ringside/C:/Windows/win.ini',
    'app://ringside/c%3a%5cWindows%5cwin.ini',
    'app://ringside/%00index.html',
    'app://ringside/%E0%A4%A',
    'app://ringside/./index.html/..',
    'app://evil/index.html',
    'app://ringside.attacker.com/index.html',
    'app://ringside:8080/index.html',
    'file:///etc/passwd',
    'https://ringside/index.html',
    'not a url',
  ])('refuses %s', (url) => {
    const resolved = resolveAppPath(dist, url);
    // Either refused outright, or (after URL normalisation) still strictly inside the root.
    if (resolved !== null) expect(path.relative(dist, resolved).startsWith('..')).toBe(false);
    expect(resolved === null || resolved.startsWith(dist + path.sep)).toBe(true);
    if (resolved) expect(resolved).not.toContain('secret');
  });

  it('never escapes to a sibling directory that shares the prefix', () => {
    expect(resolveAppPath(dist, 'app://ringside/../renderer-evil')).not.toBe(path.join(root, 'dist', 'renderer-evil'));
  });
});

describe('app:// handler', () => {
  it('serves files under dist/renderer with the CSP and nosniff headers and the right types', async () => {
    const res = await get('app://ringside/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('<title>Ringside</title>');
    expect((await get('app://ringside/assets/app.js')).headers.get('content-type')).toMatch(/javascript/);
    expect((await get('app://ringside/assets/sql-wasm.wasm')).headers.get('content-type')).toBe('application/wasm');
  });

  it('refuses traversal (403), unknown files (404), other hosts and methods', async () => {
    for (const url of [
      'app://ringside/%2e%2e/secret.txt',
      'app://ringside/..%2fsecret.txt',
      'app://ringside/..%5csecret.txt',
      'app://ringside/%2fetc%2fpasswd',
      'app://other/index.html',
    ]) {
      const res = await get(url);
      // Request() already folds %2e%2e the way Chromium does (then it is a missing file); the rest are refused.
      expect([403, 404], url).toContain(res.status);
      expect(await res.text()).not.toContain('outside the renderer build');
    }
    expect((await get('app://ringside/..%2fsecret.txt')).status).toBe(403);
    expect((await get('app://other/index.html')).status).toBe(403);
    expect((await get('app://ringside/nope.js')).status).toBe(404);
    expect((await get('app://ringside/assets')).status).toBe(404);
    expect((await get('app://ringside/index.html', 'POST')).status).toBe(405);
  });

  it('sends exactly the policy of renderer/index.html', () => {
    const html = readFileSync(new URL('../../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CSP);
    expect(CSP).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(CSP).not.toMatch(/unsafe-inline|'unsafe-eval'/);
  });

  it('registers app:// as standard and secure', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } });
  });
});

describe('the real renderer build over app://', () => {
  const built = new URL('../../../dist/renderer/', import.meta.url);
  if (!existsSync(new URL('index.html', built)))
    console.warn('dist/renderer not built (npm run build): skipping the served-build test');
  it.skipIf(!existsSync(new URL('index.html', built)))('serves index.html and every asset it references', async () => {
    const serve = createAppHandler({ ringside: fileURLToPath(built) });
    const index = await serve(new Request('app://ringside/'));
    const html = await index.text();
    expect(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]).toBe(CSP);
    const refs = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const res = await serve(new Request(`app://ringside/${ref}`));
      expect(res.status, ref).toBe(200);
    }
    const wasm = readdirSync(new URL('assets/', built)).filter((f) => f.endsWith('.wasm'));
    for (const f of wasm)
      expect((await serve(new Request(`app://ringside/assets/${f}`))).headers.get('content-type')).toBe(
        'application/wasm',
      );
  });
});

describe('no network', () => {
  it.each([
    ['app://ringside/index.html', true],
    ['devtools://devtools/bundled/inspector.html', true],
    ['data:image/png;base64,AAAA', true],
    ['blob:app://ringside/1234', true],
    ['https://example.com/', false],
    ['http://127.0.0.1:5178/', false],
    ['ws://localhost/', false],
    ['wss://example.com/', false],
    ['ftp://example.com/', false],
    ['file:///etc/passwd', false],
    ['chrome-extension://abc/x.js', false],
    ['garbage', false],
  ])('%s allowed=%s', (url, allowed) => {
    expect(isRequestAllowed(url)).toBe(allowed);
  });

  it('installs the handler and a webRequest filter that cancels everything else', () => {
    const session = { protocol: { handle: vi.fn() }, webRequest: { onBeforeRequest: vi.fn() } };
    installAppProtocol(session as never, { ringside: dist });
    expect(session.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    const filter = session.webRequest.onBeforeRequest.mock.calls[0]![0] as (
      d: { url: string },
      cb: (r: { cancel: boolean }) => void,
    ) => void;
    const cb = vi.fn();
    filter({ url: 'https://telemetry.example.com/' }, cb);
    filter({ url: 'app://ringside/index.html' }, cb);
    expect(cb.mock.calls).toEqual([[{ cancel: true }], [{ cancel: false }]]);
  });
});
