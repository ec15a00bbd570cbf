// Safe-deployment conformance per vendor/agent (being built).
import type { Workspace } from '../workspace.js';

export interface ConformanceReport {
  markdown: string;
}

export function conformance(_ws: Workspace): ConformanceReport {
  return { markdown: '' };
}
