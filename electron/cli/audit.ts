// `ringside audit verify|export <workspace>`: checks the hash chain (exit 1 at the first broken link) or exports it.
import path from 'node:path';
import { exportAudit, verifyAudit } from '../../core/store/audit.js';
import { WorkspaceStorage } from '../storage.js';
import { parse, printJson, UsageError, withWorkspace, type Command } from './context.js';

export const auditCommand: Command = {
  name: 'audit',
  usage:
    'ringside audit verify <workspace> [--json]\n  ringside audit export <workspace> [--format jsonl|csv] [--out FILE]',
  summary: 'Verifies the hash-chained audit log (exit 1 and the first broken link when it is broken) or exports it.',
  async run(args, io) {
    const [sub, ...rest] = args;
    const { values, positionals } = parse(rest, {
      json: { type: 'boolean' },
      format: { type: 'string' },
      out: { type: 'string' },
    });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('give exactly one workspace file');
    if (sub === 'verify') {
      const v = await withWorkspace(file, { write: false }, async (ws) => verifyAudit(ws.db));
      if (values.json) printJson(io, v);
      else if (v.ok) io.out(`audit log intact: ${v.entries} entries, head ${v.head}`);
      else io.err(`audit log BROKEN at entry ${v.firstBroken!.seq} of ${v.entries}: ${v.firstBroken!.reason}`);
      return v.ok ? 0 : 1;
    }
    if (sub === 'export') {
      const format = values.format ?? 'jsonl';
      if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv');
      const text = await withWorkspace(file, { write: false }, async (ws) => exportAudit(ws.db, format));
      if (values.out) {
        const abs = path.resolve(values.out);
        await new WorkspaceStorage().writeAtomic(abs, new TextEncoder().encode(text), { keepPrevious: false });
        io.out(`wrote ${abs}`);
      } else io.out(text);
      return 0;
    }
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (verify or export)`);
  },
};
