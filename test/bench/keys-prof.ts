// `npx tsx test/bench/keys-prof.ts <dir of the bench's 100k files>`: Falcon then the keys file; the keys file's CPU per thread.
// Under `node --cpu-prof --import tsx` it also writes the keys file's time window (monotonic µs, the profiles' clock)
// to /tmp/keys-window.json, so a .cpuprofile's samples can be cut to that file.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { importFiles } from '../../core/ingest/index.js';
import { openWorkspace } from '../../core/workspace.js';
import { fileInput } from '../../electron/cli/import.js';
import { backTempFiles, workDir } from '../../electron/node/host-file.js';
import { diskReader } from '../../electron/node/read-thread.js';
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
const SQL = await loadSqlJs();
backTempFiles(SQL, workDir());
const ws = await openWorkspace({
  SQL,
  backing: workDir().newDatabase(),
  keyMaterial: new Uint8Array(32).fill(7),
  now: () => Date.UTC(2024, 6, 24),
  actor: 'bench',
});
const inputs = await Promise.all(['falcon-hosts.csv', 'bitlocker-keys.csv'].map((f) => fileInput(`${dir}/${f}`)));
const reader = diskReader();
type Mark = { t: bigint; cpu: number; threads: Record<string, number> };
const mark = (): Mark => {
  const c = process.cpuUsage();
  return { t: process.hrtime.bigint(), cpu: (c.user + c.system) / 1000, threads: threads() };
};
let k0: Mark | null = null;
let k1: Mark | null = null;
let phase = '';
await importFiles(ws, inputs, {
  reader: reader.read,
  onProgress: (p) => {
    if (p.phase === phase) return;
    phase = p.phase;
    const keys = phase.startsWith('bitlocker-keys.csv');
    if (keys && !k0) k0 = mark();
    if (k0 && !k1 && !keys) k1 = mark();
  },
}).finally(() => reader.close());
const a = k0 as Mark | null;
if (!a) throw new Error('the keys file never started');
const b = (k1 as Mark | null) ?? mark();
console.log(
  `keys file: CPU ${Math.round(b.cpu - a.cpu)} ms, wall ${Math.round(Number(b.t - a.t) / 1e6)} ms; per thread:`,
);
for (const [k, v] of Object.entries(b.threads))
  if (v - (a.threads[k] ?? 0) > 0) console.log(`  ${k} ${v - (a.threads[k] ?? 0)} ms`);
writeFileSync('/tmp/keys-window.json', JSON.stringify({ from: Number(a.t / 1000n), to: Number(b.t / 1000n) }));
