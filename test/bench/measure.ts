// Timing helpers of the bench's scripts and sections (search-scale.ts, cubes-scale.ts, floor): wall and CPU of one call, peak RSS.
import { readFileSync } from 'node:fs';

/** Peak resident memory of this process so far, in MiB. */
export const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);

const cpuMs = (c: NodeJS.CpuUsage) => Math.round((c.user + c.system) / 1000);

/** Runs fn once: its wall time and the process's CPU time over it (ms), and its value. */
export function time<T>(fn: () => T): { ms: number; cpu: number; value: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, cpu: cpuMs(process.cpuUsage(c0)), value };
}

/** time() for an awaited call (the process's CPU over it counts any other thread's work meanwhile too). */
export async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; cpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, cpu: cpuMs(process.cpuUsage(c0)), value };
}

/**
 * CPU time (ms) of this process's main thread alone (the sql.js thread of an import), from Linux's per-thread
 * accounting (10 ms ticks); null elsewhere. process.cpuUsage counts every thread, the reading thread's too.
 */
export function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th, stime the 15th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}
