// `npx tsx test/bench/keys-ab.ts <dir of the bench's files> [n]`: the keys file alone, n times, fresh workspaces; CPU per run.
// Prints "both threads/sql.js thread" ms per import; run it from two worktrees in turn to compare them on a busy machine.
import { importFiles } from '../../core/ingest/index.js';
import { openWorkspace } from '../../core/workspace.js';
import { fileInput } from '../../electron/cli/import.js';
import { diskReader } from '../../electron/node/read-thread.js';
import { loadSqlJs } from '../../electron/node/sqljs.js';
import { mainThreadCpuMs } from './measure.js';

const [dir, n = '3'] = process.argv.slice(2);
const SQL = await loadSqlJs();
const out: string[] = [];
type Mark = { cpu: number; main: number };
const mark = (): Mark => {
  const c = process.cpuUsage();
  return { cpu: (c.user + c.system) / 1000, main: mainThreadCpuMs() ?? 0 };
};
for (let r = 0; r < Number(n); r++) {
  const ws = await openWorkspace({
    SQL,
    backing: null,
    keyMaterial: new Uint8Array(32).fill(7),
    now: () => Date.UTC(2024, 6, 24),
    actor: 'bench',
  });
  const reader = diskReader();
  let k0: Mark | null = null;
  let k1: Mark | null = null;
  let phase = '';
  await importFiles(ws, [await fileInput(`${dir}/bitlocker-keys.csv`)], {
    reader: reader.read,
    onProgress: (p) => {
      if (p.phase === phase) return;
      phase = p.phase;
      // One file: its phases are "import" and its own; the batch's end (key counts, index rebuilds) is left out.
      const file = phase === 'import' || phase.startsWith('bitlocker-keys.csv');
      if (file && !k0) k0 = mark();
      if (k0 && !k1 && !file) k1 = mark();
    },
  }).finally(() => reader.close());
  const a = (k0 as Mark | null) ?? mark();
  const b = (k1 as Mark | null) ?? mark();
  out.push(`${Math.round(b.cpu - a.cpu)}/${b.main - a.main}`);
  ws.db.raw.close();
}
console.log(out.join(' '));
