// The evidence model: turns events and field results into typed facts (set-based), and reads one device's evidence chain.
import * as detailTable from '../store/device-detail.js';
import * as factTable from '../store/facts.js';
import type { Workspace } from '../workspace.js';

/** What each fact class means, in words for the drawer and the README. */
export const FACT_CLASS: Record<string, string> = {
  ring: 'ring membership',
  version: 'exposure: sensor or OS version',
  seen: 'seen online (check-in)',
  content: 'exposure: content receipt',
  update: 'update status as of the export (not a check-in)',
  crash: 'crash',
  restart: 'restart',
  outcome: 'outcome',
  result: 'field result',
};

/**
 * Facts for every event and field result not yet turned into facts (a high-water mark per table); see store/facts.ts.
 * Runs at the start of each recompute, so imports, workspaces from before the facts table and rows written directly
 * by other code all end up as facts the same way.
 */
export function syncFacts(
  ws: Workspace,
  timings?: Record<string, number>,
  noted?: factTable.EventsNoted | null,
): number {
  return factTable.sync(ws.db, timings, noted);
}

export interface EvidenceFact {
  id: number;
  class: string;
  classLabel: string;
  type: string;
  value: string | null;
  ts: number | null;
  asOf: boolean;
  source: string;
  file: string | null;
  importId: number | null;
  line: number | null;
  derived: boolean;
  /** This fact decided the device's state. */
  deciding: boolean;
}

export interface EvidenceChain {
  deviceId: number;
  state: string;
  certainty: string;
  /** The rule that turned the facts into the state, in words. */
  rule: string;
  facts: EvidenceFact[];
  /** Facts not listed (the chain shows the first 500 by time). */
  more: number;
}

const CHAIN_LIMIT = 500;

/** One device's facts in time order, with their source file and line, and which one decided its state. */
export function evidenceChain(ws: Workspace, deviceId: number): EvidenceChain | null {
  const d = detailTable.decision(ws.db, deviceId);
  if (!d) return null;
  const rows = factTable.chain(ws.db, deviceId, CHAIN_LIMIT);
  const total = factTable.countFor(ws.db, deviceId);
  return {
    deviceId,
    state: d.state,
    certainty: d.certainty,
    rule: d.rule,
    more: Math.max(0, total - rows.length),
    facts: rows.map((r) => ({
      id: r.id,
      class: r.class,
      classLabel: FACT_CLASS[r.class] ?? r.class,
      type: r.type,
      value: r.value,
      ts: r.ts,
      asOf: r.as_of !== 0,
      source: r.source,
      file: r.file,
      importId: r.import_id,
      line: r.line,
      derived: r.derived !== 0,
      deciding: r.id === d.decided,
    })),
  };
}
