// The import path: stream → decode → CSV → detect format → writers; one transaction per batch, idempotent by content hash.
import { recompute, refreshKeyCounts } from '../analysis/recompute.js';
import { CancelledError, throwIfCancelled, type JobOptions } from '../contract/jobs.js';
import { type ImportFileReport, type ImportInput, type ImportKind, type ImportRowError } from '../contract/ingest.js';
import { redactRows, redactSecrets } from '../secrets/redact.js';
import { countDevices } from '../store/device-writes.js';
import { linkOrphanEvents } from '../store/event-writes.js';
import {
  addImportError,
  beginImport,
  finishImport,
  ImportErrorWriter,
  importBySha,
  markRemapped,
} from '../store/imports.js';
import { linkKeys, orphanKeys } from '../store/keys.js';
import { dropIndex, indexesOf, restoreIndex, tableSize, type IndexDef } from '../store/staging.js';
import { audit, type Workspace } from '../workspace.js';
import { readCsv, type CsvHeader, type CsvSink } from './csv.js';
import {
  contentHash,
  flattenRecords,
  isZip,
  jsonRecords,
  looksLikeJson,
  looksLikeManageBde,
  MAX_JSON_BYTES,
  MAX_ZIP_BYTES,
  parseJsonBytes,
  parseManageBde,
  peekBytes,
  pickExport,
  readWhole,
} from './containers.js';
import {
  decodeText,
  EncodingRestart,
  FileError,
  sniffEncoding,
  type DecodeState,
  type TextEncoding,
} from './decode.js';
import { columnsOf, detectFormat, resolveColumns, SPECS, type FormatSpec } from './formats.js';
import { findAsOf, type AsOf } from './as-of.js';
import { DeviceIndex } from './identity.js';
import { genericSpec, mappingProblem, saveMapping, savedMapping, type ColumnMapping } from './mapping.js';
import { ZipArchive } from './zip.js';
import { readXlsx, SheetChoiceError, type SheetInfo } from './xlsx.js';
import { sniffWorkbook } from './xlsx-sniff.js';
import { looksLikeEventText, looksLikeEventXml, readWinEvents } from './winevents.js';
import { fleetWriter, keyHostHint, keysWriter, rolloutWriter, type Writer, type WriterContext } from './writers.js';

export { findKeys, keyProblem, normKeyId } from './keys.js';
export { RawReader, rawRow } from '../store/raw-rows.js';
export { importErrors, listImports, type ImportSummary } from './import-log.js';
export type { ColumnMapping } from './mapping.js';
export type { SheetInfo } from './xlsx.js';

export interface ImportOptions extends JobOptions {
  /** For files no signature recognises: how their columns map onto fields (from the mapping step). */
  mapping?: ColumnMapping;
  /** The "as of" time (epoch ms) the user gave for files whose rows carry no time; overrides what is found. */
  asOf?: number;
  /** Per file of a batch (same order as the inputs): the "as of" time the user confirmed for it; wins over asOf. */
  asOfEach?: (number | null)[];
  /** For a workbook: the sheet to read (needed when several sheets look like data). */
  sheet?: string;
}
export { hostKey, parseDate } from './normalize.js';

/** What importFile returns: the shared report plus the details the import view shows. */
export interface IngestReport extends ImportFileReport {
  /** Rows imported with a note on one value (an invalid key kept, a date left empty…). */
  flagged: number;
  encoding: string | null;
  delimiter: string | null;
  /** File-level notes: skipped preamble lines, renamed duplicate columns, encoding fallback. */
  notes: string[];
  sha256: string | null;
  /** The header row as read (for the column-mapping step when the format is unknown). */
  header: string[] | null;
  /** Every rejected or flagged row grouped by identical field and message, largest group first, with its first lines. */
  reasons: ReasonGroup[];
  /** Device records this file added (new machines, or new records later linked as stale duplicates). */
  devicesAdded: number;
  /** A workbook: the sheet read, or (when several look like data and none was chosen) the sheets to choose from. */
  sheet?: string;
  sheets?: SheetInfo[];
}

export interface ReasonGroup {
  field: string;
  message: string;
  count: number;
  /** The first few line numbers with this reason. */
  lines: number[];
}

/** Distinct reasons kept per file; rows with further reasons are counted in one last "other reasons" group. */
const MAX_REASON_GROUPS = 50;
const REASON_LINES = 5;

/** Rejected rows kept in import_errors per file; beyond this only a count is recorded. */
const MAX_STORED_ERRORS = 10_000;
/** Rejected rows returned in the report itself. */
const MAX_REPORT_ERRORS = 100;
/** Below this many (estimated) rows a file never triggers an index rebuild. */
const BULK_MIN_ROWS = 5_000;

class DuplicateFile extends Error {
  constructor(readonly importId: number) {
    super('duplicate');
  }
}

/**
 * What the files of one batch leave for its end: the analysis and the index rebuilds run once for all of them, not
 * once per file (each is a pass over the whole fleet or event log).
 */
interface Batch {
  /** The device index, shared by the batch's files while their rows stand (rebuilt after a file is rolled back). */
  idx: DeviceIndex | null;
  analyse: boolean;
  keyCounts: boolean;
  indexes: { name: string; sql: string }[];
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
  const batch: Batch = { idx: null, analyse: false, keyCounts: false, indexes: [] };
  const many = inputs.length > 1;
  try {
    return await ws.db.txAsync(async () => {
      const reports: IngestReport[] = [];
      for (const input of inputs) {
        throwIfCancelled(opts.signal);
        const onProgress = opts.onProgress;
        const before = deviceRows(ws);
        const given = opts.asOfEach?.[inputs.indexOf(input)];
        const report = await importOne(ws, input, {
          ...opts,
          ...(given != null ? { asOf: given } : {}),
          // Several files: each phase names its file, so the progress line says which one is being read.
          onProgress: onProgress && many ? (p) => onProgress({ ...p, phase: `${input.name}: ${p.phase}` }) : onProgress,
          batch,
        });
        report.devicesAdded = Math.max(0, deviceRows(ws) - before);
        report.reasons.sort((a, b) => b.count - a.count || a.lines[0]! - b.lines[0]!);
        reports.push(report);
      }
      throwIfCancelled(opts.signal);
      // The index holds every device's IDs and names (hundreds of MiB at a million devices): let it go before the
      // analysis and the index rebuilds, the steps that need the most memory.
      batch.idx?.free();
      batch.idx = null;
      finishBatch(ws, batch, opts);
      return reports;
    });
  } finally {
    batch.idx?.free();
  }
}

/** What the import view asks about a file before importing it: the "as of" time found for its rows without a time. */
export interface AsOfProbe {
  format: string;
  /** What was found (banner, file name, modified time), or null when nothing was: the user must give a time. */
  found: AsOf | null;
}

/**
 * Reads only a file's header: a recognised status report without a time column (Autopatch's default columns) gives
 * its rows the export's "as of" time, which the import view shows and lets the user change before the import.
 * Null for every other file (rows with their own times, fleet lists, keys, unknown or unreadable files).
 */
export async function probeAsOf(
  _ws: Workspace,
  input: ImportInput,
  opts: Pick<ImportOptions, 'sheet'> = {},
): Promise<AsOfProbe | null> {
  const state: DecodeState = { encoding: null, bom: false, bytes: 0, sha256: null, notes: [] };
  let out: AsOfProbe | null = null;
  const sink: CsvSink = {
    header(h) {
      const spec = detectFormat(h.names);
      if (spec?.kind === 'rollout' && columnsOf(spec, h.names, 'ts').length === 0)
        out = { format: spec.format, found: findAsOf(input.name, h.notes, input.lastModified) };
      return false;
    },
    rows() {},
  };
  try {
    await readInput(input, state, opts, sink, []);
  } catch {
    // The import itself reports what is wrong with the file; the probe only has nothing to ask.
    return null;
  }
  return out;
}

function deviceRows(ws: Workspace): number {
  return countDevices(ws.db);
}

/** The batch's deferred work: one analysis (or only the key counts), then the indexes dropped for bulk loads. */
function finishBatch(ws: Workspace, batch: Batch, opts: JobOptions): void {
  if (batch.analyse || batch.keyCounts) opts.onProgress?.({ phase: 'analyse', done: 0, total: 0 });
  // Keys never change a device's state or exposure, only the key counts: the full analysis is skipped for them.
  if (batch.analyse) recompute(ws);
  else if (batch.keyCounts) refreshKeyCounts(ws);
  const late = batch.indexes;
  if (late.length) {
    opts.onProgress?.({ phase: 'index', done: 0, total: late.length });
    late.forEach((d, i) => {
      restoreIndex(ws.db, d);
      opts.onProgress?.({ phase: 'index', done: i + 1, total: late.length });
    });
  }
}

async function importOne(
  ws: Workspace,
  input: ImportInput,
  opts: ImportOptions & { batch: Batch },
): Promise<IngestReport> {
  try {
    return await attempt(ws, input, opts);
  } catch (err) {
    if (err instanceof EncodingRestart) {
      const note = `the file is not valid UTF-8 (first bad byte near ${err.offset}); it was read as Windows-1252`;
      return attempt(ws, input, opts, 'windows-1252', note);
    }
    throw err;
  }
}

async function attempt(
  ws: Workspace,
  input: ImportInput,
  opts: ImportOptions & { batch: Batch },
  force?: TextEncoding,
  note?: string,
): Promise<IngestReport> {
  const report: IngestReport = {
    file: input.name,
    format: 'unknown',
    kind: null,
    rows: 0,
    imported: 0,
    rejected: 0,
    duplicate: false,
    errors: [],
    importId: null,
    flagged: 0,
    encoding: null,
    delimiter: null,
    notes: note ? [note] : [],
    sha256: null,
    header: null,
    reasons: [],
    devicesAdded: 0,
  };
  const groups = new Map<string, ReasonGroup>();
  const state: DecodeState = { encoding: null, bom: false, bytes: 0, sha256: null, notes: [] };
  const db = ws.db;
  let stored = 0;
  let errStmt: ImportErrorWriter | null = null;
  let writer: Writer | null = null;
  let idx: DeviceIndex | null = null;
  let deferred: { name: string; sql: string }[] = [];
  const record = (e: ImportRowError) => {
    // A message may quote a cell; one that quotes a recovery password is redacted before it is shown or stored.
    e = { line: e.line, field: redactSecrets(e.field), message: redactSecrets(e.message) };
    if (report.errors.length < MAX_REPORT_ERRORS) report.errors.push(e);
    // Rows differ in their values, not in their reason: quoted values are left out of the grouping ("x" is not a
    // Falcon AID, for 220 different x, is one reason).
    const message = e.message.replace(/"[^"]*"/g, '"…"').replace(/'[^']*'/g, "'…'");
    const exact = `${e.field}\0${message}`;
    const key = groups.size < MAX_REASON_GROUPS || groups.has(exact) ? exact : '';
    let g = groups.get(key);
    if (!g) {
      g = key
        ? { field: e.field, message, count: 0, lines: [] }
        : { field: '', message: 'other reasons', count: 0, lines: [] };
      groups.set(key, g);
      // The report holds the live group objects; they are sorted when the file is done.
      report.reasons.push(g);
    }
    g.count++;
    if (g.lines.length < REASON_LINES) g.lines.push(e.line);
    if (report.importId !== null && stored < MAX_STORED_ERRORS && errStmt) {
      errStmt.add(report.importId, e.line, e.field, e.message);
      stored++;
    }
  };
  const problems = {
    reject(line: number, field: string, message: string) {
      report.rejected++;
      record({ line, field, message });
    },
    flag(line: number, field: string, message: string) {
      report.flagged++;
      record({ line, field, message: `kept: ${message}` });
    },
  };

  let lateIndexes: { name: string; sql: string }[] = [];
  try {
    await db.txAsync(async () => {
      report.importId = beginImport(db, input.name, `pending:${crypto.randomUUID()}`, ws.now());
      errStmt = new ImportErrorWriter(db);
      let spec: FormatSpec | null = null;
      let header: CsvHeader | null = null;
      // The password column of a key file, the one cell a recovery password may stay in (the keys writer seals it).
      let secretCol = -1;
      const sink: CsvSink = {
        header(h) {
          // A file without a header row has its first record read as one; it may hold a password.
          redactRows([h.names], 1);
          header = h;
          report.header = h.names.slice(0, 500);
          report.notes.push(...h.notes);
          report.delimiter = h.delimiter;
          // A mapping given by hand wins over recognition: any file can be mapped, recognised or not.
          spec = opts.mapping ? null : detectFormat(h.names);
          if (!spec) {
            const m = opts.mapping ?? savedMapping(ws, h.names);
            if (!m) return false;
            const problem = mappingProblem(m, h.names);
            if (problem)
              throw new FileError(`the column mapping does not fit this file: ${problem}`, '(header)', h.line);
            spec = genericSpec(m);
            if (opts.mapping && opts.mapping.save !== false) saveMapping(ws, h.names, opts.mapping);
            report.notes.push(
              opts.mapping
                ? 'imported with the column mapping you chose'
                : 'imported with the column mapping saved for this header',
            );
          }
          report.format = spec.format;
          report.kind = spec.kind;
          // Loading the index reads every device: a batch loads it once, not once per file.
          idx = opts.batch.idx ??= new DeviceIndex(db);
          if (isBulk(ws, spec.kind, input.size, h.names.length)) deferred = dropIndexes(ws, spec.kind);
          const ctx: WriterContext = {
            ws,
            importId: report.importId!,
            format: spec.format,
            header: h.names,
            cols: resolveColumns(spec, h.names),
            tsCols: columnsOf(spec, h.names, 'ts'),
            idx,
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
          if (spec.kind === 'keys') secretCol = ctx.cols.key;
          writer =
            spec.kind === 'fleet' ? fleetWriter(ctx) : spec.kind === 'keys' ? keysWriter(ctx) : rolloutWriter(ctx);
          return true;
        },
        async rows(rows, lines, count) {
          report.rows += count;
          // Before any writer sees the rows: no table, flag or raw row gets a recovery password in clear.
          redactRows(rows, count, secretCol);
          report.imported += await writer!.write(rows, lines, count);
        },
      };
      await readInput(input, state, { ...opts, force }, sink, report.notes, (s) => (report.sheet = s));
      await (writer as Writer | null)?.finish?.();
      report.encoding = state.encoding;
      if (!spec) {
        const h = header as CsvHeader | null;
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
      // Linking orphans looks devices up by host key: that index comes back first, the rest after the analysis,
      // whose state UPDATE over every device would otherwise maintain them row by row.
      const early = deferred.filter((d) => d.name === 'ix_devices_host_key');
      const late = deferred.filter((d) => d.name !== 'ix_devices_host_key');
      for (const d of early) restoreIndex(db, d);
      const kind = (spec as FormatSpec).kind;
      if (kind === 'fleet') linkOrphans(ws, idx!);
      if (report.rejected + report.flagged > stored && stored >= MAX_STORED_ERRORS)
        addImportError(
          db,
          report.importId!,
          0,
          '(file)',
          `${report.rejected + report.flagged - stored} more problems not listed`,
        );
      const wr = writer as Writer | null;
      finishImport(db, report.importId!, {
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
      // Recorded only once this file's savepoint is sure to be kept: a rolled-back file must not add its indexes.
      lateIndexes = late;
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
    opts.batch.indexes.push(...lateIndexes);
    report.sha256 = state.sha256;
    report.notes = report.notes.map(redactSecrets);
    return report;
  } catch (err) {
    // The file's savepoint was rolled back: devices it added are gone, so the shared index is loaded again.
    if (idx) {
      (idx as DeviceIndex).free();
      if (opts.batch.idx === idx) opts.batch.idx = null;
    }
    report.encoding = state.encoding;
    report.sha256 = state.sha256;
    if (err instanceof DuplicateFile) {
      return {
        ...report,
        duplicate: true,
        importId: err.importId,
        rows: 0,
        imported: 0,
        rejected: 0,
        flagged: 0,
        errors: [],
        notes: [...report.notes.map(redactSecrets), 'this exact file was imported before; nothing was added'],
      };
    }
    if (err instanceof FileError) {
      // Archive and workbook checks name the file themselves.
      const named = err.message.startsWith(`${input.name}:`) || err.message.startsWith(`${input.name} `);
      return {
        ...report,
        importId: null,
        imported: 0,
        notes: report.notes.map(redactSecrets),
        errors: [
          {
            line: err.line,
            field: err.field,
            message: redactSecrets(named ? err.message : `${input.name}: ${err.message}`),
          },
        ],
        rejected: report.rows,
        ...(err instanceof SheetChoiceError ? { sheets: err.sheets } : {}),
      };
    }
    if (err instanceof CancelledError || err instanceof EncodingRestart) throw err;
    throw err;
  } finally {
    (errStmt as ImportErrorWriter | null)?.free();
    (writer as Writer | null)?.free();
  }
}

/** Sends the file's records to the sink: CSV streamed, ZIP and JSON read whole (hash of the outer bytes either way). */
async function readInput(
  input: ImportInput,
  state: DecodeState,
  opts: ImportOptions & { force?: TextEncoding },
  sink: CsvSink,
  notes: string[],
  onSheet: (sheet: string) => void = () => undefined,
): Promise<void> {
  const head = await peekBytes(input);
  if (head.byteLength === 0) throw new FileError('the file is empty (0 bytes)');
  // An OLE container is an encrypted workbook or an .xls: the sniff says which, in one sentence naming the file.
  if (isCfbLike(head)) {
    sniffWorkbook(await readWhole(input, MAX_ZIP_BYTES, opts), input.name);
    throw new FileError('it is an OLE compound file (not an export Ringside reads)');
  }
  if (isZip(head)) {
    const bytes = await readWhole(input, MAX_ZIP_BYTES, opts);
    state.bytes = bytes.byteLength;
    if (isWorkbook(bytes, input.name)) {
      const sheet = await readXlsx(bytes, input.name, sink, notes, opts);
      onSheet(sheet);
      // One workbook read as different sheets is different content: the sheet is part of its identity.
      const hash = await contentHash(bytes);
      state.sha256 = opts.sheet ? await contentHash(new TextEncoder().encode(`${hash}\n${sheet}`)) : hash;
      return;
    }
    // The directory is checked against the limits here, before any entry is inflated; the entry is then streamed.
    const zip = new ZipArchive(bytes, input.name);
    const { entry, notes: zipNotes } = pickExport(zip);
    notes.push(...zipNotes);
    if (looksLikeJson(await zip.head(entry)))
      await feedJson(parseJsonBytes(await zip.read(entry, MAX_JSON_BYTES)), sink);
    else {
      const innerInput: ImportInput = { name: entry.name, size: entry.size, stream: () => zip.stream(entry) };
      const innerState: DecodeState = { encoding: null, bom: false, bytes: 0, sha256: null, notes: [] };
      await readCsv(decodeText(innerInput, innerState, opts), sink);
      state.encoding = innerState.encoding;
    }
    state.sha256 = await contentHash(bytes);
    return;
  }
  const headEncoding = sniffEncodingSafe(head);
  const headText = new TextDecoder(headEncoding).decode(head);
  if (looksLikeManageBde(headText)) {
    const bytes = await readWhole(input, MAX_JSON_BYTES, opts);
    state.bytes = bytes.byteLength;
    state.encoding = headEncoding;
    const t = parseManageBde(new TextDecoder(state.encoding).decode(bytes));
    if (sink.header({ names: t.names, line: 1, delimiter: '', notes: ['manage-bde -protectors -get output'] }))
      await sink.rows(t.rows, t.lines, t.rows.length);
    state.sha256 = await contentHash(bytes);
    return;
  }
  const events = looksLikeEventXml(headText) ? 'xml' : looksLikeEventText(headText) ? 'text' : null;
  if (events) return readWinEvents(decodeText(input, state, opts), sink, notes, events);
  if (looksLikeJson(head)) {
    const bytes = await readWhole(input, MAX_JSON_BYTES, opts);
    state.bytes = bytes.byteLength;
    state.encoding = sniffEncoding(head).encoding;
    await feedJson(parseJsonBytes(bytes), sink);
    state.sha256 = await contentHash(bytes);
    return;
  }
  await readCsv(decodeText(input, state, opts), sink);
}

const isCfbLike = (b: Uint8Array) => b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0;

/** An XLSX by its ZIP directory; a cut-off ZIP named .xlsx gets the workbook's message, any other the archive's. */
function isWorkbook(bytes: Uint8Array, name: string): boolean {
  try {
    return sniffWorkbook(bytes, name) === 'xlsx';
  } catch (e) {
    if (/\.xls[xm]$/i.test(name)) throw e;
    return false;
  }
}

function sniffEncodingSafe(head: Uint8Array): TextEncoding {
  try {
    return sniffEncoding(head).encoding;
  } catch {
    return 'utf-8';
  }
}

async function feedJson(doc: unknown, sink: CsvSink): Promise<void> {
  const { names, rows } = flattenRecords(jsonRecords(doc));
  if (
    !sink.header({
      names,
      line: 1,
      delimiter: '',
      notes: [`JSON: ${rows.length} records; "line" is the record number`],
    })
  )
    return;
  for (let i = 0; i < rows.length; i += 5000) {
    const part = rows.slice(i, i + 5000);
    await sink.rows(
      part,
      part.map((_, j) => i + j + 1),
      part.length,
    );
  }
}

/**
 * Whether a load is big enough, against what the table already holds, that dropping its indexes and building them
 * again afterwards (one sort each) beats maintaining them row by row (random B-tree inserts for every row).
 */
function isBulk(ws: Workspace, kind: ImportKind, bytes: number, columns: number): boolean {
  const table = kind === 'fleet' ? 'devices' : kind === 'rollout' ? 'events' : 'keys';
  // Export rows run about a dozen bytes per column; MAX(id) is the table's size without a scan.
  const rows = bytes / Math.max(48, columns * 12);
  if (rows < BULK_MIN_ROWS) return false;
  const have = tableSize(ws.db, table);
  return rows * 4 >= have;
}

/**
 * Indexes the load itself reads: linking a reimaged machine's records (`superseded_by = ?`) scans the whole device
 * table once per stale record without it.
 */
const KEEP_INDEXES = new Set(['ix_devices_superseded']);
/** Device indexes over the columns the analysis writes (state). */
const STATE_INDEXES = ['ix_devices_state', 'ix_devices_site_ring'];
/**
 * Unique indexes that may be rebuilt after a load: DeviceIndex's maps already keep these IDs unique while it runs,
 * and rebuilding them fails (rolling the import back) if that were ever not so.
 */
const REBUILD_UNIQUE = new Set(['ux_devices_falcon', 'ux_devices_entra', 'ux_devices_intune']);

/** Drops the indexes of the tables a bulk load writes, returning their definitions to recreate after. */
function dropIndexes(ws: Workspace, kind: ImportKind): IndexDef[] {
  const tables = kind === 'fleet' ? ['devices', 'device_sources'] : kind === 'rollout' ? ['events'] : ['keys'];
  // After a large event load the analysis rewrites most devices' state: indexes over state would be updated row by
  // row, so they are rebuilt afterwards as well.
  const extra = kind === 'rollout' ? STATE_INDEXES : [];
  const rows = indexesOf(ws.db, tables, extra).filter(
    (r) => !KEEP_INDEXES.has(r.name) && (!/^\s*CREATE\s+UNIQUE/i.test(r.sql) || REBUILD_UNIQUE.has(r.name)),
  );
  for (const r of rows) dropIndex(ws.db, r.name);
  return rows;
}

/** After fleet data arrives, attach events and keys that were imported before their devices were known. */
function linkOrphans(ws: Workspace, idx: DeviceIndex): void {
  linkOrphanEvents(ws.db);
  const links: [number, number][] = [];
  for (const k of orphanKeys(ws.db)) {
    const h = keyHostHint(k.host_hint);
    const id = idx.lookup(h.key, h.hostKey);
    if (id !== null) links.push([id, k.id]);
  }
  linkKeys(ws.db, links);
}
