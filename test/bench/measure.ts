// Timing helpers of the stand-alone scale scripts (search-scale.ts, cubes-scale.ts): wall and CPU of one call, peak RSS.
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
