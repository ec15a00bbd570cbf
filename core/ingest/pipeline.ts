// The import pipeline: a batch of files in one transaction (a savepoint per file), each file read by the reader its
// content calls for into its writer, with progress, cancel, the import log, and the batch's analysis once at the end.
import { CancelledError, throwIfCancelled, type JobOptions } from '../contract/jobs.js';
import type { ImportInput } from '../contract/ingest.js';
import { redactRows, redactSecrets } from '../secrets/redact.js';
import { countDevices } from '../store/device-writes.js';
import { lastEventId } from '../store/event-writes.js';
import type { ChunkBuilder } from '../store/device-text-chunk.js';
import { lastFactId, type EventsNoted } from '../store/facts.js';
import { beginImport, finishImport, importBySha, markRemapped } from '../store/imports.js';
import { restoreIndex, type IndexDef } from '../store/staging.js';
import { audit, type Workspace } from '../workspace.js';
import { findAsOf } from './as-of.js';
import { finishBatch, noteEvents, type Batch } from './batch-end.js';
import { dropIndexes, indexesNow, isBulk } from './bulk.js';
import { EncodingRestart, FileError } from './errors.js';
import { columnsOf, resolveColumns, SPECS, type FormatSpec } from './formats.js';
import type { ColumnMapping } from './mapping.js';
import type { DecodeState, TextEncoding } from './readers/decode.js';
import { SheetChoiceError } from './readers/xlsx.js';
import { duplicateReport, emptyReport, ProblemLog, refusedReport, type IngestReport } from './report.js';
import type { CsvHeader, CsvSink } from './rows.js';
import type { ReadFn } from './read-thread.js';
import { compactColumns, readColumns } from './read-plan.js';
import { readInput } from './sniff.js';
import { DeviceIndex } from './identity.js';
import { chooseSpec, openWriter } from './writers/open.js';
import { linkOrphans } from './writers/orphans.js';
import type { Writer, WriterContext } from './writers/types.js';

export interface ImportOptions extends JobOptions {
  /** For files no signature recognises: how their columns map onto fields (from the mapping step). */
  mapping?: ColumnMapping;
  /** The "as of" time (epoch ms) the user gave for files whose rows carry no time; overrides what is found. */
  asOf?: number;
  /** Per file of a batch (same order as the inputs): the "as of" time the user confirmed for it; wins over asOf. */
  asOfEach?: (number | null)[];
  /** For a workbook: the sheet to read (needed when several sheets look like data). */
  sheet?: string;
  /** Reads each file into its writer: readInput in this thread unless the host gives a reading thread (read-thread.ts). */
  reader?: ReadFn;
  /** Builds the batch end's search index chunks in the reading thread (its `chunks`); else they are built here. */
  chunks?: ChunkBuilder;
  /**
   * How devices are found: chosen by size (the default, see lookupIdentity), or forced, for the tests and the bench
   * that compare the two ('lookup' into a bulk load reads tables whose indexes are dropped: correct, slow).
   */
  identity?: 'maps' | 'lookup';
  /** When given, filled with milliseconds per step of the batch's end (search index, analysis phases, indexes). */
  timings?: Record<string, number>;
}

class DuplicateFile extends Error {
  constructor(readonly importId: number) {
    super('duplicate');
  }
}

/** Imports one export file into the workspace. Never throws for bad content: problems are in the report. */
export async function importFile(ws: Workspace, input: ImportInput, opts: ImportOptions = {}): Promise<IngestReport> {
  return (await importFiles(ws, [input], opts))[0]!;
}

/**
 * Imports several export files as one transaction: each file is a savepoint (a file that is not what it claims to
 * be is left out alone, with its report), the analysis and index rebuilds run once at the end, and a cancel leaves
 * the workspace exactly as it was before the batch.
 */
export async function importFiles(
  ws: Workspace,
  inputs: ImportInput[],
  opts: ImportOptions = {},
): Promise<IngestReport[]> {
  const batch: Batch = {
    idx: null,
    analyse: false,
    keyCounts: false,
    indexes: [],
    touched: new Set(),
    factMark: lastFactId(ws.db),
    bytes: inputs.reduce((n, i) => n + i.size, 0),
    events: null,
  };
  const many = inputs.length > 1;
  try {
    return await ws.db.txAsync(async () => {
      const reports: IngestReport[] = [];
      for (const input of inputs) {
        throwIfCancelled(opts.signal);
        const onProgress = opts.onProgress;
        const before = countDevices(ws.db);
        const given = opts.asOfEach?.[inputs.indexOf(input)];
        const report = await importOne(ws, input, {
          ...opts,
          ...(given != null ? { asOf: given } : {}),
          // Several files: each phase names its file, so the progress line says which one is being read.
          onProgress: onProgress && many ? (p) => onProgress({ ...p, phase: `${input.name}: ${p.phase}` }) : onProgress,
          batch,
        });
        report.devicesAdded = Math.max(0, countDevices(ws.db) - before);
        report.reasons.sort((a, b) => b.count - a.count || a.lines[0]! - b.lines[0]!);
        reports.push(report);
      }
      throwIfCancelled(opts.signal);
      // The index holds every device's IDs and names (hundreds of MiB at a million devices): let it go before the
      // analysis and the index rebuilds, the steps that need the most memory.
      batch.idx?.free();
      batch.idx = null;
      await finishBatch(ws, batch, opts);
      return reports;
    });
  } finally {
    batch.idx?.free();
  }
}

type FileOptions = ImportOptions & { batch: Batch };

/** A workspace with at least this many devices is not loaded into memory for a small import (see lookupIdentity). */
const LOOKUP_MIN_DEVICES = 20_000;

/**
 * Whether the batch finds devices through the devices table's indexes instead of loading every device's keys: when
 * the workspace is large and the batch, at a device export's 256 bytes or more a row, is under a tenth of it. (A
 * bulk load in such a batch keeps those indexes: see dropIndexes.)
 */
function lookupIdentity(ws: Workspace, bytes: number): boolean {
  const devices = countDevices(ws.db);
  return devices >= LOOKUP_MIN_DEVICES && (bytes / 256) * 10 < devices;
}

async function importOne(ws: Workspace, input: ImportInput, opts: FileOptions): Promise<IngestReport> {
  try {
    return await importAs(ws, input, opts);
  } catch (err) {
    if (err instanceof EncodingRestart) {
      const note = `the file is not valid UTF-8 (first bad byte near ${err.offset}); it was read as Windows-1252`;
      return importAs(ws, input, opts, 'windows-1252', note);
    }
    throw err;
  }
}

/** What one file's reading leaves for the end of its savepoint. */
interface FileRun {
  spec: FormatSpec | null;
  header: CsvHeader | null;
  writer: Writer | null;
  idx: DeviceIndex | null;
  /** Indexes this file dropped for a bulk load. */
  deferred: IndexDef[];
}

/** One file in its own savepoint: read, written, checked against earlier imports, logged and audited. */
async function importAs(
  ws: Workspace,
  input: ImportInput,
  opts: FileOptions,
  force?: TextEncoding,
  note?: string,
): Promise<IngestReport> {
  const report = emptyReport(input.name, note);
  const problems = new ProblemLog(report);
  const state: DecodeState = { encoding: null, bom: false, bytes: 0, sha256: null, notes: [] };
  const db = ws.db;
  const run: FileRun = { spec: null, header: null, writer: null, idx: null, deferred: [] };
  let lateIndexes: IndexDef[] = [];
  let builtNow: IndexDef[] = [];
  // What the file's rollout writer inserted (a holder: it is set inside the savepoint's callback).
  const kept: { events?: { noted: EventsNoted; rows: number } } = {};
  try {
    await db.txAsync(async () => {
      const eventsBefore = lastEventId(db);
      report.importId = beginImport(db, input.name, `pending:${crypto.randomUUID()}`, ws.now());
      problems.open(db);
      const sink = fileSink(ws, input, opts, report, problems, run);
      await (opts.reader ?? readInput)(input, state, { ...opts, force }, sink, report.notes, (s) => (report.sheet = s));
      await run.writer?.finish?.();
      report.encoding = state.encoding;
      const spec = run.spec;
      if (!spec) {
        const h = run.header;
        const shown = h ? h.names.slice(0, 8).join(', ') + (h.names.length > 8 ? ', …' : '') : '';
        throw new FileError(
          `not a recognised export: the header (${shown}) matches none of the known formats (${SPECS.map((s) => s.label).join('; ')}). Map its columns by hand in the import view.`,
          '(header)',
          h?.line ?? 1,
        );
      }
      const known = importBySha(db, state.sha256);
      if (known) {
        // The same file mapped by hand after every row was rejected is a new reading of it, not a duplicate; the
        // first attempt stays in the list under a marked hash.
        if (opts.mapping && known.imported === 0) markRemapped(db, known.id, state.sha256);
        else throw new DuplicateFile(known.id);
      }
      // Linking orphans looks devices up by host key: that index comes back first when there are orphans, the rest
      // after the analysis, whose state UPDATE over every device would otherwise maintain them row by row.
      const kind = spec.kind;
      const { now: early, later: late } = indexesNow(ws, kind, run.deferred, opts.batch.indexes);
      for (const d of early) restoreIndex(db, d, opts.timings);
      if (kind === 'fleet' && linkOrphans(ws, run.idx!) > 0) opts.batch.touched = null;
      problems.finish(db);
      const wr = run.writer;
      finishImport(db, report.importId, {
        sha256: state.sha256,
        format: report.format,
        kind,
        rows: report.rows,
        imported: report.imported,
        rejected: report.rejected,
        duplicates: wr?.duplicates ?? 0,
        finishedAt: ws.now(),
        asOf: wr?.asOf ?? null,
      });
      if (kind === 'keys') opts.batch.keyCounts = true;
      else opts.batch.analyse = true;
      // Recorded only once this file's savepoint is sure to be kept: a rolled-back file must not add its indexes
      // (nor take back the batch's it built again).
      lateIndexes = late;
      builtNow = early;
      const ev = wr?.events;
      if (ev) {
        const noted = { from: eventsBefore, to: lastEventId(db), maxTs: wr.asOf ?? null, rings: ev.rings };
        kept.events = { noted, rows: ev.rows };
      }
      await audit(ws, 'import', {
        file: input.name,
        format: report.format,
        sha256: state.sha256,
        rows: report.rows,
        imported: report.imported,
        rejected: report.rejected,
        flagged: report.flagged,
      });
    });
    opts.batch.indexes = [...opts.batch.indexes.filter((d) => !builtNow.includes(d)), ...lateIndexes];
    // Like the indexes, only once the file's savepoint is kept.
    if (kept.events) noteEvents(opts.batch, kept.events.noted, kept.events.rows);
    report.sha256 = state.sha256;
    report.notes = report.notes.map(redactSecrets);
    return report;
  } catch (err) {
    // The file's savepoint was rolled back: devices it added are gone, so the shared index is loaded again.
    if (run.idx) {
      run.idx.free();
      if (opts.batch.idx === run.idx) opts.batch.idx = null;
    }
    report.encoding = state.encoding;
    report.sha256 = state.sha256;
    if (err instanceof DuplicateFile) return duplicateReport(report, err.importId);
    if (err instanceof FileError)
      return refusedReport(report, input.name, err, err instanceof SheetChoiceError ? err.sheets : undefined);
    if (err instanceof CancelledError || err instanceof EncodingRestart) throw err;
    throw err;
  } finally {
    problems.free();
    run.writer?.free();
  }
}

/** The sink a file's reader feeds: the header picks the writer (and may drop indexes for a bulk load), rows go to it. */
function fileSink(
  ws: Workspace,
  input: ImportInput,
  opts: FileOptions,
  report: IngestReport,
  problems: ProblemLog,
  run: FileRun,
): CsvSink {
  // The password column of a key file, the one cell a recovery password may stay in (the keys writer seals it): in
  // the file's columns, and in the rows as this sink gets them (compact rows hold fewer).
  let secretCol = -1;
  let rowSecretCol = -1;
  let read: number[] = [];
  let compactRows = false;
  return {
    header(h, compact) {
      // A file without a header row has its first record read as one; it may hold a password.
      redactRows([h.names], 1);
      run.header = h;
      report.header = h.names.slice(0, 500);
      report.notes.push(...h.notes);
      report.delimiter = h.delimiter;
      const spec = chooseSpec(ws, h.names, h.line, opts.mapping, report.notes);
      run.spec = spec;
      if (!spec) return false;
      report.format = spec.format;
      report.kind = spec.kind;
      // Loading the index reads every device: a batch loads it once, not once per file.
      const idx =
        (run.idx =
        opts.batch.idx ??=
          new DeviceIndex(ws.db, {
            lookup: opts.identity ? opts.identity === 'lookup' : lookupIdentity(ws, opts.batch.bytes),
          }));
      if (isBulk(ws, spec.kind, input.size, h.names.length)) run.deferred = dropIndexes(ws, spec.kind, idx.looksUp);
      const cols = resolveColumns(spec, h.names);
      const tsCols = columnsOf(spec, h.names, 'ts');
      read = readColumns(cols, tsCols);
      compactRows = compact === true;
      if (spec.kind === 'keys') secretCol = cols.key;
      // A reading thread hands over only the cells the writer reads: the writer is opened for that layout.
      const layout = compactRows ? compactColumns(h.names, cols, tsCols, read) : { header: h.names, cols, tsCols };
      rowSecretCol = spec.kind === 'keys' ? layout.cols.key : -1;
      const ctx: WriterContext = {
        ws,
        importId: report.importId!,
        format: spec.format,
        fileHeader: h.names,
        ...layout,
        idx,
        ...(opts.batch.touched ? { touched: opts.batch.touched } : {}),
        problems,
        asOf:
          opts.asOf !== undefined
            ? { at: opts.asOf, from: 'the time you gave' }
            : findAsOf(input.name, h.notes, input.lastModified),
        onAsOf: (a, n) =>
          report.notes.push(
            `${n} rows have no time of their own: taken as of ${new Date(a.at).toISOString().slice(0, 16).replace('T', ' ')} UTC, from ${a.from}`,
          ),
      };
      run.writer = openWriter(spec, ctx);
      return true;
    },
    plan: () => ({
      keep: secretCol,
      raw: run.writer?.rawRows === true,
      cols: read,
      compact: compactRows,
      ...(run.writer?.fleet ? { fleet: run.writer.fleet } : {}),
      ...(run.writer?.keys ? { keys: run.writer.keys } : {}),
    }),
    async rows(rows, lines, count) {
      report.rows += count;
      // Before any writer sees the rows: no table, flag or raw row gets a recovery password in clear. (A reading
      // thread's plan redacts them there too, and encodes the raw rows from its redacted copy.)
      redactRows(rows, count, rowSecretCol);
      report.imported += await run.writer!.write(rows, lines, count);
    },
  };
}
