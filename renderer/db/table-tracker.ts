// Which tables each worker call read and which tables writes changed, learnt from SQLite's own plan of every statement.
import type { BindParams, Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';
import { ROOT_PAGES_SQL } from '../../core/store/schema.js';
import { ALL_TABLES } from './table-versions.js';

/** The tables one statement reads and writes in the main database; '*' stands for "unknown, assume all". */
export interface StatementTables {
  reads: readonly string[];
  writes: readonly string[];
  /** The statement changes the main schema: every root page may move, so caches are dropped after it. */
  schema: boolean;
}

export interface TableTracker {
  /** Runs fn and returns its value with the main tables its statements read ('*' when one was unknown). */
  record<T>(fn: () => Promise<T>): Promise<{ value: T; reads: string[] }>;
  /** The main tables changed since the last call ('*' when the schema changed or a statement was unknown). */
  takeWrites(): string[];
}

// VDBE opcodes and the operand that names the database (0 main, 1 temp); see sqlite.org/opcode.html.
const SCHEMA_OPS: Record<string, 'p1' | 'p3'> = {
  CreateBtree: 'p1',
  ParseSchema: 'p1',
  DropTable: 'p1',
  DropIndex: 'p1',
  DropTrigger: 'p1',
  Destroy: 'p3',
};
const OPFLAG_P2ISREG = 0x10;
const MAIN = 0;
const SCHEMA_ROOT = 1;
const CACHE_LIMIT = 4000;

/**
 * Classifies statements with EXPLAIN (which also lists trigger and foreign-key subprograms, and expands views), so
 * the answer cannot drift from the SQL the way a hand-kept list of tables per verb would. Temp tables are per-call
 * scratch and count as neither reads nor writes. Results are cached by SQL text.
 */
export function statementClassifier(raw: Database, prepare: (sql: string) => Statement) {
  let roots: Map<number, string> | undefined;
  const cache = new Map<string, StatementTables>();

  function rootNames(): Map<number, string> {
    if (!roots) {
      roots = new Map([[SCHEMA_ROOT, 'sqlite_master']]);
      const stmt = prepare(ROOT_PAGES_SQL);
      try {
        while (stmt.step()) {
          const [root, table] = stmt.get() as [number, string];
          roots.set(root, table);
        }
      } finally {
        stmt.free();
      }
    }
    return roots;
  }

  function explain(sql: string): StatementTables {
    const reads = new Set<string>();
    const writes = new Set<string>();
    let schema = false;
    const names = rootNames();
    const name = (root: SqlValue) => names.get(Number(root)) ?? ALL_TABLES;
    const stmt = prepare(`EXPLAIN ${sql}`);
    try {
      while (stmt.step()) {
        const op = stmt.getAsObject() as { opcode: string; p1: number; p2: number; p3: number; p5: number };
        if (op.opcode === 'OpenRead' || op.opcode === 'ReopenIdx') {
          if (op.p3 === MAIN) reads.add(name(op.p2));
        } else if (op.opcode === 'OpenWrite') {
          if (op.p3 !== MAIN) continue;
          if (op.p5 & OPFLAG_P2ISREG || op.p2 === SCHEMA_ROOT) schema = true;
          else writes.add(name(op.p2));
        } else if (op.opcode === 'Clear') {
          if (op.p2 === MAIN) writes.add(name(op.p1));
        } else if (op.opcode in SCHEMA_OPS) {
          if (op[SCHEMA_OPS[op.opcode]!] === MAIN) schema = true;
        }
      }
    } finally {
      stmt.free();
    }
    if (schema) writes.add(ALL_TABLES);
    return { reads: [...reads], writes: [...writes], schema };
  }

  function single(sql: string): StatementTables {
    let hit = cache.get(sql);
    if (!hit) {
      try {
        hit = explain(sql);
      } catch {
        // A statement SQLite cannot plan on its own (it needs an earlier one in the same text): assume the worst.
        hit = { reads: [ALL_TABLES], writes: [ALL_TABLES], schema: false };
      }
      if (cache.size >= CACHE_LIMIT) cache.clear();
      if (!hit.schema) cache.set(sql, hit);
    }
    if (hit.schema) {
      roots = undefined;
      cache.clear();
    }
    return hit;
  }

  /** Every statement in the text (BEGIN; …; ROLLBACK TO x; RELEASE x), split by SQLite's own tokenizer. */
  return function classify(sql: string): StatementTables[] {
    if (!sql.includes(';')) return [single(sql)];
    const out: StatementTables[] = [];
    try {
      for (const stmt of raw.iterateStatements(sql)) {
        const text = stmt.getSQL();
        stmt.free();
        out.push(single(text));
      }
    } catch {
      // A later statement needs an earlier one to have run (a migration's CREATE TABLE then CREATE INDEX): unknown.
      roots = undefined;
      cache.clear();
      out.push({ reads: [ALL_TABLES], writes: [ALL_TABLES], schema: true });
    }
    return out;
  };
}

const installed = new WeakMap<SqlJsStatic, TableTracker>();

/**
 * Instruments sql.js itself (its Database and Statement prototypes), before any workspace opens, so statements the
 * core prepares once and keeps (the audit chain's) are seen at every execution, not only when prepared. One tracker
 * per sql.js module: the worker holds one workspace at a time.
 */
export function installTableTracking(SQL: SqlJsStatic): TableTracker {
  const done = installed.get(SQL);
  if (done) return done;
  const dbProto = SQL.Database.prototype;
  const probe = new SQL.Database();
  const stmtProto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Statement;
  probe.close();
  const { prepare, run, exec } = dbProto;
  const { step, bind, reset } = stmtProto;
  const classifiers = new WeakMap<Database, (sql: string) => StatementTables[]>();
  const statements = new WeakMap<Statement, { tables: StatementTables[]; noted: boolean }>();
  const active = new Set<Set<string>>();
  let pending = new Set<string>();

  function classify(db: Database, sql: string): StatementTables[] {
    let fn = classifiers.get(db);
    if (!fn) {
      fn = statementClassifier(db, (text) => prepare.call(db, text));
      classifiers.set(db, fn);
    }
    return fn(sql);
  }
  function note(tables: StatementTables[]): void {
    for (const t of tables) {
      for (const w of t.writes) pending.add(w);
      for (const set of active) for (const r of t.reads) set.add(r);
    }
  }

  dbProto.prepare = function (this: Database, sql: string, params?: BindParams) {
    const stmt = prepare.call(this, sql, params);
    statements.set(stmt, { tables: classify(this, sql), noted: false });
    return stmt;
  };
  dbProto.run = function (this: Database, sql: string, params?: BindParams) {
    note(classify(this, sql));
    return run.call(this, sql, params);
  };
  dbProto.exec = function (this: Database, sql: string, params?: BindParams) {
    note(classify(this, sql));
    return exec.call(this, sql, params);
  };
  // A kept statement counts once per execution: at its first step after a bind or reset (run() does all three).
  stmtProto.step = function (this: Statement) {
    const s = statements.get(this);
    if (s && !s.noted) {
      s.noted = true;
      note(s.tables);
    }
    return step.call(this);
  };
  stmtProto.bind = function (this: Statement, values?: BindParams) {
    const s = statements.get(this);
    if (s) s.noted = false;
    return bind.call(this, values);
  };
  stmtProto.reset = function (this: Statement) {
    const s = statements.get(this);
    if (s) s.noted = false;
    return reset.call(this);
  };

  const tracker: TableTracker = {
    async record<T>(fn: () => Promise<T>) {
      // Calls may interleave at awaits; a statement counts for every call open at the time, which can only add tables.
      const reads = new Set<string>();
      active.add(reads);
      try {
        const value = await fn();
        return { value, reads: [...reads] };
      } finally {
        active.delete(reads);
      }
    },
    takeWrites() {
      const out = [...pending];
      pending = new Set();
      return out;
    },
  };
  installed.set(SQL, tracker);
  return tracker;
}
