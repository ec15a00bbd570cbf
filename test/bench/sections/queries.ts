// Bench section: the dashboard's queries on the imported workspace (summary, a refresh after a filter change, the device table's first page).
import { handlers } from '../../../core/api/handlers.js';
import { median, timed, type BenchContext, type BenchSection } from '../types.js';

// Looked up by name so the bench still runs (and says what it skipped) while a handler is being written.
const h = handlers as unknown as Record<string, ((...args: unknown[]) => unknown) | undefined>;

async function warm(ctx: BenchContext, metric: string, fn: () => unknown, runs = 5): Promise<void> {
  const cold = await timed(fn);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(fn)).ms);
  ctx.metric('queries', `${metric} (first)`, cold.ms, 'ms');
  ctx.metric('queries', `${metric} (median of ${runs})`, median(times), 'ms');
}

const section: BenchSection = {
  name: 'queries',
  order: 20,
  skip(ctx) {
    if (!ctx.ws) return 'no workspace (the import section did not finish)';
    return null;
  },
  async run(ctx) {
    const ws = ctx.ws!;
    if (h.summary) await warm(ctx, 'summary', () => h.summary!(ws));
    else ctx.note('queries: skipped summary: handlers.summary is missing');

    // Every refresh uses a filter not seen before, as a user clicking through rings and sites would.
    const filters = [
      { ring: 'Fast' },
      { site: 'LON' },
      { ring: 'Broad', site: 'NYC' },
      { platform: 'windows' },
      { tag: 'falcongroupingtags/server' },
      {},
    ];
    const refresh = h.dashboard ?? h.summary;
    if (refresh) {
      const times: number[] = [];
      const what = h.dashboard ? 'dashboard' : 'summary';
      for (const f of filters) {
        const { ms } = await timed(() => refresh(ws, f));
        times.push(ms);
        const label =
          Object.entries(f)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ') || 'no filter';
        ctx.metric('queries', `${what} refresh, ${label}`, ms, 'ms', 'first time this filter is seen');
      }
      ctx.metric(
        'queries',
        `${what} refresh after a filter change (median)`,
        median(times),
        'ms',
        `${filters.length} filters`,
      );
      ctx.metric('queries', `${what} refresh after a filter change (max)`, Math.max(...times), 'ms');
    } else ctx.note('queries: skipped the dashboard refresh: neither handlers.dashboard nor handlers.summary exists');

    if (h.devices) {
      const first = await timed(() => h.devices!(ws, { limit: 100 }));
      ctx.metric('queries', 'device table first page (100 rows)', first.ms, 'ms');
      const bySite = await timed(() => h.devices!(ws, { site: 'LON', limit: 100 }));
      ctx.metric('queries', 'device table first page, site filter', bySite.ms, 'ms');
      const filtered = await timed(() => h.devices!(ws, { site: 'LON', state: 'remaining', limit: 100 }));
      ctx.metric('queries', 'device table first page, site + state filter', filtered.ms, 'ms');
      const text = await timed(() => h.devices!(ws, { text: 'LON-PC-0001', limit: 100 }));
      ctx.metric('queries', 'device table first page, text search', text.ms, 'ms');
      const sorted = await timed(() => h.devices!(ws, { sort: 'hostname', dir: 'desc', limit: 100 }));
      ctx.metric('queries', 'device table first page, sorted by hostname desc', sorted.ms, 'ms');
    } else ctx.note('queries: skipped the device table: handlers.devices is missing');
    ctx.metric('queries', 'peak RSS after queries', ctx.peakRssMiB(), 'MiB');
  },
};
export default section;
