// Recomputes device states and summary tables after imports and results (being built by the analysis domain).
import type { Workspace } from '../workspace.js';

export function recompute(_ws: Workspace): void {
  // Filled in by the analysis domain: exposure, per-device state, rollup tables.
}
