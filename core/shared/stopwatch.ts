// Step timings for the bench (ImportOptions.timings, RecomputeOptions.timings): milliseconds per named step.

export interface Stopwatch {
  /** Ends the step begun at the previous lap (or at the start) and records it under `prefix + step`. */
  lap(step: string): void;
  /** Begins the next step now: the time since the previous lap was counted by someone else (a nested stopwatch). */
  skip(): void;
}

/**
 * A stopwatch writing into `timings`, or only keeping time when there is none. A step timed more than once (an
 * index built again by each file of a batch) adds up.
 */
export function stopwatch(timings: Record<string, number> | undefined, prefix = ''): Stopwatch {
  let last = performance.now();
  return {
    lap(step) {
      const t = performance.now();
      if (timings) {
        const key = prefix + step;
        timings[key] = (timings[key] ?? 0) + Math.round(t - last);
      }
      last = t;
    },
    skip() {
      last = performance.now();
    },
  };
}
