// Replay bench: 1,000,000 devices and 5,000,000 rollout events in sql.js, then one policy replayed (run: npx tsx test/bench/replay-bench.ts).
import { loadSqlJs } from '../../electron/node/sqljs.js';
import { openWorkspace, type Workspace } from '../../core/workspace.js';
import { replayHandlers } from '../../core/replay/handlers.js';
import { defaultPolicy } from '../../core/replay/policy.js';

const T0 = Date.UTC(2024, 6, 19, 4, 9, 0);

/** Deterministic LCG so every run replays the same log. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Writes `devices` devices (rings 1/1/9/89 %) and five events each: installed, crashed, rebooted, crashed, recovered/fixed. */
export function writeBenchLog(ws: Workspace, devices: number): number {
  const rand = rng(291);
  let events = 0;
  ws.db.tx(() => {
    const dev = ws.db.prepare('INSERT INTO devices(id, hostname, host_key, ring, platform) VALUES (?,?,?,?,?)');
    const ev = ws.db.prepare(
      'INSERT INTO events(device_id, host_key, ts, kind, ring, source, package, version, detail) VALUES (?,?,?,?,?,?,?,?,?)',
    );
    for (let id = 1; id <= devices; id++) {
      const u = rand();
      const ring = u < 0.01 ? 'Test' : u < 0.02 ? 'First' : u < 0.11 ? 'Fast' : 'Broad';
      const host = `PC-${id}`;
      dev.run([id, host, host, ring, 'windows']);
      const recv = T0 + Math.floor(rand() * 78 * 60_000);
      ev.run([id, host, recv, 'installed', ring, 'falcon', 'channel-file-291', '291-bad', null]);
      if (rand() < 0.95) {
        const c1 = recv + 20_000 + Math.floor(rand() * 90_000);
        ev.run([id, host, c1, 'crashed', ring, 'falcon', null, null, 'BugCheck 0x50']);
        ev.run([id, host, c1 + 60_000, 'rebooted', ring, 'falcon', null, null, null]);
        ev.run([id, host, c1 + 120_000, 'crashed', ring, 'falcon', null, null, 'BugCheck 0x50']);
        ev.run([id, host, c1 + 3_600_000 * (1 + rand() * 90), 'fixed', ring, 'manual', null, null, null]);
      } else {
        ev.run([id, host, recv + 60_000, 'online', ring, 'falcon', null, null, null]);
        ev.run([id, host, recv + 120_000, 'offered', ring, 'falcon', 'channel-file-291', '291-good', null]);
        ev.run([id, host, recv + 180_000, 'installed', ring, 'falcon', 'channel-file-291', '291-good', null]);
        ev.run([id, host, recv + 240_000, 'online', ring, 'falcon', null, null, null]);
      }
      events += 5;
    }
    dev.free();
    ev.free();
  });
  return events;
}

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 1_000_000);
  const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: new Uint8Array(32).fill(7), now: () => T0 });
  let t = performance.now();
  const events = writeBenchLog(ws, devices);
  const insertMs = performance.now() - t;
  const policy = { ...defaultPolicy(), content: { package: 'channel-file-291', version: '291-bad' } };
  t = performance.now();
  const cpuCold0 = process.cpuUsage();
  replayHandlers.replay(ws, policy);
  const cpuCold = process.cpuUsage(cpuCold0);
  const coldMs = performance.now() - t;
  const warm: number[] = [];
  const cpu0 = process.cpuUsage();
  let last: ReturnType<typeof replayHandlers.replay> | undefined;
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    last = replayHandlers.replay(ws, policy);
    warm.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  warm.sort((a, b) => a - b);
  t = performance.now();
  replayHandlers.comparePolicies(ws, [
    policy,
    { ...policy, id: 'b', rings: policy.rings.map((r) => ({ ...r, bakeHours: 1 })) },
  ]);
  const compareMs = performance.now() - t;
  const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`replay bench: ${devices.toLocaleString('en')} devices, ${events.toLocaleString('en')} events`);
  console.log(`  write log (fixture, not part of the replay): ${fmt(insertMs)}`);
  console.log(
    `  first replay, incl. building the receipt cache: ${fmt(coldMs)}  (CPU ${fmt((cpuCold.user + cpuCold.system) / 1000)})`,
  );
  console.log(
    `  replay, warm (median of 3): ${fmt(warm[1]!)}  [min ${fmt(warm[0]!)}, max ${fmt(warm[2]!)}]  (simulate part ${last!.elapsedMs} ms)`,
  );
  // CPU time beside wall time: on a shared machine the wall clock also counts other people's work.
  console.log(`  replay, warm CPU time per run: ${fmt((cpu.user + cpu.system) / 1000 / 3)}`);
  console.log(`  compare 2 policies, warm: ${fmt(compareMs)}`);
  console.log(
    `  spared ${last!.totals.spared.toLocaleString('en')} of ${last!.totals.actualReached.toLocaleString('en')}; halt at ${new Date(last!.halt?.at ?? 0).toISOString()}`,
  );
}

if (process.argv[1] && /replay-bench\.ts$/.test(process.argv[1])) void main();
