// Dashboard and device-table filters: the state classes a state filter stands for, and the rollout order of rings.
import type { DeviceState } from '../contract/analysis.js';
import { AFFECTED_STATES, DEVICE_STATES, REMAINING_STATES } from '../contract/analysis.js';
import { NONE } from '../store/where.js';

// The filter shape and the missing-value label are the repositories' (store/where.ts); re-exported for the features.
export { NONE, type DashFilter } from '../store/where.js';

/** A state name or one of the summary classes. */
export type StateFilter = DeviceState | 'exposed' | 'affected' | 'remaining' | 'fixed' | 'recovered';
export const STATE_CLASSES = ['exposed', 'affected', 'remaining', 'fixed', 'recovered'] as const;

const EXPOSED: readonly DeviceState[] = ['exposed_healthy', ...AFFECTED_STATES];

/** The device states a state filter stands for; throws on an unknown name so a typo never lists nothing silently. */
export function statesOf(filter: string): readonly DeviceState[] {
  switch (filter) {
    case 'exposed':
      return EXPOSED;
    case 'affected':
      return AFFECTED_STATES;
    case 'remaining':
      return REMAINING_STATES;
    case 'recovered':
      return ['self_recovered'];
    default:
      if ((DEVICE_STATES as readonly string[]).includes(filter)) return [filter as DeviceState];
      throw new Error(
        `unknown state "${filter}": use one of ${[...DEVICE_STATES, ...STATE_CLASSES.filter((c) => c !== 'fixed')].join(', ')}`,
      );
  }
}

export const RING_ORDER = ['Test', 'First', 'Fast', 'Broad'];

/** Rings in rollout order (Test, First, Fast, Broad), others alphabetically, a missing ring last. */
export function ringSort(a: string, b: string): number {
  const ia = RING_ORDER.indexOf(a);
  const ib = RING_ORDER.indexOf(b);
  if (a === NONE || b === NONE) return a === NONE ? (b === NONE ? 0 : 1) : -1;
  if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  return a.localeCompare(b);
}
