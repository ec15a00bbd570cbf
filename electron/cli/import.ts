// `ringside import <workspace> <file>... [--sheet NAME] [--as-of ISO] [--apply] [--json]`: imports export files, and trackers as results.
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ImportInput } from '../../core/contract/ingest.js';
import { describeChanges } from '../../core/analysis/change-log.js';
import { isTracker, type TrackerDiff } from '../../core/field/tracker.js';
import { trackerActions } from '../../core/field/tracker-actions.js';
import { parseIsoUtc } from '../../core/ingest/as-of.js';
import type { IngestReport } from '../../core/ingest/index.js';
import { applyActions } from '../../core/session.js';
import { fileStream } from '../node/file-stream.js';
import { diskReader, markOnDisk } from '../node/read-thread.js';
import { handlers, parse, printJson, UsageError, withWorkspace, type CliIo, type Command } from './context.js';
import { shown } from './shown.js';

/** A file on disk as an ImportInput: streamed, never read whole. */
export async function fileInput(file: string): Promise<ImportInput> {
  const abs = path.resolve(file);
  const st = await stat(abs);
  if (!st.isFile()) throw new Error(`${file} is not a file`);
  // Open once now so an unreadable file is reported before the workspace is touched.
  await (await open(abs, 'r')).close();
  const input: ImportInput = {
    name: path.basename(abs),
    size: st.size,
    lastModified: st.mtimeMs,
    stream: () => fileStream(abs),
  };
  // Read in the import's reading thread (read-thread.ts) when the import is given one.
  markOnDisk(input, abs);
  return input;
}

function line(r: IngestReport): string {
  if (r.duplicate) return `${shown(r.file)}: already imported (same content), nothing added`;
  const head = `${shown(r.file)}: ${r.format}${r.kind ? ` (${r.kind})` : ''}, ${r.rows} rows, ${r.imported} imported, ${r.rejected} rejected${r.flagged ? `, ${r.flagged} flagged` : ''}`;
  const errs = r.errors.slice(0, 20).map((e) => `  line ${e.line}, ${shown(e.field)}: ${shown(e.message)}`);
  if (r.errors.length > 20) errs.push(`  … ${r.rejected + r.flagged - 20} more (see the import view)`);
  const sheets =
    r.sheets?.map(
      (s) => `  sheet "${shown(s.name)}": header on row ${s.headerRow}: ${s.header.slice(0, 6).map(shown).join(', ')}`,
    ) ?? [];
  return [head, ...r.notes.map((n) => `  note: ${shown(n)}`), ...errs, ...sheets].join('\n');
}

/** A tracker's diff as the CLI prints it: every change and every row not applied, then what --apply would do. */
function diffLines(d: TrackerDiff, applied: boolean): string {
  const out = [
    `${shown(d.file)}: recovery tracker, ${d.rows} rows: ${d.changes.length} change${d.changes.length === 1 ? '' : 's'}, ${d.unchanged} unchanged, ${d.problems.length} not applied`,
  ];
  for (const c of d.changes)
    out.push(
      `  row ${c.row}: ${shown(c.hostname)} (#${c.deviceId}): ${c.from ?? `no result (${c.state})`} -> ${c.to}${c.technician ? ` by ${shown(c.technician)}` : ''}`,
    );
  for (const p of d.problems)
    out.push(`  row ${p.row}: ${shown(p.hostname) || '(no hostname)'}: not applied: ${shown(p.reason)}`);
  if (d.changes.length)
    out.push(
      applied
        ? `  applied ${d.changes.length} result${d.changes.length === 1 ? '' : 's'} (each audited as device.result)`
        : '  nothing changed: run again with --apply to record these results',
    );
  return out.join('\n');
}

/** `--as-of`: a UTC date and time (`2024-07-19T09:12Z`, seconds optional, `Z` or `+00:00` optional). */
export function isoUtc(text: string): number {
  const t = parseIsoUtc(text);
  if (t === null)
    throw new UsageError(`--as-of: "${shown(text)}" is not a UTC date and time such as 2024-07-19T09:12Z`);
  return t;
}

export const importCommand: Command = {
  name: 'import',
  usage: 'ringside import <workspace> <file>... [--sheet NAME] [--as-of ISO] [--apply] [--json]',
  summary:
    'import fleet, BitLocker key and rollout exports (CSV, JSON, ZIP, XLSX: --sheet picks the sheet when several hold data; format detected from the header); --as-of (UTC, e.g. 2024-07-19T09:12Z) is the time of rows a file gives no time of its own, instead of the date found in the file, its name or its modified time; creates the workspace if missing. A recovery tracker (.xlsx from `ringside tracker`) prints its changes; --apply records them as field results',
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(args, {
      json: { type: 'boolean' },
      sheet: { type: 'string' },
      'as-of': { type: 'string' },
      apply: { type: 'boolean' },
    });
    const asOf = values['as-of'] === undefined ? undefined : isoUtc(values['as-of']);
    const [workspace, ...files] = positionals;
    if (!workspace || files.length === 0) throw new UsageError('a workspace and at least one file are required');
    const inputs: ImportInput[] = [];
    const trackers: { name: string; bytes: Uint8Array }[] = [];
    for (const f of files) {
      try {
        // A tracker comes back as results (a diff to confirm), not as a fleet export.
        if (/\.xlsx$/i.test(f) && (await stat(f)).size < 256 << 20) {
          const bytes = new Uint8Array(await readFile(f));
          if (isTracker(bytes)) {
            trackers.push({ name: path.basename(f), bytes });
            continue;
          }
        }
        inputs.push(await fileInput(f));
      } catch (err) {
        io.err(
          `ringside import: cannot read ${shown(f)}: ${shown((err as NodeJS.ErrnoException).code ?? (err as Error).message)}`,
        );
        return 1;
      }
    }
    const apply = Boolean(values.apply);
    // One batch: the analysis runs once after the last file instead of after each one.
    const { reports, changes, diffs } = await withWorkspace(
      workspace,
      { write: inputs.length > 0 || apply, create: true },
      async (ws) => {
        // With the batch's changes (devices added, states changed, data time), also written to the change log.
        // Files are read and parsed in a second thread while this one writes them (two cores, not one).
        const reader = diskReader();
        const batch = inputs.length
          ? await handlers
              .importBatch(ws, inputs, {
                ...(values.sheet !== undefined ? { sheet: values.sheet } : {}),
                ...(asOf !== undefined ? { asOf } : {}),
                reader: reader.read,
                chunks: reader.chunks,
              })
              .finally(() => reader.close())
          : null;
        const reports: IngestReport[] = batch?.reports ?? [];
        const diffs: TrackerDiff[] = [];
        for (const t of trackers) {
          // Only trackers reach here (isTracker above), so the diff is never null.
          const d = handlers.trackerDiff(ws, t.bytes, t.name)!;
          diffs.push(d);
          if (apply && d.changes.length) await applyActions(ws, trackerActions(d, ws.now()));
        }
        return { reports, changes: batch?.changes ?? null, diffs };
      },
    );
    if (!values.json) {
      for (const r of reports) io.out(line(r));
      if (changes) io.out(`changes: ${describeChanges(changes)}`);
      for (const d of diffs) io.out(diffLines(d, apply));
    }
    if (values.json)
      printJson(io, {
        ...(changes ? { changes } : {}),
        trackers: diffs.map((d) => ({ ...d, applied: apply })),
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
          ...(r.sheet ? { sheet: r.sheet } : {}),
          ...(r.sheets ? { sheets: r.sheets } : {}),
        })),
      });
    return 0;
  },
};
