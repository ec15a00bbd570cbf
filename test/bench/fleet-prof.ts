// `npx tsx test/bench/fleet-prof.ts <dir of the bench's 100k files> [falcon|intune|both]`: the device files' CPU per thread.
// Under `node --cpu-prof --import tsx` it also writes each file's time window (monotonic µs, the profiles' clock) to
// /tmp/fleet-window.json, so a .cpuprofile's samples can be cut to one file.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { importFiles } from '../../core/ingest/index.js';
import { openWorkspace } from '../../core/workspace.js';
import { fileInput } from '../../electron/cli/import.js';
import { backTempFiles, workDir } from '../../electron/node/host-file.js';
import { diskReader } from '../../electron/node/read-thread.js';
import { useNodeChunkDeflate } from '../../electron/node/chunk-deflate.js';
import { loadSqlJs } from '../../electron/node/sqljs.js';

/** CPU ms of each of this process's threads (Linux), by "tid:name". */
function threads(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of readdirSync('/proc/self/task')) {
    let st: string;
    try {
      st = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    out[`${t}:${st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'))}`] = (Number(f[11]) + Number(f[12])) * 10;
  }
  return out;
}

const dir = process.argv[2]!;
const which = process.argv[3] ?? 'both';
const names = which === 'falcon' ? ['falcon-hosts.csv'] : ['falcon-hosts.csv', 'intune-devices.csv'];
const SQL = await loadSqlJs();
// Raw rows compressed as the CLI compresses them.
useNodeChunkDeflate();
backTempFiles(SQL, workDir());
const ws = await openWorkspace({
  SQL,
  backing: workDir().newDatabase(),
  keyMaterial: new Uint8Array(32).fill(7),
  now: () => Date.UTC(2024, 6, 24),
  actor: 'bench',
});
const inputs = await Promise.all(names.map((f) => fileInput(`${dir}/${f}`)));
const reader = diskReader();
type Mark = { t: bigint; cpu: number; threads: Record<string, number> };
const mark = (): Mark => {
  const c = process.cpuUsage();
  return { t: process.hrtime.bigint(), cpu: (c.user + c.system) / 1000, threads: threads() };
};
const marks: Array<[string, Mark]> = [];
let phase = '';
await importFiles(ws, inputs, {
  reader: reader.read,
  onProgress: (p) => {
    if (p.phase === phase) return;
    phase = p.phase;
    const file = names.find((n) => phase.startsWith(n)) ?? 'end';
    if (!marks.length || marks[marks.length - 1]![0] !== file) marks.push([file, mark()]);
  },
}).finally(() => reader.close());
marks.push(['done', mark()]);
const windows: Record<string, { from: number; to: number }> = {};
for (let i = 0; i + 1 < marks.length; i++) {
  const [file, a] = marks[i]!;
  const b = marks[i + 1]![1];
  if (file === 'end') continue;
  const main = Object.keys(b.threads).find((k) => k.startsWith(`${process.pid}:`))!;
  console.log(
    `${file}: CPU ${Math.round(b.cpu - a.cpu)} ms, sql.js thread ${b.threads[main]! - (a.threads[main] ?? 0)} ms, wall ${Math.round(Number(b.t - a.t) / 1e6)} ms`,
  );
  // The other threads with more than 50 ms (the reading thread, V8's platform threads).
  const others = Object.entries(b.threads)
    .map(([k, v]) => [k, v - (a.threads[k] ?? 0)] as const)
    .filter(([k, v]) => k !== main && v > 50)
    .map(([k, v]) => `${k} ${v}`);
  console.log(`  others: ${others.join(', ')}`);
  windows[file] = { from: Number(a.t / 1000n), to: Number(b.t / 1000n) };
}
writeFileSync('/tmp/fleet-window.json', JSON.stringify(windows));
