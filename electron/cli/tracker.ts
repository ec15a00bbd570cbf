// `ringside tracker <workspace> --out FILE [--site S] [--ring R]`: writes the XLSX recovery tracker for a site or ring.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { handlers, parse, printJson, UsageError, withWorkspace, type Command } from './context.js';

export const trackerCommand: Command = {
  name: 'tracker',
  usage: 'ringside tracker <workspace> --out FILE.xlsx [--site SITE] [--ring RING] [--json]',
  summary:
    'Writes a recovery tracker workbook (frozen header, filters, Result drop-down, key IDs but never keys); edit it and bring it back with `ringside import`.',
  async run(args, io) {
    const { values, positionals } = parse(args, {
      out: { type: 'string' },
      site: { type: 'string' },
      ring: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('give exactly one workspace file');
    if (!values.out) throw new UsageError('--out FILE.xlsx is required');
    const t = await withWorkspace(file, { write: false }, async (ws) =>
      handlers.exportTracker(ws, {
        ...(values.site ? { site: values.site } : {}),
        ...(values.ring ? { ring: values.ring } : {}),
      }),
    );
    const out = path.resolve(values.out);
    await writeFile(out, t.bytes);
    if (values.json) printJson(io, { file: out, devices: t.rows });
    else io.out(`wrote ${out}: ${t.rows} devices`);
    return 0;
  },
};
