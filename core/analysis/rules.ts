// The state rules in words, with the workspace's configured window and versions, as the UI and the report show them.
import type { DeviceState } from '../contract/analysis.js';
import type { Workspace } from '../workspace.js';
import { PLATFORM_LABEL, readConfig, type AnalysisConfig } from './config.js';

export interface StateRule {
  state: DeviceState;
  label: string;
  rule: string;
}

export interface StateRules {
  config: AnalysisConfig;
  exposure: string;
  dataTime: string;
  rules: StateRule[];
  classes: Array<{ name: string; rule: string }>;
}

export const STATE_LABEL: Record<DeviceState, string> = {
  not_exposed: 'Not exposed',
  exposed_healthy: 'Exposed, healthy',
  crashed: 'Crashed / boot loop',
  self_recovered: 'Self-recovered',
  needs_fix: 'Needs hands-on fix',
  fix_in_progress: 'Fix in progress',
  fixed: 'Fixed',
  needs_reimage: 'Needs reimage',
  unknown: 'Unknown',
};

const utc = (t: number) => `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function stateRules(ws: Workspace): StateRules {
  const c = readConfig(ws);
  const plat = PLATFORM_LABEL[c.platform] ?? c.platform;
  const h = Math.round((c.selfRecoveryMs / 3600_000) * 10) / 10;
  const window = c.windowSet
    ? `${utc(c.windowStart)} – ${utc(c.windowEnd).slice(11)}`
    : 'the exposure window (not set yet: every device is unknown until one is chosen or derived)';
  return {
    config: c,
    exposure: `Exposed: ${plat}, sensor ≥ ${c.minVersion}, and online during ${window} — shown by an "installed ${c.badVersion}" event in the window, or, for a device with no rollout data, first seen before the window ends and last seen after it starts.`,
    dataTime:
      'States are computed as of the latest event in the workspace (data time, not the wall clock), so the same data always gives the same states. Stale records of reimaged machines are linked to the current record and never counted.',
    rules: [
      {
        state: 'unknown',
        label: STATE_LABEL.unknown,
        rule: 'No platform or sensor version on file (and no rollout evidence), or no way to tell whether it was online in the window.',
      },
      {
        state: 'not_exposed',
        label: STATE_LABEL.not_exposed,
        rule: `Another platform than ${plat}, a sensor below ${c.minVersion}, rollout data without ${c.badVersion} in the window, or offline for the whole window.`,
      },
      {
        state: 'exposed_healthy',
        label: STATE_LABEL.exposed_healthy,
        rule: 'Exposed, and no crash, fix or field result on file.',
      },
      {
        state: 'crashed',
        label: STATE_LABEL.crashed,
        rule: `Exposed and crashed, no recovery or fix yet, and its last crash or reboot is within ${h} h of data time: it may still come back by itself. A crash is a bugcheck (event 1001, or 41 with a BugcheckCode), a crash event, a boot loop (${c.burstCount} or more unclean restarts, event 41 without a stop code or 6008, within ${Math.round(c.burstMs / 60_000)} min, the first inside the window), or, suspected only, a device last seen inside the window and not since.`,
      },
      {
        state: 'self_recovered',
        label: STATE_LABEL.self_recovered,
        rule: 'Crashed, then a "recovered" event, or seen online by any source after its last crash or restart (Falcon Last Seen, Intune Last check-in, Entra approximateLastSignInDateTime, Defender lastSeen, an update report with its own time); no hands-on fix.',
      },
      {
        state: 'needs_fix',
        label: STATE_LABEL.needs_fix,
        rule: `Crashed, not recovered, not fixed, and more than ${h} h since the last crash or reboot of its loop (or a failed hands-on fix): a technician must go.`,
      },
      {
        state: 'fix_in_progress',
        label: STATE_LABEL.fix_in_progress,
        rule: 'The latest field result is "in_progress".',
      },
      {
        state: 'fixed',
        label: STATE_LABEL.fixed,
        rule: 'Fixed by hand: a "fixed" event, or a latest field result "fixed".',
      },
      {
        state: 'needs_reimage',
        label: STATE_LABEL.needs_reimage,
        rule: 'A "failed … needs reimage" event, or a latest field result "needs_reimage".',
      },
    ],
    classes: [
      { name: 'exposed', rule: 'exposed_healthy plus every affected state.' },
      {
        name: 'affected',
        rule: 'Crashed at some point: crashed, self_recovered, needs_fix, fix_in_progress, fixed, needs_reimage.',
      },
      { name: 'recovered', rule: 'self_recovered.' },
      { name: 'fixed', rule: 'fixed (by hand).' },
      { name: 'remaining', rule: 'affected − recovered − fixed: crashed, needs_fix, fix_in_progress, needs_reimage.' },
      {
        name: 'confirmed / suspected',
        rule: 'Each state names the fact that decided it. Suspected: exposed only because it was online in the window (no content receipt on file), or crashed only because it stopped reporting in the window. Confirmed: everything else.',
      },
    ],
  };
}
