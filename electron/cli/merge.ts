// `ringside merge <workspace> <results-file>... [--json]`: checks each results file's signature and merges it.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { MergeReport } from '../../core/field/merge.js';
import { handlers, parse, printJson, UsageError, withWorkspace, type Command } from './context.js';
import { shown } from './shown.js';

export const mergeCommand: Command = {
  name: 'merge',
  usage: 'ringside merge <workspace> <results-file>... [--accept-expired] [--json]',
  summary:
    'Merges technicians’ signed results files: signature checked, duplicates ignored, conflicts resolved (latest time wins, both kept); exit 1 if any file was refused.',
  async run(args, io) {
    const { values, positionals } = parse(args, {
      json: { type: 'boolean' },
      // Merges results of an expired or revoked pack anyway; the acceptance is audited.
      'accept-expired': { type: 'boolean' },
    });
    const [file, ...inputs] = positionals;
    if (!file || inputs.length === 0) throw new UsageError('give a workspace file and at least one results file');
    const reports: Array<{ file: string; ok: boolean; report?: MergeReport; error?: string }> = [];
    await withWorkspace(file, { write: true }, async (ws) => {
      for (const input of inputs) {
        try {
          const bytes = new Uint8Array(await fsp.readFile(input));
          reports.push({
            file: input,
            ok: true,
            // Through the handler, so the merge is written to the workspace's change log as in the app.
            report: await handlers.mergeResults(ws, bytes, path.basename(input), {
              acceptClosed: Boolean(values['accept-expired']),
            }),
          });
        } catch (err) {
          reports.push({ file: input, ok: false, error: (err as Error).message });
        }
      }
    });
    if (values.json) printJson(io, { files: reports });
    else
      for (const r of reports) {
        if (!r.ok) io.err(`refused ${shown(r.file)}: ${shown(r.error)}`);
        else {
          const m = r.report!;
          io.out(
            `${shown(r.file)}: pack ${shown(m.packId)}, technician ${shown(m.technician)}: ${m.added} added, ${m.duplicates} duplicate(s), ` +
              `${m.rejected.length} rejected, ${m.conflicts.length} conflict(s) (latest result wins, all kept)`,
          );
          if (m.acceptedClosed)
            io.out(`  accepted although the pack is ${m.acceptedClosed} (--accept-expired, audited)`);
          for (const x of m.rejected)
            io.out(`  rejected record ${x.index + 1} (${shown(x.hostname)}): ${shown(x.reason)}`);
          for (const x of m.rejectedEvents) io.out(`  rejected event ${x.index + 1}: ${shown(x.reason)}`);
          for (const c of m.conflicts)
            io.out(
              `  conflict on ${shown(c.hostname)}: ${c.records} records, counting ${shown(c.winner.result)} by ${shown(c.winner.technician)}`,
            );
        }
      }
    return reports.every((r) => r.ok) ? 0 : 1;
  },
};
