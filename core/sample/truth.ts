// The sample's ground truth: what every import and summary of its files must come back with.
import { DEVICE_STATES, type DeviceState } from '../contract/analysis.js';
import { isoSeconds, keyRowsFor } from './files.js';
import {
  population,
  RINGS,
  SITES,
  WINDOW_END,
  WINDOW_START,
  type Fate,
  type PopulationOptions,
  type SampleDevice,
} from './model.js';

export interface TruthCounts {
  devices: number;
  exposed: number;
  affected: number;
  recovered: number;
  fixed: number;
  remaining: number;
  exposedHealthy: number;
  needsReimage: number;
}

export interface GroundTruth {
  seed: number;
  devices: number;
  /** Rows of falcon-hosts.csv: one per real machine plus the stale records of reimaged ones. */
  records: number;
  staleDuplicates: number;
  window: { start: string; end: string };
  /** The latest event time: states are computed as of this instant. */
  dataTime: string;
  byRing: Array<TruthCounts & { ring: string }>;
  bySite: Array<TruthCounts & { site: string }>;
  keys: {
    total: number;
    valid: number;
    invalid: number;
    /** Real machines with at least one key row (valid or not) in the key export. */
    devicesWithKey: number;
    devicesWithValidKey: number;
    /** Key rows whose machine is not in the fleet. */
    unmatched: number;
  };
  states: Record<DeviceState, number>;
  platforms: Record<string, number>;
  events: number;
  /** Data rows (header excluded) per export file. */
  files: Record<string, number>;
}

const LOOP_GRACE_MS = 2 * 3_600_000;

const zero = (): TruthCounts => ({
  devices: 0,
  exposed: 0,
  affected: 0,
  recovered: 0,
  fixed: 0,
  remaining: 0,
  exposedHealthy: 0,
  needsReimage: 0,
});

function stateOf(fate: Fate): DeviceState | null {
  switch (fate) {
    case 'other_platform':
    case 'new':
    case 'offline':
    case 'not_susceptible':
      return 'not_exposed';
    case 'healthy':
      return 'exposed_healthy';
    case 'self_recovered':
      return 'self_recovered';
    case 'fixed':
      return 'fixed';
    case 'needs_reimage':
      return 'needs_reimage';
    case 'unfixed':
      return null; // crashed or needs_fix: depends on the data time, decided at the end
  }
}

/** One pass over the population (and its key rows) that counts what the files hold. */
export function computeGroundTruth(opts: PopulationOptions, onDevice?: (d: SampleDevice) => void): GroundTruth {
  const byRing = new Map<string, TruthCounts>(RINGS.map((r) => [r, zero()]));
  const bySite = new Map<string, TruthCounts>(SITES.map((s) => [s.code, zero()]));
  const states = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<DeviceState, number>;
  const platforms: Record<string, number> = {};
  const keys = { total: 0, valid: 0, invalid: 0, devicesWithKey: 0, devicesWithValidKey: 0, unmatched: 0 };
  const pending: Array<{ ring: string; site: string; lastLoop: number }> = [];
  let stale = 0;
  let events = 0;
  let intune = 0;
  let latest = 0;

  for (const d of population(opts)) {
    onDevice?.(d);
    if (d.stale) stale++;
    if (d.intune) intune++;
    events += d.events.length;
    for (const e of d.events) if (e.ts > latest) latest = e.ts;
    platforms[d.platform] = (platforms[d.platform] ?? 0) + 1;

    let hasKey = false;
    let hasValid = false;
    for (const k of keyRowsFor(d, opts.seed)) {
      keys.total++;
      if (k.valid) keys.valid++;
      else keys.invalid++;
      if (!k.matched) keys.unmatched++;
      else {
        hasKey = true;
        hasValid ||= k.valid;
      }
    }
    if (hasKey) keys.devicesWithKey++;
    if (hasValid) keys.devicesWithValidKey++;

    const fate = d.fate;
    const exposed = fate === 'healthy' || fate === 'self_recovered' || fate === 'fixed' || fate === 'needs_reimage' || fate === 'unfixed'; // prettier-ignore
    const affected = exposed && fate !== 'healthy';
    for (const c of [byRing.get(d.ring)!, bySite.get(d.site)!]) {
      c.devices++;
      if (exposed) c.exposed++;
      if (affected) c.affected++;
      if (fate === 'self_recovered') c.recovered++;
      if (fate === 'fixed') c.fixed++;
      if (fate === 'needs_reimage' || fate === 'unfixed') c.remaining++;
      if (fate === 'healthy') c.exposedHealthy++;
      if (fate === 'needs_reimage') c.needsReimage++;
    }
    const st = stateOf(fate);
    if (st) states[st]++;
    else {
      let lastLoop = 0;
      for (const e of d.events) if (e.state === 'crashed' || e.state === 'rebooted') lastLoop = e.ts;
      pending.push({ ring: d.ring, site: d.site, lastLoop });
    }
  }
  // Still inside the window of possible self-recovery as of the data time, or waiting for a technician.
  for (const p of pending) states[latest - p.lastLoop > LOOP_GRACE_MS ? 'needs_fix' : 'crashed']++;

  return {
    seed: opts.seed,
    devices: opts.devices,
    records: opts.devices + stale,
    staleDuplicates: stale,
    window: { start: isoSeconds(WINDOW_START), end: isoSeconds(WINDOW_END) },
    dataTime: isoSeconds(latest),
    byRing: [...byRing].map(([ring, c]) => ({ ring, ...c })),
    bySite: [...bySite].map(([site, c]) => ({ site, ...c })),
    keys,
    states,
    platforms,
    events,
    files: {
      'falcon-hosts.csv': opts.devices + stale,
      'intune-devices.csv': intune,
      'bitlocker-keys.csv': keys.total,
      'rollout-events.csv': events,
    },
  };
}
