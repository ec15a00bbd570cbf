// Dashboard and device-table filters, and the SQL conditions they turn into (always bound parameters, never spliced).
import type { DeviceState } from '../contract/analysis.js';
import { AFFECTED_STATES, DEVICE_STATES, REMAINING_STATES } from '../contract/analysis.js';

/** The filter bar: narrows every number and chart of the overview together. */
export interface DashFilter {
  ring?: string | null;
  site?: string | null;
  platform?: string | null;
  tag?: string | null;
}

/** A state name or one of the summary classes. */
export type StateFilter = DeviceState | 'exposed' | 'affected' | 'remaining' | 'fixed' | 'recovered';
export const STATE_CLASSES = ['exposed', 'affected', 'remaining', 'fixed', 'recovered'] as const;

export const NONE = '(none)';

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

export interface Where {
  sql: string;
  params: (string | number)[];
}

const blank = (v: string | null | undefined) => v === undefined || v === null || v === '';
const dim = (v: string) => (v === NONE ? '' : v);

/** The tag test on a comma-separated lower-case tag list, tolerant of spaces after commas. */
export const TAG_MATCH = (col: string) => `instr(',' || replace(${col}, ', ', ',') || ',', ',' || ? || ',') > 0`;

/** Conditions on a summary table (columns ring, site, platform, tags). */
export function cubeWhere(f: DashFilter | undefined, extra: string[] = []): Where {
  const parts = [...extra];
  const params: (string | number)[] = [];
  const add = (sql: string, v: string) => {
    parts.push(sql);
    params.push(v);
  };
  if (f && !blank(f.ring)) add('ring = ?', dim(f.ring!));
  if (f && !blank(f.site)) add('site = ?', dim(f.site!));
  if (f && !blank(f.platform)) add('platform = ?', dim(f.platform!));
  if (f && !blank(f.tag)) add(TAG_MATCH('tags'), f.tag!.trim().toLowerCase());
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function inList(states: readonly string[]): string {
  return `(${states.map((s) => `'${s.replace(/'/g, "''")}'`).join(',')})`;
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
