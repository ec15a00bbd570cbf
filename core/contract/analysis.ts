// Shared analysis types: the device states, and the per-ring / per-site counts every view, CLI and test agree on.
export const DEVICE_STATES = [
  'not_exposed',
  'exposed_healthy',
  'crashed',
  'self_recovered',
  'needs_fix',
  'fix_in_progress',
  'fixed',
  'needs_reimage',
  'unknown',
] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** States that count as affected: the device crashed at some point. */
export const AFFECTED_STATES: readonly DeviceState[] = [
  'crashed',
  'self_recovered',
  'needs_fix',
  'fix_in_progress',
  'fixed',
  'needs_reimage',
];
/** Affected and still down: remaining = affected - self_recovered - fixed. */
export const REMAINING_STATES: readonly DeviceState[] = ['crashed', 'needs_fix', 'fix_in_progress', 'needs_reimage'];

export interface Counts {
  devices: number;
  exposed: number;
  affected: number;
  /** Came back by themselves (reboots fetched the reverted content). */
  recovered: number;
  /** Fixed by hand. */
  fixed: number;
  remaining: number;
}

export interface KeyCounts {
  total: number;
  valid: number;
  invalid: number;
  devicesWithKey: number;
  /** Keys whose device is not in the fleet data. */
  unmatched: number;
}

export interface Summary {
  /** Real machines: stale records of reimaged machines are linked to the current one, not counted. */
  devices: number;
  byRing: Array<Counts & { ring: string }>;
  bySite: Array<Counts & { site: string }>;
  keys: KeyCounts;
  states: Record<DeviceState, number>;
}
