// `ringside devices <workspace> [--site S] [--ring R] [--state X] [--json]`: lists devices with their state and sources.
import type { DeviceRow } from '../../core/analysis/devices.js';
import { statesOf } from '../../core/analysis/filter.js';
import { handlers, parse, printJson, UsageError, withWorkspace, type CliIo, type Command } from './context.js';
import { table } from './summary.js';

export const devicesCommand: Command = {
  name: 'devices',
  usage:
    'ringside devices <workspace> [--site S] [--ring R] [--state X] [--platform P] [--tag T] [--version V] [--text Q] [--limit N] [--json]',
  summary:
    'Lists devices (hostname, ring, site, state, sources); --state takes a state or exposed, affected, remaining, fixed, recovered.',
  async run(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      json: { type: 'boolean' },
      site: { type: 'string' },
      ring: { type: 'string' },
      state: { type: 'string' },
      platform: { type: 'string' },
      tag: { type: 'string' },
      version: { type: 'string' },
      text: { type: 'string' },
      limit: { type: 'string' },
    });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('give exactly one workspace file');
    if (values.state) {
      try {
        statesOf(values.state);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    const limit = values.limit === undefined ? Infinity : Number(values.limit);
    if (!(limit > 0)) throw new UsageError('--limit must be a positive number');
    const query = {
      site: values.site,
      ring: values.ring,
      state: values.state,
      platform: values.platform?.toLowerCase(),
      tag: values.tag,
      version: values.version,
      text: values.text,
      // The CLI prints the total: count every match, not the device table's capped first count.
      exactTotal: true,
    };
    const { rows, total } = await withWorkspace(file, { write: false }, async (ws) => {
      const out: DeviceRow[] = [];
      let page = handlers.devices(ws, { ...query, limit: 5000 });
      const first = page.total;
      for (;;) {
        out.push(...page.rows);
        if (!page.nextCursor || out.length >= limit) break;
        page = handlers.devices(ws, { ...query, limit: 5000, cursor: page.nextCursor });
      }
      return { rows: out.slice(0, Number.isFinite(limit) ? limit : undefined), total: first };
    });
    if (values.json) {
      printJson(io, {
        total,
        devices: rows.map((r) => ({
          id: r.id,
          hostname: r.hostname,
          ring: r.ring,
          site: r.site,
          state: r.state,
          platform: r.platform,
          version: r.version,
          sources: r.sources ? r.sources.split(',') : [],
        })),
      });
      return 0;
    }
    io.out(
      table(
        ['hostname', 'ring', 'site', 'state', 'platform', 'sensor', 'sources'],
        rows.map((r) => [r.hostname, r.ring, r.site, r.state, r.platform, r.version, r.sources]),
      ),
    );
    io.out(`\n${rows.length} of ${total} devices`);
    return 0;
  },
};
