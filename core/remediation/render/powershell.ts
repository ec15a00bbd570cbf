// Renders a route as a PowerShell script: values only in verbatim single-quoted strings, -LiteralPath, no Invoke-Expression.
import type { Step, Token } from '../schema.js';
import { comment, commentText, mustQuote } from '../quote.js';
import { describe, driveList, headerLines, RenderError, type RenderContext, type RenderDevice } from './common.js';

const q = (v: string, field: string) => mustQuote('powershell', v, field);

function arg(ctx: RenderContext, t: Token, device: RenderDevice | undefined, first: boolean): string {
  const parts = typeof t === 'object' && 'concat' in t ? t.concat : [t];
  const single = parts.length === 1;
  const rendered = parts.map((p) => {
    if (typeof p === 'string') {
      const plain = first ? /^[A-Za-z][A-Za-z0-9_.-]*$/ : /^[A-Za-z0-9_./:\\-]+$/;
      return single && plain.test(p) ? p : q(p, 'literal');
    }
    if ('param' in p) {
      const v = ctx.params[p.param];
      if (v === undefined) throw new RenderError(`no value for ${p.param}`);
      return q(v, p.param);
    }
    if ('device' in p) {
      if (!device) throw new RenderError('a device value outside a per-device step');
      return q(device.hostname, 'hostname');
    }
    throw new RenderError('captured variables are only available in bash routes');
  });
  // Concatenation as an expression: argument mode would not join a bare word and a quoted string reliably.
  return single ? rendered[0]! : `(${rendered.join(' + ')})`;
}

function stepLines(ctx: RenderContext, step: Step, n: number): string[] {
  const out: string[] = [];
  switch (step.op) {
    case 'note':
      out.push(comment('powershell', `Step ${n}: ${step.text}`));
      return out;
    case 'manual':
      out.push(comment('powershell', `Step ${n}: ${step.text}`));
      out.push(`Write-Host ${q(commentText('powershell', `Manual step: ${step.text}`), 'text')}`);
      return out;
    case 'unlock-bitlocker': {
      out.push(comment('powershell', `Step ${n}: unlock locked volumes whose key protector matches a listed key ID`));
      const rows: string[] = [];
      for (const d of ctx.devices)
        for (const k of d.keys) {
          if (!k.password) {
            out.push(comment('powershell', `${d.hostname}: keys not included; key ID {${k.keyId}}`));
            continue;
          }
          rows.push(
            `  [pscustomobject]@{ Device = ${q(d.hostname, 'hostname')}; KeyId = ${q(`{${k.keyId}}`, 'key ID')}; RecoveryPassword = ${q(k.password, 'recovery password')} }`,
          );
        }
      if (rows.length === 0) {
        out.push(
          comment(
            'powershell',
            'No recovery keys in this script: unlock by hand with Unlock-BitLocker if a volume is locked.',
          ),
        );
        return out;
      }
      out.push('$RsKeys = @(', ...rows, ')');
      out.push(
        `$RsLetters = @(${driveList(step.drives.from, step.drives.to)
          .map((l) => `'${l}'`)
          .join(', ')})`,
      );
      out.push('foreach ($volume in @(Get-BitLockerVolume -ErrorAction SilentlyContinue)) {');
      out.push("  if ($volume.LockStatus -ne 'Locked') { continue }");
      out.push('  if ($RsLetters -notcontains $volume.MountPoint.Substring(0, 1).ToUpperInvariant()) { continue }');
      out.push('  foreach ($key in $RsKeys) {');
      out.push(
        '    if (@($volume.KeyProtector | Where-Object { $_.KeyProtectorId -eq $key.KeyId }).Count -eq 0) { continue }',
      );
      out.push(
        '    Unlock-BitLocker -MountPoint $volume.MountPoint -RecoveryPassword $key.RecoveryPassword | Out-Null',
      );
      out.push(
        "    Write-RsLog ('unlocked {0} for {1} with key ID {2}' -f $volume.MountPoint, $key.Device, $key.KeyId)",
      );
      out.push('    break');
      out.push('  }');
      out.push('}');
      return out;
    }
    case 'delete-files': {
      out.push(
        comment(
          'powershell',
          `Step ${n}: delete exactly <drive>:${step.dir}\\${step.pattern} (nothing wider), logging each file`,
        ),
      );
      const letters =
        step.drives === 'system'
          ? '@($env:SystemDrive.Substring(0, 1))'
          : `@(${driveList(step.drives.from, step.drives.to)
              .map((l) => `'${l}'`)
              .join(', ')})`;
      out.push('$RsFound = 0');
      out.push(`foreach ($letter in ${letters}) {`);
      out.push(`  $dir = $letter + ':' + ${q(step.dir, 'folder')}`);
      out.push('  if (-not (Test-Path -LiteralPath $dir -PathType Container)) { continue }');
      // -Filter follows Win32 wildcard rules (8.3 names); -like on the long name is exact.
      out.push(
        `  foreach ($file in @(Get-ChildItem -LiteralPath $dir -File -Force | Where-Object { $_.Name -like ${q(step.pattern, 'pattern')} })) {`,
      );
      out.push(
        "    Write-RsLog ('deleting {0} size {1} modified {2:o}' -f $file.FullName, $file.Length, $file.LastWriteTimeUtc)",
      );
      out.push('    Remove-Item -LiteralPath $file.FullName -Force');
      out.push('    $RsFound++');
      out.push('  }');
      out.push('}');
      out.push(`if ($RsFound -eq 0) { Write-RsLog ${q(`nothing to delete: no ${step.pattern} found`, 'text')} }`);
      return out;
    }
    case 'safeboot-enter':
    case 'safeboot-clear':
    case 'reboot':
      throw new RenderError(`${step.op} is only rendered for cmd routes`);
    case 'run': {
      const targets = step.perDevice ? ctx.devices : [undefined];
      const okCodes = step.okExitCodes ?? [0];
      for (const d of targets) {
        const label = commentText('powershell', d ? `${step.label} (${d.hostname})` : step.label);
        out.push(comment('powershell', `Step ${n}: ${label}`));
        out.push('$global:LASTEXITCODE = 0');
        out.push(`& ${step.argv.map((t, i) => arg(ctx, t, d, i === 0)).join(' ')}`);
        out.push('$rc = $LASTEXITCODE');
        out.push(`Write-RsLog (${q(`${label}: exit code `, 'label')} + $rc)`);
        out.push(`if (@(${okCodes.join(', ')}) -notcontains $rc) { throw (${q(`failed: ${label}`, 'label')}) }`);
      }
      return out;
    }
    case 'capture':
      throw new RenderError('capture steps need a bash route');
  }
}

export function renderPowerShell(ctx: RenderContext): string {
  const lines: string[] = [];
  for (const h of headerLines(ctx)) lines.push(comment('powershell', h));
  for (const d of describe(ctx.route.description)) lines.push(comment('powershell', d));
  const touchesDisk = ctx.route.steps.some((s) => s.op === 'delete-files' || s.op === 'unlock-bitlocker');
  if (touchesDisk) lines.push('#Requires -RunAsAdministrator');
  lines.push('Set-StrictMode -Version 3.0');
  lines.push("$ErrorActionPreference = 'Stop'");
  lines.push(`$RsLog = Join-Path ($env:SystemDrive + '\\') ${q(ctx.logName, 'log name')}`);
  lines.push('function Write-RsLog([string]$Message) {');
  lines.push("  $line = '{0:o} {1}' -f [DateTime]::UtcNow, $Message");
  lines.push('  Add-Content -LiteralPath $RsLog -Value $line');
  lines.push('  Write-Host $line');
  lines.push('}');
  lines.push(`$RsDevices = @(${ctx.devices.map((d) => q(d.hostname, 'hostname')).join(', ')})`);
  lines.push(
    `Write-RsLog (${q(`==== ${ctx.playbook.id} v${ctx.playbook.version} ${ctx.route.id} generated ${ctx.generatedAt} on `, 'text')} + $env:COMPUTERNAME)`,
  );
  if (touchesDisk)
    lines.push(
      "if ($RsDevices -notcontains $env:COMPUTERNAME) { Write-RsLog ('note: ' + $env:COMPUTERNAME + ' is not in the target list (expected in WinPE)') }",
    );
  ctx.route.steps.forEach((s, i) => {
    lines.push('');
    lines.push(...stepLines(ctx, s, i + 1));
  });
  lines.push('');
  lines.push("Write-RsLog '==== finished'");
  return lines.join('\r\n') + '\r\n';
}
