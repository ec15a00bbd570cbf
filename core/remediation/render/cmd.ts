// Renders a route as a cmd.exe batch file for WinRE/WinPE or an elevated prompt: plain words only, CRLF line ends.
import { CMD_LITERAL_RE, type Step, type Token } from '../schema.js';
import { batchToken, comment, commentText } from '../quote.js';
import { describe, driveList, headerLines, RenderError, type RenderContext, type RenderDevice } from './common.js';

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
      out.push('set "RS_FOUND="');
      // A subroutine per drive instead of a multi-line block after `for ... do if`: simpler to read, and cmd
      // re-implementations (wine) handle it too. Only a drive letter is passed to `call`.
      if (step.drives === 'system') out.push(`call ${sub} %SystemDrive:~0,1%`);
      else out.push(`for %%D in (${driveList(step.drives.from, step.drives.to).join(' ')}) do call ${sub} %%D`);
      out.push(`if not defined RS_FOUND ${echoLog(`nothing to delete: no ${step.pattern} found`)}`);
      const p = `%~1:${rel}`;
      subs.push(
        '',
        comment('cmd', `Step ${n} for one drive (%1 is the drive letter): log, then delete exactly ${rel}`),
        sub,
        `if not exist "${p}" exit /b 0`,
        // dir lists each file with its size and time: the record of what is deleted (portable, unlike a quoted for set).
        `>>"%RS_LOG%" echo deleting on %~1: these files`,
        `dir /a-d "${p}" >>"%RS_LOG%" 2>&1`,
        `del /f /q "${p}"`,
        'set "RS_FOUND=1"',
        `if exist "${p}" >>"%RS_LOG%" echo ERROR: a file matching ${step.pattern} is still present on %~1:`,
        'exit /b 0',
      );
      return out;
    }
    case 'safeboot-enter':
      // Paired with safeboot-clear by the schema; the fix half runs only when Windows reports Safe Mode.
      out.push(
        comment('cmd', `Step ${n}: force Safe Mode (${step.mode}), then reboot; run this file again in Safe Mode`),
      );
      out.push(
        comment(
          'cmd',
          'If Safe Mode never comes up, clear the flag from WinRE with: bcdedit /deletevalue {default} safeboot',
        ),
      );
      out.push('if defined SAFEBOOT_OPTION goto :rs_safe');
      out.push(`bcdedit /set {default} safeboot ${step.mode} >>"%RS_LOG%" 2>&1`);
      out.push(echoLog(`set safeboot ${step.mode}; rebooting into Safe Mode`));
      out.push('echo Log in with a local administrator account in Safe Mode and run this file again.');
      out.push('shutdown /r /t 10');
      out.push('goto :rs_end');
      out.push(':rs_safe');
      out.push('>>"%RS_LOG%" echo running in Safe Mode (%SAFEBOOT_OPTION%)');
      return out;
    case 'safeboot-clear':
      out.push(comment('cmd', `Step ${n}: remove the Safe Mode flag so the next boot is normal`));
      out.push('bcdedit /deletevalue {default} safeboot >>"%RS_LOG%" 2>&1');
      out.push(echoLog('removed the safeboot flag'));
      return out;
    case 'reboot':
      out.push(comment('cmd', `Step ${n}: reboot in ${step.delaySeconds} seconds`));
      out.push(echoLog('rebooting'));
      out.push(`shutdown /r /t ${step.delaySeconds}`);
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

export function renderCmd(ctx: RenderContext): string {
  const lines: string[] = ['@echo off'];
  for (const h of headerLines(ctx)) lines.push(comment('cmd', h));
  for (const d of describe(ctx.route.description)) lines.push(comment('cmd', d));
  lines.push('setlocal EnableExtensions DisableDelayedExpansion');
  lines.push(`set "RS_LOG=%SystemDrive%\\${ctx.logName}"`);
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
  lines.push('>>"%RS_LOG%" echo ==== finished %DATE% %TIME%');
  lines.push('type "%RS_LOG%"');
  lines.push('endlocal');
  lines.push('exit /b 0');
  lines.push('');
  lines.push(':rs_fail');
  lines.push('type "%RS_LOG%"');
  lines.push('endlocal');
  lines.push('exit /b 1');
  lines.push(...subs);
  return lines.join('\r\n') + '\r\n';
}
