// Canonical dump of what an analysis produced (device rows and states, facts, summary tables, review list) for byte comparisons.
import { createHash } from 'node:crypto';
import { analysisHandlers as h } from '../../../../core/analysis/handlers.js';
import type { Workspace } from '../../../../core/workspace.js';

const sha = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

/** Every row of a query as arrays (column order fixed by the SQL), so the JSON is canonical. */
export function rows(ws: Workspace, sql: string): unknown[][] {
  const st = ws.db.prepare(sql);
  const out: unknown[][] = [];
  try {
    while (st.step()) out.push(st.get());
  } finally {
    st.free();
  }
  return out;
}

const SUMMARY_TABLES = ['an_counts', 'an_crash', 'an_burn', 'an_ttr', 'an_critical', 'an_dev', 'an_suspected'];

export interface AnalysisDump {
  devices: number;
  /** sha256 of every device row (identity columns, merged values, state, rule, exposure, times) in id order. */
  deviceRows: string;
  /** sha256 of the states per device alone: hostname, state, rule, exposed, certainty, decided_by. */
  states: string;
  facts: number;
  /** sha256 of every fact in id order (the evidence the states were decided from). */
  factRows: string;
  sources: string;
  /** sha256 per summary table, rows sorted. */
  tables: Record<string, string>;
  summary: string;
  /** The review list in full: small, and the first thing to read when identity rules move. */
  review: unknown[][];
}

/**
 * The device columns the dump hashes: all but serial_key (migration 26), which is usableSerial(serial), an index for
 * identity lookups, not a result; the identity tests check it. The goldens were written before it existed.
 */
function deviceColumns(ws: Workspace): string {
  return rows(ws, 'SELECT name FROM pragma_table_info(?)'.replace('?', "'devices'"))
    .map((r) => r[0] as string)
    .filter((c) => c !== 'serial_key')
    .join(', ');
}

export function dumpAnalysis(ws: Workspace): AnalysisDump {
  const tables: Record<string, string> = {};
  for (const t of SUMMARY_TABLES)
    tables[t] = sha(
      rows(ws, `SELECT * FROM ${t}`)
        .map((r) => JSON.stringify(r))
        .sort(),
    );
  return {
    devices: ws.db.value<number>('SELECT COUNT(*) FROM devices') ?? 0,
    deviceRows: sha(rows(ws, `SELECT ${deviceColumns(ws)} FROM devices ORDER BY id`)),
    states: sha(
      rows(ws, 'SELECT hostname, state, state_rule, exposed, certainty, decided_by FROM devices ORDER BY id'),
    ),
    facts: ws.db.value<number>('SELECT COUNT(*) FROM facts') ?? 0,
    factRows: sha(rows(ws, 'SELECT * FROM facts ORDER BY id')),
    sources: sha(rows(ws, 'SELECT id, device_id, import_id, source, line, native_id FROM device_sources ORDER BY id')),
    tables,
    summary: sha(h.summary(ws)),
    review: rows(
      ws,
      `SELECT r.id, r.device_id, d.hostname, r.source_id, s.line, r.import_id, r.line, r.reason, r.status
       FROM identity_review r JOIN devices d ON d.id = r.device_id LEFT JOIN device_sources s ON s.id = r.source_id
       ORDER BY r.id`,
    ),
  };
}
