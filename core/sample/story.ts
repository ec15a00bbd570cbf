// The sample incident's timeline (19–23 July 2024) and each device's story in it: content receipt, crash and boot
// loop, self-recovery or the technician's visit, as rollout events drawn from the device's own random stream.
import type { SampleDevice } from './model.js';
import type { Rng } from './random.js';

export const WINDOW_START = Date.UTC(2024, 6, 19, 4, 9, 0);
export const WINDOW_END = Date.UTC(2024, 6, 19, 5, 27, 0);
/** When the exports were taken: every event and Last Seen is at or before this. */
export const EXPORT_AT = Date.UTC(2024, 6, 23, 18, 0, 0);
export const INCIDENT_DAY = Date.UTC(2024, 6, 19);

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export function sec(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** How the device's day went; the ground-truth state follows from it. */
export type Fate =
  | 'other_platform' // Mac or Linux: channel file 291 is Windows only
  | 'new' // first seen after the window closed: only ever got the good content
  | 'offline' // Windows, off during the window: got the good content later
  | 'not_susceptible' // online in the window, but a sensor below 7.11
  | 'healthy' // exposed, never crashed
  | 'self_recovered' // crashed, looped, came back by itself once the reverted content arrived
  | 'fixed' // crashed, fixed by hand
  | 'needs_reimage' // crashed, the hands-on fix failed
  | 'unfixed'; // crashed, nobody has got to it yet

export const AFFECTED_FATES: readonly Fate[] = ['self_recovered', 'fixed', 'needs_reimage', 'unfixed'];

export type RolloutState =
  | 'offered'
  | 'installed'
  | 'crashed'
  | 'rebooted'
  | 'recovered'
  | 'fixed'
  | 'failed'
  | 'paused'
  | 'rolled_back'
  | 'online';

export interface SampleEvent {
  ts: number;
  state: RolloutState;
  source: 'falcon' | 'manual';
  pkg: string;
  from: string;
  to: string;
  code: string;
  detail: string;
}

const CF = 'channel-file-291';

// Module-level helpers rather than closures: this runs a million times for the bench.
function add(
  ev: SampleEvent[],
  ts: number,
  state: RolloutState,
  source: SampleEvent['source'] = 'falcon',
  pkg = '',
  code = '',
  detail = '',
  from = '',
  to = '',
): void {
  ev.push({ ts: sec(ts), state, source, pkg, from, to, code, detail });
}
function installed(ev: SampleEvent[], ts: number, good: boolean): void {
  add(ev, ts, 'installed', 'falcon', CF, '', '', good ? '291-bad' : '291-prior', good ? '291-good' : '291-bad');
}
function crashed(ev: SampleEvent[], ts: number): void {
  add(ev, ts, 'crashed', 'falcon', '', '0x50', 'BugCheck 0x50');
}
function rebooted(ev: SampleEvent[], ts: number): void {
  add(ev, ts, 'rebooted', 'falcon', '', '', 'unexpected restart');
}

/** The device's 19–23 July: content receipt, crash and boot loop, recovery or the technician's visit. */
export function tellStory(dev: SampleDevice, rng: Rng, isNew: boolean): void {
  const ev = dev.events;
  let down = false;

  if (dev.platform !== 'Windows') dev.fate = 'other_platform';
  else if (isNew) {
    dev.fate = 'new';
    installed(ev, dev.firstSeen + 2 * MIN, true);
  } else {
    const onlineP = dev.kind === 'server' || dev.kind === 'dc' ? 0.95 : dev.kind === 'kiosk' ? 0.9 : 0.68;
    if (!rng.chance(onlineP)) {
      dev.fate = 'offline';
      installed(ev, WINDOW_END + 30 * MIN + rng.int(3 * DAY), true);
    } else {
      const received = WINDOW_START + rng.int(WINDOW_END - WINDOW_START);
      installed(ev, received, false);
      if (!dev.susceptible) dev.fate = 'not_susceptible';
      else if (rng.chance(0.04)) dev.fate = 'healthy';
      else {
        const crash = received + (20 + rng.int(280)) * 1000;
        crashed(ev, crash);
        const x = rng.next();
        if (x < 0.4) {
          // Enough reboots eventually fetched the reverted content: loops until some time after 05:27.
          dev.fate = 'self_recovered';
          const k = Math.min(15, 1 + Math.floor(-Math.log(1 - rng.next()) * 1.5));
          const recoverAt = WINDOW_END + 3 * MIN + rng.int(4 * HOUR);
          const step = (recoverAt - crash) / k;
          for (let j = 1; j <= k; j++) {
            const boot = crash + (j - 0.5) * step;
            rebooted(ev, boot);
            if (j < k) crashed(ev, boot + Math.min(90_000, step * 0.3));
            else installed(ev, boot + step * 0.2, true);
          }
          add(ev, recoverAt, 'recovered', 'falcon', '', '', `self-recovered after ${k} reboot${k > 1 ? 's' : ''}`);
        } else {
          // Windows gives up after a few loops and sits at the recovery screen until someone comes.
          let t = crash;
          for (let j = 0, m = rng.range(1, 3); j < m; j++) {
            t += (60 + rng.int(120)) * 1000;
            rebooted(ev, t);
            t += (40 + rng.int(50)) * 1000;
            crashed(ev, t);
          }
          const fixAt = fixTime(rng);
          if (x < 0.415) {
            dev.fate = 'needs_reimage';
            add(ev, fixAt, 'failed', 'manual', '', '0x50', 'needs reimage');
            down = true;
          } else if (x < 0.445) {
            dev.fate = 'unfixed';
            down = true;
          } else {
            dev.fate = 'fixed';
            add(ev, fixAt, 'fixed', 'manual', CF, '', 'deleted C-00000291*.sys from WinRE');
          }
        }
      }
    }
  }

  const last = ev.length ? ev[ev.length - 1]!.ts : dev.firstSeen;
  if (down) {
    // A looping machine last checked in from its loop; the technician's note is not a sensor check-in.
    for (const e of ev) if (e.source === 'falcon') dev.lastSeen = e.ts;
  } else {
    // Still checking in at export time, most within the last shift; some laptops not for days (within the log's two weeks).
    const from = Math.max(last, EXPORT_AT - 14 * DAY);
    let seen = rng.chance(0.85) ? EXPORT_AT - rng.int(8 * HOUR) : from + rng.int(EXPORT_AT - from);
    if (seen <= last) seen = last + (5 + rng.int(55)) * MIN;
    if (seen > EXPORT_AT) seen = EXPORT_AT;
    dev.lastSeen = sec(seen);
    add(ev, dev.lastSeen, 'online');
  }
}

/** A technician's visit: spread over 19–23 July, most in the first two days. */
function fixTime(rng: Rng): number {
  const day = rng.weighted([
    [0, 32],
    [1, 27],
    [2, 16],
    [3, 15],
    [4, 10],
  ] as const);
  if (day === 0) return INCIDENT_DAY + 7 * HOUR + rng.int(17 * HOUR - MIN);
  if (day === 4) return INCIDENT_DAY + 4 * DAY + rng.int(17 * HOUR);
  return INCIDENT_DAY + day * DAY + rng.int(DAY);
}
