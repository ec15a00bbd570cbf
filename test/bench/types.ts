// The bench's section contract: each file in test/bench/sections/ default-exports a BenchSection, run in `order`.
import type { Workspace } from '../../core/workspace.js';
import type { GroundTruth } from '../../core/sample/index.js';

export interface GeneratedFile {
  file: string;
  path: string;
  bytes: number;
  /** Data rows (header excluded), from the generator's ground truth. */
  rows: number;
}

export interface BenchRow {
  section: string;
  metric: string;
  value: number;
  unit: string;
  detail?: string;
}

export interface BenchContext {
  /** '100k', '1m', '20k'… */
  label: string;
  devices: number;
  /** A temp folder for this size: the generated CSVs and any scratch files. */
  dir: string;
  files: GeneratedFile[];
  truth: GroundTruth;
  /** The workspace the import section filled (real sql.js, on Node); null until then or if it failed. */
  ws: Workspace | null;
  quick: boolean;
  /** Records one figure; later sections can read it back with get(). */
  metric(section: string, metric: string, value: number, unit: string, detail?: string): void;
  get(section: string, metric: string): number | undefined;
  /** A line in the printed report (a skip reason, a warning). */
  note(text: string): void;
  /** Peak resident memory of this process so far, MiB (process.resourceUsage().maxRSS). */
  peakRssMiB(): number;
  /**
   * Marks the end of what the product does (the import, then the streamed save): the run's headline peak RSS is read
   * here, before measurements of paths the product does not take at this size (db.export()). First call wins.
   */
  productPathsDone(): void;
}

/**
 * One measured part of the bench. To add one, drop a file in test/bench/sections/ that default-exports this;
 * the runner finds it by itself (no registry to edit). Use ctx.ws for the loaded workspace and ctx.files for the CSVs.
 */
export interface BenchSection {
  name: string;
  /** Import is 10, queries 20, the sqlite3 CLI 30, save 90; pick a gap. */
  order: number;
  /** Return a reason to skip this section for this run (missing handler, tool or data), or null to run it. */
  skip?(ctx: BenchContext): string | null;
  run(ctx: BenchContext): Promise<void>;
}

/** Wall time in ms on the one clock every section uses. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
