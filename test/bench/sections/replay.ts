// Bench section: rollout replay of the imported log under the default policy (receipt-cache build, then warm replays).
import { replayHandlers } from '../../../core/replay/handlers.js';
import { defaultPolicy } from '../../../core/replay/policy.js';
import { median, timed, type BenchSection } from '../types.js';

const section: BenchSection = {
  name: 'replay',
  order: 50,
  skip: (ctx) => (ctx.ws ? null : 'no imported workspace (the import section did not run or failed)'),
  async run(ctx) {
    const ws = ctx.ws!;
    const events = ws.db.value<number>('SELECT COUNT(*) FROM events') ?? 0;
    const policy = defaultPolicy();
    const cpu0 = process.cpuUsage();
    const cold = await timed(() => replayHandlers.replay(ws, policy));
    const cpuCold = process.cpuUsage(cpu0);
    ctx.metric('replay', 'first replay (builds the receipt cache)', cold.ms, 'ms', `${events} events`);
    ctx.metric('replay', 'first replay CPU', (cpuCold.user + cpuCold.system) / 1000, 'ms');
    const warm: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < (ctx.quick ? 1 : 3); i++) {
      const c0 = process.cpuUsage();
      warm.push((await timed(() => replayHandlers.replay(ws, policy))).ms);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    // CPU time beside wall time: on a shared machine the wall clock also counts other people's work.
    ctx.metric('replay', 'replay, warm (median)', median(warm), 'ms', `${events} events, budget 3 s at 5 M`);
    ctx.metric('replay', 'replay, warm CPU (median)', median(cpu), 'ms');
    ctx.metric('replay', 'simulate part', cold.value.elapsedMs, 'ms');
    ctx.metric('replay', 'devices spared (default policy)', cold.value.totals.spared, 'devices');
  },
};
export default section;
