// The analysis playbook settings (exposure window, susceptible version and platform), read from workspace meta keys.
import { meta, setMeta, type Workspace } from '../workspace.js';
import { chooseWindow, readWindow } from './exposure-window.js';

export interface AnalysisConfig {
  /**
   * Epoch ms: the bad content was live from windowStart to windowEnd (inclusive). With no window (windowSet false)
   * both are 0, which no fact matches: nothing is exposed by time until a window is chosen or derived.
   */
  windowStart: number;
  windowEnd: number;
  windowSet: boolean;
  /** Lowest susceptible agent version, "major.minor" (e.g. "7.11"). */
  minVersion: string;
  /** The affected platform as stored in devices.platform (lower case). */
  platform: string;
  /** The content version whose receipt in the window is the exposure evidence. */
  badVersion: string;
  /** How long after its last crash or reboot a device may still come back by itself. */
  selfRecoveryMs: number;
  /** Boot-loop rule: this many unclean restarts (41 without a stop code, 6008)… */
  burstCount: number;
  /** …within this long, the first inside the exposure window, on an exposed machine, count as a crash. */
  burstMs: number;
}

/**
 * The channel-file-291 playbook defaults (CrowdStrike, 19 July 2024). Its window is what CrowdStrike published; a
 * workspace never takes it by default (its window is chosen or derived from its own facts).
 */
export const DEFAULT_CONFIG: AnalysisConfig = {
  windowStart: Date.UTC(2024, 6, 19, 4, 9),
  windowEnd: Date.UTC(2024, 6, 19, 5, 27),
  windowSet: true,
  minVersion: '7.11',
  platform: 'windows',
  badVersion: '291-bad',
  selfRecoveryMs: 2 * 3600_000,
  burstCount: 3,
  burstMs: 3600_000,
};

const KEYS = {
  minVersion: 'analysis.min_version',
  platform: 'analysis.platform',
  badVersion: 'analysis.bad_version',
  selfRecoveryMs: 'analysis.self_recovery_ms',
  burstCount: 'analysis.burst_count',
  burstMs: 'analysis.burst_ms',
} as const;

export function readConfig(ws: Workspace): AnalysisConfig {
  const d = DEFAULT_CONFIG;
  const minVersion = meta(ws, KEYS.minVersion) ?? d.minVersion;
  const recovery = Number(meta(ws, KEYS.selfRecoveryMs));
  const burstCount = Number(meta(ws, KEYS.burstCount));
  const burstMs = Number(meta(ws, KEYS.burstMs));
  const w = readWindow(ws);
  return {
    windowStart: w.start ?? 0,
    windowEnd: w.end ?? 0,
    // readWindow gives both ends or neither (origin 'none').
    windowSet: w.origin !== 'none',
    minVersion: /^\d+(\.\d+)?$/.test(minVersion) ? minVersion : d.minVersion,
    platform: (meta(ws, KEYS.platform) ?? d.platform).toLowerCase(),
    badVersion: meta(ws, KEYS.badVersion) ?? d.badVersion,
    selfRecoveryMs: Number.isFinite(recovery) && recovery > 0 ? recovery : d.selfRecoveryMs,
    burstCount: Number.isInteger(burstCount) && burstCount >= 2 ? burstCount : d.burstCount,
    burstMs: Number.isFinite(burstMs) && burstMs > 0 ? burstMs : d.burstMs,
  };
}

/**
 * Stores the settings that are given; the caller runs recompute() afterwards. The window is chosen only when the
 * patch gives it (both ends), so changing a version never turns a derived window into a chosen one.
 */
export function writeConfig(ws: Workspace, patch: Partial<AnalysisConfig>): AnalysisConfig {
  const next = { ...readConfig(ws), ...patch };
  if (!/^\d+(\.\d+)?$/.test(next.minVersion)) throw new Error(`minVersion "${next.minVersion}" is not major.minor`);
  if (patch.windowStart !== undefined || patch.windowEnd !== undefined) {
    if (!next.windowSet && (patch.windowStart === undefined || patch.windowEnd === undefined))
      throw new Error('choose both ends of the exposure window');
    chooseWindow(ws, next.windowStart, next.windowEnd);
    next.windowSet = true;
  }
  setMeta(ws, KEYS.minVersion, next.minVersion);
  setMeta(ws, KEYS.platform, next.platform.toLowerCase());
  setMeta(ws, KEYS.badVersion, next.badVersion);
  setMeta(ws, KEYS.selfRecoveryMs, String(next.selfRecoveryMs));
  if (!(Number.isInteger(next.burstCount) && next.burstCount >= 2)) throw new Error('burstCount must be 2 or more');
  setMeta(ws, KEYS.burstCount, String(next.burstCount));
  setMeta(ws, KEYS.burstMs, String(next.burstMs));
  return next;
}

export function versionParts(v: string): [number, number] {
  const [maj, min] = v.split('.');
  return [Number(maj ?? 0), Number(min ?? 0)];
}

export const PLATFORM_LABEL: Record<string, string> = { windows: 'Windows', mac: 'macOS', linux: 'Linux' };
