// Every cmd route calls only commands its stated environment has (WinRE has no shutdown.exe, full Windows no wpeutil), and says where it runs.
import { describe, expect, it } from 'vitest';
import { BUILTIN_PLAYBOOKS } from '../../../../core/remediation/builtin.js';
import {
  batchCommandWords,
  ENVIRONMENT_COMMANDS,
  ENVIRONMENT_TEXT,
  ENVIRONMENTS,
  environmentMarker,
  type Environment,
} from '../../../../core/remediation/environments.js';
import { generateScripts } from '../../../../core/remediation/generate.js';
import { sampleFleet, workspace } from './helpers.js';

/** The script cut at each environment marker: [environment, the lines up to the next marker]. */
function sections(script: string): Array<[Environment, string]> {
  const out: Array<[Environment, string]> = [];
  let env: Environment | null = null;
  let buf: string[] = [];
  for (const line of script.split('\r\n')) {
    const next = ENVIRONMENTS.find((e) => line === environmentMarker(e));
    if (next) {
      if (env) out.push([env, buf.join('\r\n')]);
      env = next;
      buf = [];
    } else if (env) buf.push(line);
  }
  if (env) out.push([env, buf.join('\r\n')]);
  return out;
}

describe('command words of a batch script', () => {
  it('finds the command behind redirections, if tests, for ... do, for /f, call and & chains', () => {
    const script = [
      '@echo off',
      'rem shutdown /r is only a comment here',
      '>>"%RS_LOG%" echo hello',
      'if /i not "%SystemDrive%"=="X:" goto :rs_fail',
      'if defined RS_DRIVE manage-bde -unlock %RS_DRIVE%: -RecoveryPassword 1 >nul 2>&1',
      'if exist "%~1:\\x" set "A=1"',
      `for /f "tokens=1,2,3 delims=: " %%A in ('manage-bde -status %~1: 2^>nul') do if /i "%%A %%B"=="Lock Status" set "RS_LOCK=%%C"`,
      'for %%D in (C D) do call :rs_delete_2 %%D',
      'if not defined RS_OK (>>"%RS_LOG%" echo FAILED& goto :rs_fail)',
      ':rs_end',
      'bcdedit /deletevalue {default} safeboot >>"%RS_LOG%" 2>&1',
      'shutdown.exe /r /t 10',
      'call wpeutil reboot',
    ].join('\r\n');
    // Worked out by hand from the lines above.
    expect(batchCommandWords(script)).toEqual([
      'echo',
      'echo',
      'if',
      'goto',
      'if',
      'manage-bde',
      'if',
      'set',
      'for',
      'if',
      'set',
      'manage-bde',
      'for',
      'call',
      'if',
      'echo',
      'goto',
      'bcdedit',
      'shutdown',
      'call',
      'wpeutil',
    ]);
  });

  it('the allow-lists hold what each environment is known to have, and not the rest', () => {
    expect(ENVIRONMENT_COMMANDS.winre).toContain('wpeutil');
    expect(ENVIRONMENT_COMMANDS.winre).not.toContain('shutdown');
    expect(ENVIRONMENT_COMMANDS['safe-mode']).toContain('shutdown');
    expect(ENVIRONMENT_COMMANDS['safe-mode']).not.toContain('wpeutil');
    expect(ENVIRONMENT_COMMANDS.windows).not.toContain('wpeutil');
  });
});

describe('every cmd route of every built-in playbook', () => {
  it('states its environment at the top and calls only that environment’s commands in each part', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    let checked = 0;
    for (const p of BUILTIN_PLAYBOOKS)
      for (const r of p.routes) {
        if (r.shell !== 'cmd') continue;
        expect(r.environment, `${p.id}/${r.id}`).toBeDefined();
        const target = p.id === 'cs-channel-291' ? { site: 'LON', ring: 'Broad' } : { site: 'LON', states: [] };
        for (const withKeys of [false, true]) {
          const b = await generateScripts(ws, { playbookId: p.id, route: r.id, target, withKeys });
          for (const f of b.files) {
            const head = f.content.split('\r\n').slice(0, 20).join('\n');
            expect(head, f.path).toContain(`rem Runs in: `);
            expect(head, f.path).toContain(ENVIRONMENT_TEXT[r.environment!]);
            const parts = sections(f.content);
            expect(parts.length, f.path).toBeGreaterThan(0);
            // Everything after the header belongs to a part: no command line before the first marker.
            const beforeFirst = f.content.split(environmentMarker(parts[0]![0]))[0]!;
            expect(batchCommandWords(beforeFirst), f.path).toEqual(['echo']);
            for (const [env, text] of parts) {
              const words = batchCommandWords(text);
              const foreign = words.filter((w) => !ENVIRONMENT_COMMANDS[env].includes(w));
              expect(foreign, `${f.path} (${env})`).toEqual([]);
              checked++;
            }
          }
        }
      }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('the Safe Mode route sets safeboot only in its WinRE part, restarts there with wpeutil, and always clears the flag', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    const b = await generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'safe-mode-cmd',
      target: { site: 'LON', ring: 'Broad' },
      withKeys: false,
    });
    const text = b.files[0]!.content;
    const parts = sections(text);
    const winre = parts.filter(([e]) => e === 'winre').map(([, t]) => t);
    expect(winre).toHaveLength(1);
    expect(winre[0]).toContain('bcdedit /set {default} safeboot minimal');
    expect(batchCommandWords(winre[0]!)).toContain('wpeutil');
    const safe = parts
      .filter(([e]) => e === 'safe-mode')
      .map(([, t]) => t)
      .join('\r\n');
    expect(safe).not.toContain('safeboot minimal');
    const lines = text.split('\r\n');
    expect(lines.filter((l) => /^bcdedit \/set /.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^bcdedit \/deletevalue \{default\} safeboot\b/.test(l))).toHaveLength(1);
    // Nothing between the delete step and the clean-up can skip the clean-up.
    const del = lines.findIndex((l) => l.startsWith('call :rs_delete_'));
    const clear = lines.findIndex((l) => l.startsWith('bcdedit /deletevalue'));
    expect(del).toBeGreaterThan(0);
    expect(lines.slice(del, clear).filter((l) => /goto/i.test(l))).toEqual([]);
  });

  it('the WinRE route never writes its log to %SystemDrive% (X: in WinRE)', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    const b = await generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'winre-cmd',
      target: { site: 'LON', ring: 'Broad' },
      withKeys: false,
    });
    const sets = b.files[0]!.content.split('\r\n').filter((l) => /set "RS_LOG=/.test(l));
    expect(sets).toEqual(['if not defined RS_LOG set "RS_LOG=%~dp0ringside-cs-channel-291.log"']);
  });
});
