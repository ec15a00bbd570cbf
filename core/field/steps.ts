// Fallback fix steps, WinRE script and run sheet for field packs, plus model notes (boot key, storage driver).
// The remediation engine's generateScripts is not in core/remediation/handlers.ts yet; until it is, packs carry
// these steps for the channel-291 fix (Microsoft KB5042421 / CrowdStrike tech alert of 19 July 2024).
import type { PackDevice } from './format.js';

export const STEPS_SOURCE =
  'ringside field fallback steps (channel-file-291 manual fix); remediation playbooks not wired yet';

/** One piece of a step: words to read, a command to type, a recovery key, or a path. */
export type StepPart =
  | { kind: 'prose'; text: string }
  /** `keyId`: the recovery password with this key ID completes the command (shown only once revealed). */
  | { kind: 'command'; text: string; keyId?: string }
  | { kind: 'key'; keyId: string }
  | { kind: 'path'; text: string };

export interface FieldStep {
  parts: StepPart[];
}

/** The procedures a pack carries for every Windows device; which one a device shows depends on the Method field and its key. */
export const PROCEDURES = ['winre-key', 'winre-safe-mode', 'safe-mode', 'reimage'] as const;
export type ProcedureId = (typeof PROCEDURES)[number];

export interface Procedure {
  id: ProcedureId;
  title: string;
  /** Where the commands are typed: each procedure uses only commands that exist there. */
  environment: string;
  steps: FieldStep[];
}

/** Why a device has no usable recovery key, as the pack flow lists it before saving. */
export type NoKeyReason = 'none-imported' | 'invalid-checksum' | 'key-id-mismatch';
export interface KeyStatus {
  valid: boolean;
  reason?: NoKeyReason;
  /** Never quotes a key's digits. */
  detail?: string;
}

export const CS_DIR = 'C:\\Windows\\System32\\drivers\\CrowdStrike';
export const CS_FILES = `${CS_DIR}\\C-00000291*.sys`;

const prose = (text: string): StepPart => ({ kind: 'prose', text });
const cmd = (text: string, keyId?: string): StepPart => ({ kind: 'command', text, ...(keyId ? { keyId } : {}) });
const step = (...parts: StepPart[]): FieldStep => ({ parts });
const WINRE =
  'Boot into WinRE: after two failed boots it starts by itself, or hold Shift while choosing Restart. On the BitLocker screen choose Skip this drive, then Troubleshoot > Advanced options >';

export function procedures(keyIds: string[]): Procedure[] {
  const keyId = keyIds[0];
  const deleteStep = step(prose('Delete the bad channel file only (nothing wider):'), cmd(`del ${CS_FILES}`));
  const checkStep = step(
    prose('Check that none is left in'),
    { kind: 'path', text: CS_DIR },
    prose('(expect File Not Found):'),
    cmd(`dir ${CS_FILES}`),
  );
  return [
    {
      id: 'winre-key',
      title: 'WinRE command prompt with the recovery key',
      environment: 'WinRE command prompt',
      steps: [
        step(prose(`${WINRE} Command Prompt.`)),
        step(
          prose(
            keyId
              ? `Reveal the key in Ringside; its key ID must match the one on the BitLocker screen (${keyId.toUpperCase()}${keyIds.length > 1 ? ' or another listed ID' : ''}).`
              : 'This device has no valid recovery key in the pack: use the Safe Mode procedure instead.',
          ),
        ),
        step(prose('Unlock the Windows drive (usually C:):'), cmd('manage-bde -unlock C: -RecoveryPassword', keyId)),
        step(prose('Check that it says Lock Status: Unlocked:'), cmd('manage-bde -status C:')),
        deleteStep,
        checkStep,
        step(prose('Restart and confirm the sign-in screen appears:'), cmd('wpeutil reboot')),
      ],
    },
    {
      id: 'winre-safe-mode',
      title: 'WinRE without the key, then Safe Mode',
      environment: 'WinRE command prompt, then Safe Mode',
      steps: [
        step(prose(`${WINRE} Command Prompt.`)),
        step(
          prose('Force Safe Mode (no key needed: the boot store is outside the BitLocker volume):'),
          cmd('bcdedit /set {default} safeboot minimal'),
        ),
        step(prose('Restart into Safe Mode:'), cmd('wpeutil reboot')),
        step(prose('Log in with a local administrator account (LAPS) and open Command Prompt as administrator.')),
        deleteStep,
        checkStep,
        step(prose('Remove the Safe Mode flag. Never skip this:'), cmd('bcdedit /deletevalue {default} safeboot')),
        step(prose('Restart normally and confirm the sign-in screen appears:'), cmd('shutdown /r /t 0')),
      ],
    },
    {
      id: 'safe-mode',
      title: 'Safe Mode from Startup Settings (no key, no command in WinRE)',
      environment: 'Safe Mode',
      steps: [
        step(prose(`${WINRE} Startup Settings > Restart, then press 4 (Enable Safe Mode).`)),
        step(prose('Log in with a local administrator account (LAPS) and open Command Prompt as administrator.')),
        deleteStep,
        checkStep,
        step(prose('Restart normally (Startup Settings chose Safe Mode for one boot only):'), cmd('shutdown /r /t 0')),
        step(prose('If Startup Settings is not offered, use WinRE without the key, then Safe Mode (Method: WinRE).')),
      ],
    },
    {
      id: 'reimage',
      title: 'Reimage',
      environment: 'Imaging USB or network boot',
      steps: [
        step(
          prose('Confirm with the incident lead that this device is to be reimaged: local data not backed up is lost.'),
        ),
        step(prose('Boot from the site imaging USB or the network (boot menu key: see Model notes) and reimage.')),
        step(
          prose('After the first sign-in, check that Falcon is online and the device is enrolled, then record fixed.'),
        ),
      ],
    },
  ];
}

/** The procedure shown for a device: by the Method field first, then by what the pack knows about its key. */
export function procedureFor(d: { keyStatus?: KeyStatus; route?: ProcedureId }, method: string): ProcedureId {
  const hasKey = d.keyStatus ? d.keyStatus.valid : true;
  if (/reimage/i.test(method)) return 'reimage';
  if (/safe mode/i.test(method)) return 'safe-mode';
  if (/winre|winpe/i.test(method)) return hasKey ? 'winre-key' : 'winre-safe-mode';
  return d.route ?? (hasKey ? 'winre-key' : 'winre-safe-mode');
}

/** The Method a device starts with, from the path chosen for it when the pack was made. */
export function defaultMethod(route: ProcedureId | undefined): string {
  if (route === 'reimage') return 'Reimage';
  if (route === 'safe-mode') return 'Safe mode';
  return 'WinRE command prompt';
}

/** A step as one line of plain text (old packs and the plain-text run sheet). */
export function stepText(s: FieldStep): string {
  return s.parts
    .map((p) =>
      p.kind === 'key'
        ? `<recovery key ${p.keyId.toUpperCase()}>`
        : p.kind === 'command' && p.keyId
          ? `${p.text} <key>`
          : p.text,
    )
    .join(' ');
}

export function stepsFor(
  d: { platform: string | null; state: string },
  route: ProcedureId = 'winre-key',
  keyIds: string[] = [],
): string[] {
  if (d.platform && d.platform !== 'windows')
    return ['Not a Windows machine: not affected by channel file 291. Confirm it boots and mark the result.'];
  const steps = procedures(keyIds)
    .find((p) => p.id === route)!
    .steps.map(stepText);
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
      'rem Runs in: WinRE / WinPE command prompt (no shutdown.exe there: restart with wpeutil reboot).',
      'rem Unlock the drive first if BitLocker asks: manage-bde -unlock C: -RecoveryPassword <key>',
      'setlocal',
      'set "TARGET=C:\\Windows\\System32\\drivers\\CrowdStrike"',
      'if not exist "C:\\Windows\\System32\\" (echo LOCKED or not the Windows drive: C:\\Windows\\System32 is not readable. Nothing checked. & exit /b 2)',
      'if not exist "%TARGET%\\" (echo C: is readable but has no CrowdStrike driver folder: nothing to delete. & exit /b 0)',
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
    'Host | Serial | Model | Ring | State | Key IDs | Path | Result',
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
        d.keyStatus && !d.keyStatus.valid
          ? `${d.route ?? 'safe-mode'} (no valid key: ${d.keyStatus.detail ?? ''})`
          : (d.route ?? 'winre-key'),
        '____',
      ].join(' | '),
    );
  // Every procedure once, commands on lines of their own so a printout never breaks one.
  const procs = devices.find((d) => d.procedures)?.procedures;
  if (procs) {
    lines.push('', 'Procedures (the Path column says which one each device starts with)');
    for (const p of procs) {
      lines.push('', `${p.id}: ${p.title} - runs in ${p.environment}`);
      p.steps.forEach((s, i) => {
        const prose = s.parts
          .filter((x) => x.kind !== 'command')
          .map((x) => (x.kind === 'key' ? '(reveal the key in Ringside)' : x.text));
        lines.push(`  ${i + 1}. ${prose.join(' ')}`);
        for (const c of s.parts)
          if (c.kind === 'command')
            lines.push(`        ${c.text}${c.keyId ? ' <recovery key, key ID on the device card>' : ''}`);
      });
    }
  }
  return `${lines.join('\n')}\n`;
}
