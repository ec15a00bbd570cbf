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
  /**
   * sha256 of every device row (identity columns, merged values, state, rule, exposure, times) in id order, with
   * decided_by as the deciding fact's content (FACT_CONTENT), not its id.
   */
  deviceRows: string;
  /** sha256 of the states per device alone: hostname, state, rule, exposed, certainty, the deciding fact's content. */
  states: string;
  facts: number;
  /** sha256 of every fact's content (FACT_CONTENT) in content order (the evidence the states were decided from). */
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
 * identity lookups, not a result; the identity tests check it. decided_by goes last, as a fact's content.
 */
function deviceColumns(ws: Workspace): string {
  return rows(ws, 'SELECT name FROM pragma_table_info(?)'.replace('?', "'devices'"))
    .map((r) => r[0] as string)
    .filter((c) => c !== 'serial_key' && c !== 'decided_by')
    .concat('decided_by')
    .join(', ');
}

/**
 * What a fact says and where it came from: every column but its id. A fact's id is storage detail (the order facts
 * happened to be written in, or an event's id when an event is read as a fact in place), so the dump names a fact by
 * its content: the same evidence stored another way hashes the same, and a different fact chosen still shows.
 */
const FACT_CONTENT = 'class, type, value, ts, as_of, import_id, line, source, device_id, event_id, result_id, derived';

/** Every fact's content by id, and the contents in content order. */
function factContents(ws: Workspace): { byId: Map<number, unknown[]>; sorted: unknown[][] } {
  const byId = new Map<number, unknown[]>();
  for (const [id, ...content] of rows(ws, `SELECT id, ${FACT_CONTENT} FROM facts`)) byId.set(id as number, content);
  const sorted = rows(ws, `SELECT ${FACT_CONTENT} FROM facts ORDER BY ${FACT_CONTENT}`);
  return { byId, sorted };
}

/** The rows of a device query whose last column is decided_by, with that id replaced by the fact's content. */
function withDecidingFact(ws: Workspace, sql: string, byId: Map<number, unknown[]>): unknown[][] {
  return rows(ws, sql).map((r) => {
    const id = r[r.length - 1];
    if (id === null) return r;
    const fact = byId.get(id as number);
    if (!fact) throw new Error(`decided_by ${String(id)} names no fact`);
    return [...r.slice(0, -1), fact];
  });
}

export function dumpAnalysis(ws: Workspace): AnalysisDump {
  const tables: Record<string, string> = {};
  for (const t of SUMMARY_TABLES)
    tables[t] = sha(
      rows(ws, `SELECT * FROM ${t}`)
        .map((r) => JSON.stringify(r))
        .sort(),
    );
  const facts = factContents(ws);
  return {
    devices: ws.db.value<number>('SELECT COUNT(*) FROM devices') ?? 0,
    deviceRows: sha(withDecidingFact(ws, `SELECT ${deviceColumns(ws)} FROM devices ORDER BY id`, facts.byId)),
    states: sha(
      withDecidingFact(
        ws,
        'SELECT hostname, state, state_rule, exposed, certainty, decided_by FROM devices ORDER BY id',
        facts.byId,
      ),
    ),
    facts: facts.sorted.length,
    factRows: sha(facts.sorted),
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
