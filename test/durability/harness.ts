// Crash harness: SIGKILLs a child running the real storage path at random points, then recovers and checks.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Db } from '../../core/store/db.js';
import { openWorkspace } from '../../core/workspace.js';
import { loadSqlJs } from '../../electron/node/sqljs.js';
import { WorkspaceStorage } from '../../electron/storage.js';
import { HARNESS_DEVICES, HARNESS_KEY } from './shared.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CrashReport {
  trials: number;
  acknowledged: number;
  lost: number;
  unopenable: number;
  quarantined: number;
  integrityFailures: number;
  killedDuringSave: number;
  ms: number;
}

/** Bundles the child once so each trial starts in ~100 ms (tsx would cost seconds per trial). */
export async function buildChild(): Promise<string> {
  const outDir = path.join(root, 'node_modules', '.cache', 'ringside-durability');
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, `child-${process.pid}.mjs`);
  await build({
    entryPoints: [path.join(root, 'test/durability/child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['sql.js'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'silent',
  });
  return outfile;
}

/** A workspace with a few devices, saved as the first snapshot. */
async function seed(file: string): Promise<void> {
  const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: HARNESS_KEY, now: () => 1 });
  for (let i = 1; i <= HARNESS_DEVICES; i++)
    ws.db.run('INSERT INTO devices(id, hostname, host_key, site) VALUES (?,?,?,?)', [i, `PC-${i}`, `PC-${i}`, 'LON']);
  await new WorkspaceStorage().save(file, ws.db, 0);
  ws.db.close();
}

function runTrial(child: string, file: string, killAfterMs: number): Promise<{ acks: number[]; saving: boolean }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, file, '8'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
    const acks: number[] = [];
    let buf = '';
    let err = '';
    let saving = false;
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ACK (\d+)$/.exec(line);
        if (m) acks.push(Number(m[1]));
        else if (line === 'READY' && !timer) timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs);
        else if (line === 'SAVE begin') saving = true;
        else if (line === 'SAVE end') saving = false;
      }
    });
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // The random delay counts from READY (recovery done), so a slow start on a loaded machine still gets appends in;
    // a backstop kills a child that never gets ready (then the kill lands inside its own recovery, also a valid case).
    let timer: ReturnType<typeof setTimeout> | undefined;
    const backstop = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(backstop);
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself (code ${code}): ${err}`));
      else resolve({ acks, saving });
    });
  });
}

export async function runCrashTrials(
  trials: number,
  opts: { minMs?: number; maxMs?: number } = {},
): Promise<CrashReport> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-crash-'));
  const file = path.join(dir, 'incident.ringside');
  const child = await buildChild();
  const SQL = await loadSqlJs();
  await seed(file);
  const acked = new Set<number>();
  const report: CrashReport = {
    trials,
    acknowledged: 0,
    lost: 0,
    unopenable: 0,
    quarantined: 0,
    integrityFailures: 0,
    killedDuringSave: 0,
    ms: 0,
  };
  const minMs = opts.minMs ?? 0;
  const maxMs = opts.maxMs ?? 400;
  try {
    for (let t = 0; t < trials; t++) {
      const { acks, saving } = await runTrial(child, file, minMs + Math.random() * (maxMs - minMs));
      for (const a of acks) acked.add(a);
      if (saving) report.killedDuringSave++;
      let db: Db | undefined;
      try {
        const rec = await new WorkspaceStorage().recover(file, {
          SQL,
          keyMaterial: HARNESS_KEY,
          actor: 'crash-parent',
        });
        db = rec.ws.db;
        report.quarantined += rec.quarantined.length;
      } catch {
        report.unopenable++;
        continue;
      }
      try {
        if (db.value<string>('PRAGMA integrity_check') !== 'ok') report.integrityFailures++;
        const present = new Set(
          db.all<{ at: number }>("SELECT at FROM results WHERE technician = 'crash-harness'").map((r) => r.at),
        );
        report.lost = [...acked].filter((s) => !present.has(s)).length;
      } finally {
        db.close();
      }
    }
  } finally {
    report.acknowledged = acked.size;
    report.ms = Date.now() - started;
    rmSync(dir, { recursive: true, force: true });
    rmSync(child, { force: true });
  }
  return report;
}

// Standalone: `npx tsx test/durability/harness.ts 1000` for the long nightly run.
if (process.argv[1] && /harness\.ts$/.test(process.argv[1])) {
  runCrashTrials(Number(process.argv[2] ?? 100)).then((r) => console.log(JSON.stringify(r)));
}
