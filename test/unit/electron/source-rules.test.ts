// Source rules Electronegativity cannot see: every IPC listener checks its sender first; no openExternal; no URLs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(root, rel)).isDirectory() ? files(rel, ext) : ext.test(name) ? [rel] : [];
  });
}
const read = (rel: string) => readFileSync(path.join(root, rel), 'utf8');
const withoutComments = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\])\/\/.*$/gm, '$1');

describe('main-process source rules', () => {
  const electronTs = files('electron', /\.ts$/);

  it('IPC listeners live only in ipc.ts and the passphrase prompt, and each checks its sender first', () => {
    const users = electronTs.filter((f) =>
      /ipcMain\s*\.\s*(handle|on|once|handleOnce)\s*\(|deps\.ipcMain\.(handle|on)\(/.test(read(f)),
    );
    expect(users.sort()).toEqual(['electron/host/passphrase-prompt.ts', 'electron/ipc.ts']);
    for (const f of users) {
      const src = withoutComments(read(f));
      const calls = [
        ...src.matchAll(/ipcMain\.(?:handle|on)\(\s*[^,]+,\s*(?:async\s*)?\(([^)]*)\)\s*=>\s*\{?(?=([\s\S]{0,160}))/g),
      ];
      expect(calls.length, f).toBe(3); // ipc.ts: the per-verb handle + two messages; the prompt: info, submit, cancel
      for (const [, , body] of calls) {
        const first = body!.trim();
        // The first thing each callback does is the sender check (the shared validator or the prompt's own).
        expect(first, `${f}: ${first.slice(0, 60)}`).toMatch(
          /^(if \(!?isTrustedSender\(|const p = from\(event\)|from\(event\)|isTrustedSender\()/,
        );
      }
    }
  });

  it('never calls shell.openExternal or loads file:// URLs (checklist items 15 and 18)', () => {
    for (const f of [...electronTs, ...files('renderer', /\.(ts|tsx)$/)]) {
      const src = withoutComments(read(f));
      expect(src, f).not.toMatch(/openExternal\s*\(/);
      expect(src, f).not.toMatch(/loadFile\s*\(|['"`]file:\/\//);
    }
  });

  it('the shell code holds no http(s) URL literals (checklist item 1: nothing remote is loaded)', () => {
    const shell = [
      'electron/main.ts',
      'electron/window.ts',
      'electron/ipc.ts',
      'electron/protocol.ts',
      'electron/menu.ts',
      'electron/preload.ts',
      ...files('electron/host', /\.(ts|js|html)$/),
    ];
    for (const f of shell) expect(withoutComments(read(f)), f).not.toMatch(/https?:\/\//);
  });

  it('exactly one place constructs a BrowserWindow, with literal secure preferences', () => {
    const makers = electronTs.filter((f) => /new BrowserWindow\(/.test(read(f)));
    expect(makers).toEqual(['electron/window.ts']);
    const src = read('electron/window.ts');
    for (const line of [
      'contextIsolation: true',
      'sandbox: true',
      'nodeIntegration: false',
      'webSecurity: true',
      'webviewTag: false',
    ])
      expect(src).toContain(line);
  });
});
