// `ringside report <workspace> --out DIR [--xlsx]`: writes the Markdown postmortem draft, the CSV tables and the workbook.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { handlers, parse, printJson, UsageError, withWorkspace, type CliIo, type Command } from './context.js';

export const reportCommand: Command = {
  name: 'report',
  usage: 'ringside report <workspace> --out DIR [--xlsx] [--json]',
  summary:
    'Writes postmortem.md (timeline filled in) and CSV tables: by ring, by site, states, open work, devices; --xlsx adds the report as one Excel workbook.',
  async run(args: string[], io: CliIo) {
    const { values, positionals } = parse(args, {
      out: { type: 'string' },
      json: { type: 'boolean' },
      xlsx: { type: 'boolean' },
    });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('give exactly one workspace file');
    if (!values.out) throw new UsageError('--out DIR is required');
    const dir = path.resolve(values.out);
    const { r, devicesCsv, book } = await withWorkspace(file, { write: false }, async (ws) => ({
      r: handlers.report(ws),
      devicesCsv: handlers.exportDevicesCsv(ws, { state: 'remaining' }),
      book: values.xlsx ? handlers.reportXlsx(ws) : null,
    }));
    await mkdir(dir, { recursive: true });
    const written: string[] = [];
    const put = async (name: string, text: string | Uint8Array) => {
      await writeFile(path.join(dir, name), text, typeof text === 'string' ? 'utf8' : undefined);
      written.push(path.join(dir, name));
    };
    await put('postmortem.md', r.markdown);
    for (const [name, text] of Object.entries(r.tables)) await put(name, text);
    await put('remaining-devices.csv', devicesCsv);
    if (book) await put(book.name, book.bytes);
    if (values.json) printJson(io, { files: written });
    else io.out(`wrote ${written.length} files to ${dir}:\n${written.map((w) => `  ${path.basename(w)}`).join('\n')}`);
    return 0;
  },
};
