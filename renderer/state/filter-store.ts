// The shared filter bar state: the overview and the device table narrow together on ring, site, platform and tag.
import { useSyncExternalStore } from 'react';
import type { DashFilter } from '../../core/analysis/filter.js';

let current: DashFilter = {};
const listeners = new Set<() => void>();

export function setDashFilter(next: DashFilter): void {
  current = Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as DashFilter;
  for (const l of listeners) l();
}

export function useDashFilter(): [DashFilter, (f: DashFilter) => void] {
  const f = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
  return [f, setDashFilter];
}
