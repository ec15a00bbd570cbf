// `ringside audit verify|receipt|export <workspace>`: checks the chain and its anchors (exit 1 broken chain, 3 head
// does not match an anchor, 4 receipt mismatch), prints the head as a receipt, or exports the log with its receipt.
import path from 'node:path';
import { parseReceipt } from '../../core/store/audit.js';
import { WorkspaceStorage } from '../storage.js';
import { handlers, parse, printJson, UsageError, withWorkspace, type Command } from './context.js';
import { shown, shownLines } from './shown.js';

export const auditCommand: Command = {
  name: 'audit',
  usage:
    'ringside audit verify <workspace> [--expect RECEIPT|HEAD] [--json]\n  ringside audit receipt <workspace> [--json]\n  ringside audit export <workspace> [--format jsonl|csv] [--action key-reveals|packs|merges|overrides] [--actor A] [--from ISO] [--to ISO] [--out FILE]',
  summary:
    'Verifies the audit log and its head anchors (exit 1 chain broken, 3 tail cut or older copy, 4 receipt mismatch), prints a receipt, or exports it.',
  async run(args, io) {
    const [sub, ...rest] = args;
    const { values, positionals } = parse(rest, {
      json: { type: 'boolean' },
      format: { type: 'string' },
      out: { type: 'string' },
      expect: { type: 'string' },
      action: { type: 'string' },
      actor: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('give exactly one workspace file');
    if (sub === 'verify') {
      let expect: ReturnType<typeof parseReceipt> | undefined;
      if (values.expect !== undefined) {
        try {
          expect = parseReceipt(values.expect);
        } catch (err) {
          throw new UsageError(`--expect: ${(err as Error).message}`);
        }
      }
      const v = await withWorkspace(file, { write: false }, async (ws) => handlers.auditVerify(ws, expect));
      if (values.json) printJson(io, v);
      else if (v.ok)
        io.out(`audit log intact: ${v.entries} entries (${v.keyed} keyed, ${v.plain} plain), head ${v.head}`);
      else
        io.err(
          [
            `audit log BROKEN at entry ${v.firstBroken!.seq} of ${v.entries}: ${shown(v.firstBroken!.reason)}`,
            ...v.problems.map((p) => `  - ${p.kind}: ${shown(p.message)}`),
          ].join('\n'),
        );
      return v.exitCode;
    }
    if (sub === 'receipt') {
      const r = await withWorkspace(file, { write: false }, async (ws) => handlers.auditReceipt(ws));
      if (values.json) printJson(io, r);
      else
        io.out(
          `Ringside audit receipt, ${r.at}\nworkspace ${shown(r.workspace)}: ${r.count} entries\n${shownLines(r.text)}`,
        );
      return 0;
    }
    if (sub === 'export') {
      const format = values.format ?? 'jsonl';
      if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv');
      const time = (v: string | undefined, name: string) => {
        if (v === undefined) return undefined;
        const t = Date.parse(v);
        if (!Number.isFinite(t))
          throw new UsageError(`--${name} must be an ISO date or time, not ${JSON.stringify(v)}`);
        return t;
      };
      const filter = {
        ...(values.action ? { group: values.action } : {}),
        ...(values.actor ? { actor: values.actor } : {}),
        ...(values.from ? { from: time(values.from, 'from') } : {}),
        ...(values.to ? { to: time(values.to, 'to') } : {}),
      };
      const text = await withWorkspace(file, { write: false }, async (ws) => handlers.auditExport(ws, format, filter));
      if (values.out) {
        const abs = path.resolve(values.out);
        await new WorkspaceStorage().writeAtomic(abs, new TextEncoder().encode(text), { keepPrevious: false });
        io.out(`wrote ${abs}`);
      } else io.out(text);
      return 0;
    }
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')} (verify, receipt or export)`);
  },
};
