// Bench section: the same CSVs through the sqlite3 CLI (.mode csv + .import into a fresh file DB), and the ratio to sql.js.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { timed, type BenchSection } from '../types.js';

const TABLES: Record<string, string> = {
  'falcon-hosts.csv': 'falcon',
  'intune-devices.csv': 'intune',
  'bitlocker-keys.csv': 'keys',
  'rollout-events.csv': 'events',
};

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
    for (const f of ctx.files) {
      const table = TABLES[f.file] ?? f.file.replace(/\W/g, '_');
      // One process per file on the same database, so each file has its own time; spawn cost is a few ms.
      const { ms, value: r } = await timed(() =>
        spawnSync('sqlite3', [db], { input: `.mode csv\n.import '${f.path}' ${table}\n`, encoding: 'utf8' }),
      );
      if (r.status !== 0 || r.stderr)
        ctx.note(`sqlite3: ${f.file}: ${(r.stderr || `exit ${r.status}`).trim().slice(0, 300)}`);
      total += ms;
      ctx.metric('sqlite3', `${f.file} time`, ms, 'ms');
      const ours = ctx.get('import', `${f.file} time`);
      if (ours !== undefined) ctx.metric('sqlite3', `${f.file} ratio sql.js / sqlite3`, ours / ms, '×');
    }
    ctx.metric('sqlite3', 'end to end time', total, 'ms', `sqlite3 ${sqlite3Version()}`);
    const ours = ctx.get('import', 'end to end time');
    if (ours !== undefined)
      ctx.metric('sqlite3', 'end to end ratio sql.js / sqlite3', ours / total, '×', 'budget: 1.5×');
    rmSync(db, { force: true });
  },
};
export default section;
