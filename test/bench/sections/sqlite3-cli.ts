// Bench section: the same CSVs through the sqlite3 CLI (.mode csv + .import into a fresh file DB), and the ratio to sql.js.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { timed, type BenchSection } from '../types.js';

const TABLES: Record<string, string> = {
  'falcon-hosts.csv': 'falcon',
  'intune-devices.csv': 'intune',
  'bitlocker-keys.csv': 'keys',
  'rollout-events.csv': 'events',
};

/** `0m1.234s` (bash `times`) -> ms. */
function bashTime(t: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(t.trim());
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : NaN;
}

function sqlite3Version(): string | null {
  const r = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split(' ')[0]! : null;
}

const section: BenchSection = {
  name: 'sqlite3',
  order: 30,
  skip() {
    return sqlite3Version() ? null : 'the sqlite3 CLI is not installed (apt-get install sqlite3)';
  },
  async run(ctx) {
    const db = path.join(ctx.dir, 'sqlite3-cli.db');
    rmSync(db, { force: true });
    let total = 0;
    let totalCpu = 0;
    for (const f of ctx.files) {
      const table = TABLES[f.file] ?? f.file.replace(/\W/g, '_');
      const script = path.join(ctx.dir, `sqlite3-${table}.sql`);
      writeFileSync(script, `.mode csv\n.import '${f.path}' ${table}\n`);
      // One process per file on the same database, so each file has its own time; bash's `times` then gives the
      // CPU time of the sqlite3 child, which a shared machine's load does not inflate.
      const { ms, value: r } = await timed(() =>
        spawnSync('bash', ['-c', 'sqlite3 "$0" < "$1"; status=$?; times; exit $status', db, script], {
          encoding: 'utf8',
        }),
      );
      if (r.status !== 0 || r.stderr)
        ctx.note(`sqlite3: ${f.file}: ${(r.stderr || `exit ${r.status}`).trim().slice(0, 300)}`);
      const children = r.stdout.trim().split('\n').pop()?.split(/\s+/) ?? [];
      const cpu = bashTime(children[0] ?? '') + bashTime(children[1] ?? '');
      total += ms;
      totalCpu += cpu;
      ctx.metric('sqlite3', `${f.file} time`, ms, 'ms', `CPU ${Math.round(cpu)} ms`);
      ctx.metric('sqlite3', `${f.file} cpu`, cpu, 'ms', 'CPU time of the sqlite3 process');
      const ours = ctx.get('import', `${f.file} time`);
      if (ours !== undefined) ctx.metric('sqlite3', `${f.file} ratio sql.js / sqlite3`, ours / ms, '×', 'wall');
      const oursCpu = ctx.get('import', `${f.file} cpu`);
      if (oursCpu !== undefined && cpu > 0)
        ctx.metric('sqlite3', `${f.file} CPU ratio sql.js / sqlite3`, oursCpu / cpu, '×', 'CPU time');
    }
    ctx.metric(
      'sqlite3',
      'end to end time',
      total,
      'ms',
      `sqlite3 ${sqlite3Version()}, CPU ${Math.round(totalCpu)} ms`,
    );
    ctx.metric('sqlite3', 'end to end cpu', totalCpu, 'ms', 'CPU time of the sqlite3 processes');
    const ours = ctx.get('import', 'end to end time');
    if (ours !== undefined)
      ctx.metric('sqlite3', 'end to end ratio sql.js / sqlite3', ours / total, '×', 'wall; budget 2.5× (issue 14)');
    const oursCpu = ctx.get('import', 'end to end cpu');
    if (oursCpu !== undefined && totalCpu > 0)
      ctx.metric(
        'sqlite3',
        'end to end CPU ratio sql.js / sqlite3',
        oursCpu / totalCpu,
        '×',
        'CPU time; budget 3× (issue 14)',
      );
    rmSync(db, { force: true });
  },
};
export default section;
