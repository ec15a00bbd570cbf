// The evidence model: turns events and field results into typed facts (set-based), and reads one device's evidence chain.
import { meta, setMeta, type Workspace } from '../workspace.js';

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

/** OS update reports: an install there says the device was online, nothing about whether the bad content arrived. */
const OS_UPDATE_SOURCES = "('autopatch', 'wufb', 'configmgr')";
const UNCLEAN = "(detail LIKE 'unclean restart%' OR detail LIKE 'unexpected shutdown%')";

/**
 * Facts for every event and field result not yet turned into facts (a high-water mark per table), in two
 * INSERT … SELECT statements. Runs at the start of each recompute, so imports, workspaces from before the facts
 * table and rows written directly by other code all end up as facts the same way.
 */
export function syncFacts(ws: Workspace): number {
  const db = ws.db;
  const evHwm = Number(meta(ws, 'facts.event_hwm') ?? 0);
  const resHwm = Number(meta(ws, 'facts.result_hwm') ?? 0);
  const before = db.value<number>('SELECT COALESCE(MAX(id), 0) FROM facts') ?? 0;
  // Events without a device yet (a rollout file before the fleet export) get theirs when the orphans are linked.
  db.run(`UPDATE facts SET device_id = (SELECT e.device_id FROM events e WHERE e.id = facts.event_id)
    WHERE device_id IS NULL AND event_id IS NOT NULL`);
  const maxEv = db.value<number>('SELECT COALESCE(MAX(id), 0) FROM events') ?? 0;
  if (maxEv > evHwm) {
    const newMax = db.value<number>('SELECT MAX(ts) FROM events WHERE id > ?', [evHwm]) ?? 0;
    const oldMax = Number(meta(ws, 'facts.events_max_ts') ?? 0) || 0;
    if (newMax > oldMax) setMeta(ws, 'facts.events_max_ts', String(newMax));
    db.run(
      `INSERT INTO facts(device_id, class, type, value, ts, as_of, import_id, line, source, event_id)
      SELECT device_id, c, t, v, ts, as_of, import_id, line, source, id FROM (
        SELECT id, device_id, ts, as_of, import_id, line, source,
          CASE
            WHEN kind IN ('received', 'installed') AND source IN ${OS_UPDATE_SOURCES} THEN CASE WHEN as_of THEN 'update' ELSE 'seen' END
            WHEN kind IN ('received', 'installed') THEN 'content'
            WHEN kind = 'crashed' THEN 'crash'
            WHEN kind = 'rebooted' THEN 'restart'
            WHEN kind IN ('recovered', 'fixed') THEN 'outcome'
            WHEN kind = 'failed' AND lower(COALESCE(detail, '')) LIKE '%reimage%' THEN 'outcome'
            WHEN kind = 'online' THEN 'seen'
          END AS c,
          CASE
            WHEN kind IN ('received', 'installed') AND source IN ${OS_UPDATE_SOURCES} THEN 'update_status'
            WHEN kind IN ('received', 'installed') THEN kind
            WHEN kind = 'crashed' THEN CASE WHEN detail LIKE 'BugCheck 0x%' THEN 'bugcheck' ELSE 'crash' END
            WHEN kind = 'rebooted' THEN CASE WHEN ${UNCLEAN} THEN 'unclean' ELSE 'reboot' END
            WHEN kind = 'failed' THEN 'reimage'
            ELSE kind
          END AS t,
          CASE WHEN kind IN ('received', 'installed') THEN version ELSE detail END AS v
        FROM events WHERE id > $hwm
      ) WHERE c IS NOT NULL`,
      { $hwm: evHwm },
    );
    // Ring membership from update-ring reports (Autopatch ring, ConfigMgr collection).
    db.run(
      `INSERT INTO facts(device_id, class, type, value, ts, as_of, import_id, line, source, event_id)
      SELECT device_id, 'ring', CASE source WHEN 'autopatch' THEN 'autopatch ring' ELSE source || ' collection' END,
        ring, ts, as_of, import_id, line, source, id
      FROM events WHERE id > $hwm AND ring IS NOT NULL AND ring <> '' AND source IN ('autopatch', 'configmgr')`,
      { $hwm: evHwm },
    );
    setMeta(ws, 'facts.event_hwm', String(maxEv));
  }
  const maxRes = db.value<number>('SELECT COALESCE(MAX(id), 0) FROM results') ?? 0;
  if (maxRes > resHwm) {
    db.run(
      `INSERT INTO facts(device_id, class, type, value, ts, source, result_id)
      SELECT device_id, 'result', result, trim(COALESCE(method, '') || ' ' || COALESCE(technician, '')), at,
        'field result (' || origin || ')', id
      FROM results WHERE id > $hwm`,
      { $hwm: resHwm },
    );
    setMeta(ws, 'facts.result_hwm', String(maxRes));
  }
  return (db.value<number>('SELECT COALESCE(MAX(id), 0) FROM facts') ?? 0) - before;
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
  const d = ws.db.get<{ state: string; certainty: string; rule: string; decided: number | null }>(
    'SELECT state, certainty, state_rule AS rule, decided_by AS decided FROM devices WHERE id = ?',
    [deviceId],
  );
  if (!d) return null;
  const rows = ws.db.all<{
    id: number;
    class: string;
    type: string;
    value: string | null;
    ts: number | null;
    as_of: number;
    source: string;
    file: string | null;
    import_id: number | null;
    line: number | null;
    derived: number;
  }>(
    `SELECT f.id, f.class, f.type, f.value, f.ts, f.as_of, f.source, i.file_name AS file, f.import_id, f.line, f.derived
     FROM facts f LEFT JOIN imports i ON i.id = f.import_id WHERE f.device_id = ?
     ORDER BY COALESCE(f.ts, 0), f.id LIMIT ${CHAIN_LIMIT}`,
    [deviceId],
  );
  const total = ws.db.value<number>('SELECT COUNT(*) FROM facts WHERE device_id = ?', [deviceId]) ?? 0;
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
