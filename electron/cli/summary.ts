// `ringside summary <workspace> [--json]`: per-ring and per-site counts, states and keys, as the dashboard shows them.
import { handlers, parse, printJson, UsageError, withWorkspace, type CliIo, type Command } from './context.js';
import { shown } from './shown.js';

/** Readable aligned columns: text left, numbers right. */
export function table(header: string[], rows: (string | number)[][]): string {
  // Every cell is data (hostnames, sites, rings): shown with its control characters escaped.
  const cells = [header, ...rows.map((r) => r.map((c) => shown(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(fmt)].join('\n');
}

const COLS = ['devices', 'exposed', 'affected', 'recovered', 'fixed', 'remaining'] as const;

export const summaryCommand: Command = {
  name: 'summary',
  usage: 'ringside summary <workspace> [--json]',
  summary: 'Devices, exposed, affected, recovered, fixed and remaining per ring and per site; device states; keys.',
  async run(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('give exactly one workspace file');
    const s = await withWorkspace(file, { write: false }, async (ws) => handlers.summary(ws));
    if (values.json) {
      printJson(io, {
        devices: s.devices,
        byRing: s.byRing.map(({ states, ...r }) => ({ ...r, states })),
        bySite: s.bySite.map(({ states, ...r }) => ({ ...r, states })),
        keys: s.keys,
        states: s.states,
        totals: s.totals,
        confirmed: s.confirmed,
        suspected: s.suspected,
        asOf: s.asOf === null ? null : new Date(s.asOf).toISOString(),
        window: {
          start: s.window.start === null ? null : new Date(s.window.start).toISOString(),
          end: s.window.end === null ? null : new Date(s.window.end).toISOString(),
          origin: s.window.source,
          text: s.window.text,
        },
      });
      return 0;
    }
    const t = s.totals;
    io.out(
      `${s.devices} devices; ${t.exposed} exposed, ${t.affected} affected (${s.suspected.affected} suspected), ${t.recovered} self-recovered, ${t.fixed} fixed, ${t.remaining} remaining` +
        (s.asOf ? ` (data time ${new Date(s.asOf).toISOString()})` : ''),
    );
    io.out('\nBy ring');
    io.out(
      table(
        ['ring', ...COLS],
        s.byRing.map((r) => [r.ring, ...COLS.map((c) => r[c])]),
      ),
    );
    io.out('\nBy site');
    io.out(
      table(
        ['site', ...COLS],
        s.bySite.map((r) => [r.site, ...COLS.map((c) => r[c])]),
      ),
    );
    io.out('\nStates');
    io.out(
      table(
        ['state', 'devices'],
        Object.entries(s.states).map(([k, v]) => [k, v]),
      ),
    );
    const k = s.keys;
    io.out(
      `\nKeys: ${k.total} total, ${k.valid} valid, ${k.invalid} invalid, ${k.devicesWithKey} devices with a key, ${k.unmatched} unmatched`,
    );
    return 0;
  },
};
