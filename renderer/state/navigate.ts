// Cross-view navigation: a number or a bar on the Overview opens the Devices view listing exactly what it counts.
import type { DashFilter } from '../../core/analysis/filter.js';
import { setDashFilter } from './filter-store.js';

export interface DeviceListRequest {
  /** A state or a class (exposed, affected, recovered, fixed, remaining). */
  state?: string;
  certainty?: 'confirmed' | 'suspected';
}

export const ROUTE_EVENT = 'ringside:route';
let pending: DeviceListRequest | null = null;

/** Opens the Devices view with the shared filter bar set to `filter` and the state/certainty filter preset. */
export function showDevices(req: DeviceListRequest, filter?: DashFilter): void {
  pending = req;
  if (filter) setDashFilter(filter);
  window.dispatchEvent(new CustomEvent(ROUTE_EVENT, { detail: 'devices' }));
}

/** The Devices view takes the request once, when it mounts. */
export function takeDeviceRequest(): DeviceListRequest | null {
  const p = pending;
  pending = null;
  return p;
}
