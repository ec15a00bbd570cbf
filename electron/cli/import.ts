// `ringside import <workspace> <file>... [--json]`: imports export files into a workspace (created when missing).
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ImportInput } from '../../core/contract/ingest.js';
import { describeChanges } from '../../core/analysis/change-log.js';
import { importBatch } from '../../core/ingest/batch.js';
import type { IngestReport } from '../../core/ingest/index.js';
import { parse, printJson, UsageError, withWorkspace, type CliIo, type Command } from './context.js';

/** A file on disk as an ImportInput: streamed, never read whole. */
export async function fileInput(file: string): Promise<ImportInput> {
  const abs = path.resolve(file);
  const st = await stat(abs);
  if (!st.isFile()) throw new Error(`${file} is not a file`);
  // Open once now so an unreadable file is reported before the workspace is touched.
  await (await open(abs, 'r')).close();
  return {
    name: path.basename(abs),
    size: st.size,
    lastModified: st.mtimeMs,
    stream: () => {
      let handle: Awaited<ReturnType<typeof open>> | null = null;
      let started: Promise<Awaited<ReturnType<typeof open>>> | null = null;
      const get = () => (started ??= open(abs, 'r').then((h) => (handle = h)));
      return new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          const h = await get();
          const chunk = new Uint8Array(1 << 20);
          const { bytesRead } = await h.read(chunk, 0, chunk.byteLength, null);
          if (bytesRead === 0) {
            await h.close();
            handle = null;
            ctrl.close();
          } else ctrl.enqueue(chunk.subarray(0, bytesRead));
        },
        async cancel() {
          await handle?.close();
        },
      });
    },
  };
}

function line(r: IngestReport): string {
  if (r.duplicate) return `${r.file}: already imported (same content), nothing added`;
  const head = `${r.file}: ${r.format}${r.kind ? ` (${r.kind})` : ''}, ${r.rows} rows, ${r.imported} imported, ${r.rejected} rejected${r.flagged ? `, ${r.flagged} flagged` : ''}`;
  const errs = r.errors.slice(0, 20).map((e) => `  line ${e.line}, ${e.field}: ${e.message}`);
  if (r.errors.length > 20) errs.push(`  … ${r.rejected + r.flagged - 20} more (see the import view)`);
  return [head, ...r.notes.map((n) => `  note: ${n}`), ...errs].join('\n');
}

export const importCommand: Command = {
  name: 'import',
  usage: 'ringside import <workspace> <file>... [--json]',
  summary:
    'import fleet, BitLocker key and rollout exports (format detected from the header); creates the workspace if missing',
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } });
    const [workspace, ...files] = positionals;
    if (!workspace || files.length === 0) throw new UsageError('a workspace and at least one file are required');
    const inputs: ImportInput[] = [];
    for (const f of files) {
      try {
        inputs.push(await fileInput(f));
      } catch (err) {
        io.err(`ringside import: cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        return 1;
      }
    }
    // One batch: the analysis runs once after the last file instead of after each one.
    const { reports, changes } = await withWorkspace(workspace, { write: true, create: true }, (ws) =>
      importBatch(ws, inputs),
    );
    if (!values.json) {
      for (const r of reports) io.out(line(r));
      io.out(`changes: ${describeChanges(changes)}`);
    }
    if (values.json)
      printJson(io, {
        changes,
        files: reports.map((r) => ({
          file: r.file,
          format: r.format,
          kind: r.kind,
          rows: r.rows,
          imported: r.imported,
          rejected: r.rejected,
          flagged: r.flagged,
          duplicate: r.duplicate,
          devicesAdded: r.devicesAdded,
          errors: r.errors.map((e) => ({ line: e.line, field: e.field, message: e.message })),
          reasons: r.reasons,
          notes: r.notes,
        })),
      });
    return 0;
  },
};
