// Fallback fix steps, WinRE script and run sheet for field packs, plus model notes (boot key, storage driver).
// The remediation engine's generateScripts is not in core/remediation/handlers.ts yet; until it is, packs carry
// these steps for the channel-291 fix (Microsoft KB5042421 / CrowdStrike tech alert of 19 July 2024).
import type { PackDevice } from './format.js';

export const STEPS_SOURCE =
  'ringside field fallback steps (channel-file-291 manual fix); remediation playbooks not wired yet';

export function stepsFor(d: { platform: string | null; state: string }): string[] {
  if (d.platform && d.platform !== 'windows')
    return ['Not a Windows machine: not affected by channel file 291. Confirm it boots and mark the result.'];
  const steps = [
    'Boot into the Windows Recovery Environment: after two failed boots WinRE starts by itself, or hold Shift while choosing Restart. Choose Troubleshoot > Advanced options > Command Prompt.',
    'If BitLocker asks for the recovery key, choose "Enter recovery key" and reveal the key in Ringside (the key ID shown on screen must match). Note the key ID you used.',
    'At the prompt, if C: is still locked: manage-bde -unlock C: -RecoveryPassword <the 48-digit key>',
    'Delete the bad channel file only: del /f /q C:\\Windows\\System32\\drivers\\CrowdStrike\\C-00000291*.sys',
    'Check that no other files were removed: dir C:\\Windows\\System32\\drivers\\CrowdStrike\\C-00000291*',
    'Type exit and choose Continue to boot Windows normally; confirm the sign-in screen appears.',
  ];
  if (d.state === 'needs_reimage')
    steps.unshift('This device was reported as needing a reimage: confirm before repeating the manual fix.');
  return steps;
}

/** Hints by model family: which key opens the boot menu, and whether WinPE needs an Intel RST/VMD storage driver. */
const MODEL_NOTES: Array<[RegExp, string[]]> = [
  [
    /elitebook|elitedesk|probook|zbook|\bhp\b/i,
    ['Boot menu: Esc then F9; recovery: F11', 'Storage: Intel VMD on G8+, WinPE may need the IRST driver'],
  ],
  [
    /latitude|optiplex|precision|\bdell\b/i,
    ['Boot menu: F12', 'Storage: set SATA to AHCI only if told to; WinPE may need the IRST/VMD driver'],
  ],
  [
    /thinkpad|thinkcentre|lenovo/i,
    ['Boot menu: F12 (or Enter, then F12)', 'Storage: Intel VMD on newer models, WinPE may need the IRST driver'],
  ],
  [/surface/i, ['Boot from USB: hold Volume-down while pressing Power', 'Storage: NVMe, no extra driver']],
  [
    /vmware|virtual|hyper-v|kvm/i,
    [
      'Virtual machine: fix from the hypervisor console (attach the ISO or detach the disk)',
      'Storage: paravirtual controllers need their driver in WinPE',
    ],
  ],
];

export function modelNotes(model: string | null): string[] {
  if (!model) return ['Model unknown: check the boot-menu key on the label or the maker site'];
  for (const [re, notes] of MODEL_NOTES) if (re.test(model)) return notes;
  return [`${model}: no notes on file`];
}

export function fallbackScripts(): Record<string, string> {
  return {
    'fix-cs-291-winre.cmd': [
      '@echo off',
      'rem Ringside field pack: remove CrowdStrike channel file 291 from WinRE. Runs on the local machine only.',
      'rem Unlock the drive first if BitLocker asks: manage-bde -unlock C: -RecoveryPassword <key>',
      'setlocal',
      'set "TARGET=C:\\Windows\\System32\\drivers\\CrowdStrike"',
      'if not exist "%TARGET%\\" (echo CrowdStrike driver folder not found on C: & exit /b 2)',
      'dir /b "%TARGET%\\C-00000291*.sys"',
      'del /f /q "%TARGET%\\C-00000291*.sys"',
      'if exist "%TARGET%\\C-00000291*.sys" (echo Could not delete the channel file & exit /b 1)',
      'echo Channel file 291 removed. Type exit and choose Continue.',
      'exit /b 0',
      '',
    ].join('\r\n'),
  };
}

export function runSheet(site: string | null, devices: PackDevice[], created: number, expires: number): string {
  const lines = [
    `Ringside field pack run sheet${site ? ` for site ${site}` : ''}`,
    `Created ${new Date(created).toISOString()} - expires ${new Date(expires).toISOString()}`,
    `${devices.length} device(s). Recovery keys are in the pack only, shown one at a time on request.`,
    '',
    'Host | Serial | Model | Ring | State | Key IDs | Result',
  ];
  for (const d of devices)
    lines.push(
      [
        d.hostname,
        d.serial ?? '',
        d.model ?? '',
        d.ring ?? '',
        d.state,
        d.keys.map((k) => k.keyId).join(' '),
        '____',
      ].join(' | '),
    );
  return `${lines.join('\n')}\n`;
}
