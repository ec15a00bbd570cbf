// Renders a route as a cmd.exe batch file for WinRE/WinPE or an elevated prompt: plain words only, CRLF line ends.
import { CMD_LITERAL_RE, type Step, type Token } from '../schema.js';
import { batchToken, comment, commentText } from '../quote.js';
import { describe, driveList, headerLines, RenderError, type RenderContext, type RenderDevice } from './common.js';
import { environmentMarker, type Environment } from '../environments.js';

function word(ctx: RenderContext, t: Token, device: RenderDevice | undefined): string {
  const parts = typeof t === 'object' && 'concat' in t ? t.concat : [t];
  return parts
    .map((p) => {
      if (typeof p === 'string') {
        if (!CMD_LITERAL_RE.test(p)) throw new RenderError(`'${p}' is not a plain word a batch file can hold`);
        return p;
      }
      let value: string | undefined;
      let field: string;
      if ('param' in p) {
        value = ctx.params[p.param];
        field = p.param;
      } else if ('device' in p) {
        value = device?.hostname;
        field = 'hostname';
      } else throw new RenderError('captured variables are only available in bash routes');
      if (value === undefined) throw new RenderError(`no value for ${field}`);
      const q = batchToken(value);
      if (!q.ok) throw new RenderError(`${field} ${q.reason}`);
      return q.text;
    })
    .join('');
}

function echoLog(text: string): string {
  // The text went through the batch comment filter: no % ! ^ & | < > " and no line break.
  // Parentheses go too: this line may sit inside a ( ) block, where ')' would end it.
  return `>>"%RS_LOG%" echo ${commentText('cmd', text).replace(/[()]/g, '_')}`;
}

function stepLines(ctx: RenderContext, step: Step, n: number, subs: string[]): string[] {
  const out: string[] = [];
  switch (step.op) {
    case 'note':
    case 'manual':
      out.push(comment('cmd', `Step ${n}: ${step.text}`));
      if (step.op === 'manual') out.push(`echo ${commentText('cmd', `Manual step: ${step.text}`)}`);
      return out;
    case 'unlock-bitlocker': {
      const drives = driveList(step.drives.from, step.drives.to).join(' ');
      out.push(comment('cmd', `Step ${n}: unlock BitLocker volumes whose key protector matches a listed key ID`));
      for (const d of ctx.devices) {
        if (d.keys.length === 0) {
          out.push(
            comment('cmd', `${d.hostname}: no valid recovery key in the workspace; unlock by hand or use Safe Mode`),
          );
          continue;
        }
        for (const k of d.keys) {
          if (!k.password) {
            out.push(
              comment(
                'cmd',
                `${d.hostname}: keys not included; unlock by hand with key ID {${k.keyId}}: manage-bde -unlock C: -RecoveryPassword (the key)`,
              ),
            );
            continue;
          }
          const host = batchToken(d.hostname);
          const id = batchToken(k.keyId);
          const pw = batchToken(k.password);
          if (!host.ok || !id.ok || !pw.ok) throw new RenderError(`unquotable key data for device ${d.id}`);
          out.push(
            comment('cmd', `Unlock ${d.hostname} (site ${d.site ?? '-'}, ring ${d.ring ?? '-'}): key ID {${k.keyId}}`),
          );
          // Find the drive whose protector has this key ID, then unlock it: no && chains, whose behaviour
          // inside `for` differs between cmd implementations.
          out.push('set "RS_DRIVE="');
          out.push(`for %%D in (${drives}) do call :rs_match %%D ${id.text}`);
          out.push(`if defined RS_DRIVE manage-bde -unlock %RS_DRIVE%: -RecoveryPassword ${pw.text} >nul 2>&1`);
          out.push(
            `if defined RS_DRIVE if not errorlevel 1 >>"%RS_LOG%" echo unlocked %RS_DRIVE%: for ${host.text} with key ID {${id.text}}`,
          );
          out.push(
            `if defined RS_DRIVE if errorlevel 1 >>"%RS_LOG%" echo %RS_DRIVE%: key ID {${id.text}} matched but the drive did not unlock - already unlocked or wrong key`,
          );
        }
      }
      if (!subs.includes(':rs_match'))
        subs.push(
          '',
          comment(
            'cmd',
            '%1 is a drive letter, %2 a key ID: remembers the first drive that has a protector with this ID',
          ),
          ':rs_match',
          'if defined RS_DRIVE exit /b 0',
          'manage-bde -protectors -get %1: -id {%2} >nul 2>&1',
          'if not errorlevel 1 set "RS_DRIVE=%1"',
          'exit /b 0',
        );
      return out;
    }
    case 'delete-files': {
      const rel = `${step.dir}\\${step.pattern}`;
      const sub = `:rs_delete_${n}`;
      out.push(comment('cmd', `Step ${n}: delete exactly ${rel} (nothing wider), logging each file`));
      out.push(
        comment(
          'cmd',
          'A locked volume is never called clean: nothing to delete is said only of a volume that is unlocked and whose \\Windows\\System32 is readable',
        ),
      );
      out.push('set "RS_FOUND="', 'set "RS_WINDOWS="', 'set "RS_LOCKED="');
      // A subroutine per drive instead of a multi-line block after `for ... do if`: simpler to read, and cmd
      // re-implementations (wine) handle it too. Only a drive letter is passed to `call`.
      if (step.drives === 'system') out.push(`call ${sub} %SystemDrive:~0,1%`);
      else out.push(`for %%D in (${driveList(step.drives.from, step.drives.to).join(' ')}) do call ${sub} %%D`);
      out.push(
        `if defined RS_LOCKED ${echoLog('RESULT: LOCKED - a BitLocker volume is still locked and was not checked. Unlock it with manage-bde -unlock or use the Safe Mode route, then run this again.')}`,
        'if defined RS_LOCKED set "RS_EXIT=2"',
        `if not defined RS_LOCKED if not defined RS_WINDOWS ${echoLog('RESULT: NO READABLE WINDOWS VOLUME - no drive has a readable \\Windows\\System32: still locked, or not the disk of this machine. Nothing was checked.')}`,
        'if not defined RS_LOCKED if not defined RS_WINDOWS set "RS_EXIT=3"',
        `if not defined RS_LOCKED if defined RS_WINDOWS if not defined RS_FOUND ${echoLog(`RESULT: nothing to delete - every Windows volume is unlocked, readable and has no ${step.pattern}`)}`,
        `if not defined RS_LOCKED if defined RS_FOUND ${echoLog(`RESULT: DELETED ${step.pattern} - see the file list above`)}`,
        // With a Safe Mode flag set, the clean-up after this step must still run: stop here only without one.
        ...(ctx.route.steps.some((x) => x.op === 'safeboot-clear') ? [] : ['if not "%RS_EXIT%"=="0" goto :rs_end']),
      );
      const p = `%~1:${rel}`;
      if (!subs.includes(':rs_lock'))
        subs.push(
          '',
          environmentMarker(env(ctx)),
          comment('cmd', '%1 is a drive letter: sets RS_LOCK to the Lock Status manage-bde reports (Locked, Unlocked)'),
          comment(
            'cmd',
            'manage-bde text is localized: only the English Lock Status line is read here. On another language',
          ),
          comment(
            'cmd',
            'a locked volume is not named LOCKED, but it has no readable \\Windows\\System32 either, so it is never',
          ),
          comment('cmd', 'called clean: the run ends with NO READABLE WINDOWS VOLUME and exit code 3.'),
          ':rs_lock',
          'set "RS_LOCK="',
          `for /f "tokens=1,2,3 delims=: " %%A in ('manage-bde -status %~1: 2^>nul') do if /i "%%A %%B"=="Lock Status" set "RS_LOCK=%%C"`,
          'exit /b 0',
          '',
          comment(
            'cmd',
            '%1 is a drive letter, %2 a line of plain words: to the run log and to the log on that volume',
          ),
          ':rs_say',
          '>>"%RS_LOG%" echo %~2',
          'if exist "%~1:\\Windows\\System32\\" >>"%~1:\\' + ctx.logName + '" echo %~2',
          'exit /b 0',
        );
      subs.push(
        '',
        environmentMarker(env(ctx)),
        comment(
          'cmd',
          `Step ${n} for one drive (%1 is the drive letter): check the lock, log, then delete exactly ${rel}`,
        ),
        sub,
        // In WinRE/WinPE the running system is X:, whose own \Windows\System32 is not the machine's disk.
        ...(step.drives === 'system' ? [] : ['if /i "%~1:"=="%SystemDrive%" exit /b 0']),
        `call :rs_lock %~1`,
        `if /i "%RS_LOCK%"=="Locked" call :rs_say %~1 "LOCKED %~1: - BitLocker reports the volume locked; not checked, nothing deleted"`,
        'if /i "%RS_LOCK%"=="Locked" set "RS_LOCKED=1"',
        'if /i "%RS_LOCK%"=="Locked" exit /b 0',
        'if not exist "%~1:\\Windows\\System32\\" exit /b 0',
        'set "RS_WINDOWS=1"',
        `if not exist "${p}" call :rs_say %~1 "%~1: unlocked, \\Windows\\System32 readable, nothing to delete"`,
        `if not exist "${p}" exit /b 0`,
        `call :rs_say %~1 "deleting on %~1: these files"`,
        // dir lists each file with its size and time: the record of what is deleted (portable, unlike a quoted for set).
        `dir /a-d "${p}" >>"%RS_LOG%" 2>&1`,
        `dir /a-d "${p}" >>"%~1:\\${ctx.logName}" 2>&1`,
        `del /f /q "${p}"`,
        'set "RS_FOUND=1"',
        `if exist "${p}" call :rs_say %~1 "ERROR: a file matching ${step.pattern} is still present on %~1:"`,
        `if exist "${p}" set "RS_EXIT=1"`,
        `if not exist "${p}" call :rs_say %~1 "DELETED on %~1: no ${step.pattern} left"`,
        'exit /b 0',
      );
      return out;
    }
    case 'safeboot-enter':
      // Paired with safeboot-clear by the schema. The first run is in WinRE/WinPE (the machine does not boot):
      // bcdedit needs no recovery key because the boot store sits outside the BitLocker volume.
      out.push(
        comment(
          'cmd',
          `Step ${n}: force Safe Mode (${step.mode}) from WinRE / WinPE, then restart; run this file again in Safe Mode`,
        ),
      );
      out.push(
        comment(
          'cmd',
          'If Safe Mode never comes up, clear the flag from WinRE with: bcdedit /deletevalue {default} safeboot',
        ),
      );
      out.push('if defined SAFEBOOT_OPTION goto :rs_safe');
      out.push(
        `if /i not "%SystemDrive%"=="X:" ${echoLog('REFUSED: not in Safe Mode and not in WinRE / WinPE. Run the first half from the WinRE command prompt.')}`,
      );
      out.push('if /i not "%SystemDrive%"=="X:" goto :rs_fail');
      out.push(environmentMarker('winre'));
      out.push(`bcdedit /set {default} safeboot ${step.mode} >>"%RS_LOG%" 2>&1`);
      out.push(`if errorlevel 1 ${echoLog('FAILED: bcdedit could not set the safeboot flag')}`);
      out.push('if errorlevel 1 goto :rs_fail');
      out.push(echoLog(`set safeboot ${step.mode}; restarting into Safe Mode`));
      out.push('echo Log in with a local administrator account in Safe Mode and run this file again.');
      out.push('wpeutil reboot');
      out.push('goto :rs_end');
      out.push(environmentMarker(env(ctx)));
      out.push(':rs_safe');
      out.push('>>"%RS_LOG%" echo running in Safe Mode (%SAFEBOOT_OPTION%)');
      return out;
    case 'safeboot-clear':
      out.push(comment('cmd', `Step ${n}: remove the Safe Mode flag so the next boot is normal`));
      out.push('bcdedit /deletevalue {default} safeboot >>"%RS_LOG%" 2>&1');
      out.push(echoLog('removed the safeboot flag'));
      return out;
    case 'reboot':
      out.push(comment('cmd', `Step ${n}: restart in ${step.delaySeconds} seconds`));
      out.push(`if not "%RS_EXIT%"=="0" ${echoLog('not restarting: the steps above did not succeed')}`);
      out.push('if not "%RS_EXIT%"=="0" goto :rs_end');
      out.push(echoLog('restarting'));
      // WinRE and WinPE have no shutdown.exe.
      out.push(env(ctx) === 'winre' ? 'wpeutil reboot' : `shutdown /r /t ${step.delaySeconds}`);
      return out;
    case 'run': {
      const targets = step.perDevice ? ctx.devices : [undefined];
      const okCodes = step.okExitCodes ?? [0];
      for (const d of targets) {
        const label = d ? `${step.label} (${d.hostname})` : step.label;
        out.push(comment('cmd', `Step ${n}: ${label}`));
        out.push(step.argv.map((t) => word(ctx, t, d)).join(' '));
        out.push('set "RS_RC=%ERRORLEVEL%"');
        out.push(`${echoLog(label)} - exit code %RS_RC%`);
        out.push('set "RS_OK="');
        out.push(`for %%C in (${okCodes.join(' ')}) do if "%RS_RC%"=="%%C" set "RS_OK=1"`);
        out.push(`if not defined RS_OK (${echoLog(`FAILED: ${label}`)}& goto :rs_fail)`);
      }
      return out;
    }
    case 'capture':
      throw new RenderError('capture steps need a bash route');
  }
}

function env(ctx: RenderContext): Environment {
  if (!ctx.route.environment) throw new RenderError(`route ${ctx.route.id} does not name its environment`);
  return ctx.route.environment;
}

export function renderCmd(ctx: RenderContext): string {
  const lines: string[] = ['@echo off'];
  for (const h of headerLines(ctx)) lines.push(comment('cmd', h));
  for (const d of describe(ctx.route.description)) lines.push(comment('cmd', d));
  lines.push(environmentMarker(env(ctx)));
  lines.push('setlocal EnableExtensions DisableDelayedExpansion');
  lines.push('set "RS_EXIT=0"');
  lines.push(
    comment('cmd', 'The run log goes next to this file (the USB stick it runs from) unless RS_LOG names another path;'),
    comment(
      'cmd',
      'each Windows volume also gets its own lines in its root. Never on X:, the WinRE RAM disk the restart wipes.',
    ),
  );
  if (env(ctx) !== 'winre')
    lines.push(`if not defined RS_LOG if /i not "%SystemDrive%"=="X:" set "RS_LOG=%SystemDrive%\\${ctx.logName}"`);
  lines.push(`if not defined RS_LOG set "RS_LOG=%~dp0${ctx.logName}"`);
  lines.push(
    'if /i "%~d0"=="X:" echo WARNING: this file runs from X:, the RAM disk: copy it to the USB stick or set RS_LOG, or the run log is lost at the restart.',
  );
  lines.push(
    `>>"%RS_LOG%" echo ==== ${commentText('cmd', `${ctx.playbook.id} v${ctx.playbook.version} ${ctx.route.id} generated ${ctx.generatedAt}`)} started %DATE% %TIME%`,
  );
  const subs: string[] = [];
  ctx.route.steps.forEach((s, i) => {
    lines.push('');
    lines.push(...stepLines(ctx, s, i + 1, subs));
  });
  lines.push('');
  lines.push(':rs_end');
  lines.push('>>"%RS_LOG%" echo ==== finished %DATE% %TIME% exit code %RS_EXIT%');
  lines.push('type "%RS_LOG%"');
  lines.push('endlocal & exit /b %RS_EXIT%');
  lines.push('');
  lines.push(':rs_fail');
  lines.push('type "%RS_LOG%"');
  lines.push('endlocal');
  lines.push('exit /b 1');
  lines.push(...subs);
  return lines.join('\r\n') + '\r\n';
}
