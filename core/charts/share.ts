// Share-of-ring rows for the per-ring/per-site state bars: each state as a % of the category's devices, counts kept.
import { DEVICE_STATES, type DeviceState } from '../contract/analysis.js';

export interface ShareRow {
  name: string;
  /** Devices in the category (the denominator). */
  devices: number;
  counts: Record<DeviceState, number>;
  /** counts[state] / devices * 100; 0 for an empty category (never NaN, so an empty ring draws nothing). */
  share: Record<DeviceState, number>;
}

export function shareRows(rows: Array<{ name: string; states: Record<DeviceState, number> }>): ShareRow[] {
  return rows.map((r) => {
    const devices = DEVICE_STATES.reduce((s, k) => s + (r.states[k] ?? 0), 0);
    const share = Object.fromEntries(
      DEVICE_STATES.map((k) => [k, devices ? ((r.states[k] ?? 0) / devices) * 100 : 0]),
    ) as Record<DeviceState, number>;
    return { name: r.name, devices, counts: { ...r.states }, share };
  });
}
