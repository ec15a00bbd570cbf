// Shared display helpers: full UTC times, counted nouns, and the debug flag that shows developer timings.

/** "2024-07-19 04:09:12": the whole UTC time, never cut to the day or the minute. */
export function utcFull(t: number | null | undefined): string {
  return typeof t === 'number' && Number.isFinite(t) ? new Date(t).toISOString().slice(0, 19).replace('T', ' ') : '';
}

/** "1 device", "2 devices", "1,234 devices"; give the plural when adding "s" is wrong ("1 policy", "2 policies"). */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * Developer timings ("refreshed in 12 ms") are for people measuring Ringside, not for the war room: shown only with
 * ?debug in the address or localStorage "ringside.debug" set to "1".
 */
export function debugTimings(): boolean {
  try {
    return new URLSearchParams(location.search).has('debug') || localStorage.getItem('ringside.debug') === '1';
  } catch {
    return false;
  }
}
