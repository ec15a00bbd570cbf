// Bench section: the floor under the import's ratios: the files as plain tables in sql.js, and the rows Ringside keeps written by SQL alone.
import { createReadStream } from 'node:fs';
import type { Database } from 'sql.js';
import { readCsv } from '../../../core/ingest/readers/csv.js';
import { Db } from '../../../core/store/db.js';
import { RowInserts } from '../../../core/store/row-inserts.js';
import { workDir } from '../../../electron/node/host-file.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { time, timeAsync } from '../measure.js';
import { type BenchContext, type BenchSection } from '../types.js';

/** The bench's CSVs are UTF-8: read in 1 MiB chunks, as the import's reader gets them. */
async function* chunks(file: string): AsyncGenerator<string> {
  for await (const c of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) yield c as string;
}

/**
 * The CLI's `.import` in sql.js: the header's columns as a table of text with no index, each record inserted in one
 * transaction, on a working file on disk as the import's own database is. Ringside's reader parses (`parse` alone is
 * also timed) and 64-row statements insert, its fastest way; nothing is normalised, matched or kept but the cells.
 */
async function plainImport(SQL: Awaited<ReturnType<typeof loadSqlJs>>, file: string, insert: boolean): Promise<void> {
  const db = insert ? Db.open(SQL, null, workDir().newDatabase()) : null;
  let rows: RowInserts | null = null;
  let width = 0;
  try {
    db?.run('BEGIN');
    await readCsv(chunks(file), {
      header(h) {
        width = h.names.length;
        if (!db) return true;
        db.run(`CREATE TABLE plain(${h.names.map((_n, i) => `c${i} TEXT`).join(', ')})`);
        rows = new RowInserts(db, 'INSERT INTO plain', `(${h.names.map(() => '?').join(',')})`, width);
        return true;
      },
      rows(rs, _ls, count) {
        if (!rows) return;
        for (let i = 0; i < count; i++) {
          const r = rs[i]!;
          // A short row's missing cells are empty, as the CLI fills them.
          if (r.length < width) rows.add([...r, ...new Array<string>(width - r.length).fill('')]);
          else rows.add(r);
        }
      },
    });
    (rows as RowInserts | null)?.flush();
    db?.run('COMMIT');
  } finally {
    (rows as RowInserts | null)?.free();
    db?.close();
  }
}

/** The tables an import writes rows into (migrations' schema): copied, their indexes built after, as a bulk load does. */
const KEPT = ['devices', 'device_sources', 'stored_facts', 'events', 'keys', 'key_chunks', 'raw_chunks'];

/**
 * The rows the import kept, written again by SQLite alone into empty twins of their tables (same columns, foreign
 * keys and indexes, the indexes built after the rows as a bulk load's are): what writing this data model costs in
 * sql.js with no JavaScript per row. The twins are dropped after.
 */
function rowsFloor(ctx: BenchContext, db: Database): { ms: number; cpu: number } {
  const parts: string[] = [];
  let ms = 0;
  let cpu = 0;
  const schema = (type: string, table: string) =>
    (
      db.exec(`SELECT sql FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL`, [type, table])[0]
        ?.values ?? []
    ).map((r) => String(r[0]));
  db.run('PRAGMA foreign_keys = ON');
  for (const table of KEPT) {
    const [create] = schema('table', table);
    if (!create) continue;
    const twin = `floor_${table}`;
    // The table's name is the first quoted or bare name after CREATE TABLE; references to other tables stay theirs.
    db.run(create.replace(/^CREATE TABLE (IF NOT EXISTS )?("?)\w+\2/, `CREATE TABLE ${twin}`));
    const indexes = schema('index', table).map((s) =>
      s.replace(/ ON ("?)\w+\1\s*\(/, ` ON ${twin}(`).replace(/INDEX (IF NOT EXISTS )?(\w+)/, 'INDEX $1floor_$2'),
    );
    const t = time(() => {
      db.run('BEGIN');
      db.run(`INSERT INTO ${twin} SELECT * FROM ${table} ORDER BY rowid`);
      for (const ix of indexes) db.run(ix);
      db.run('COMMIT');
    });
    ms += t.ms;
    cpu += t.cpu;
    const n = Number(db.exec(`SELECT COUNT(*) FROM ${twin}`)[0]?.values[0]?.[0] ?? 0);
    parts.push(`${table} ${n.toLocaleString('en-US')} rows ${Math.round(t.cpu)} ms`);
    db.run(`DROP TABLE ${twin}`);
  }
  ctx.note(`floor: rows copied by SQL: ${parts.join(', ')}`);
  return { ms, cpu };
}

const section: BenchSection = {
  name: 'floor',
  order: 92,
  skip: (ctx) => (ctx.files.length ? null : 'no files'),
  async run(ctx) {
    // Not a path the product takes: the headline peak memory is read before it (first call wins).
    ctx.productPathsDone();
    const SQL = await loadSqlJs();
    let plainCpu = 0;
    let plainMs = 0;
    for (const f of ctx.files) {
      // A first parse warms the reader's code up, so neither figure carries the compiler's first pass.
      await plainImport(SQL, f.path, false);
      const parse = await timeAsync(() => plainImport(SQL, f.path, false));
      const whole = await timeAsync(() => plainImport(SQL, f.path, true));
      plainCpu += whole.cpu;
      plainMs += whole.ms;
      const cli = ctx.get('sqlite3', `${f.file} cpu`);
      ctx.metric(
        'floor',
        `${f.file} plain sql.js import cpu`,
        whole.cpu,
        'ms',
        `wall ${Math.round(whole.ms)} ms, of which the parse ${Math.round(parse.cpu)} ms CPU` +
          (cli ? `; ${(whole.cpu / cli).toFixed(2)}× the sqlite3 CLI's CPU` : ''),
      );
    }
    const cli = ctx.get('sqlite3', 'end to end cpu');
    ctx.metric(
      'floor',
      'plain sql.js import, all files, cpu',
      plainCpu,
      'ms',
      `wall ${Math.round(plainMs)} ms` + (cli ? `; ${(plainCpu / cli).toFixed(2)}× the sqlite3 CLI's CPU` : ''),
    );
    if (!ctx.ws) {
      ctx.note('floor: no imported workspace, so the rows floor is not measured');
      return;
    }
    const rows = rowsFloor(ctx, ctx.ws.db.raw);
    ctx.metric(
      'floor',
      'rows Ringside keeps, written by SQL alone, cpu',
      rows.cpu,
      'ms',
      `wall ${Math.round(rows.ms)} ms` + (cli ? `; ${(rows.cpu / cli).toFixed(2)}× the sqlite3 CLI's CPU` : ''),
    );
  },
};
export default section;
