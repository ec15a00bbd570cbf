// What an import tells about each file: the report the import view shows, and the log of its rejected and flagged rows.
import type { ImportFileReport, ImportRowError } from '../contract/ingest.js';
import { redactSecrets } from '../secrets/redact.js';
import type { Db } from '../store/db.js';
import { addImportError, ImportErrorWriter } from '../store/imports.js';
import type { SheetInfo } from './readers/xlsx.js';
import type { Problems } from './writers/types.js';

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

export function emptyReport(file: string, note?: string): IngestReport {
  return {
    file,
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
}

/**
 * Where a file's row problems go: counted in the report, grouped by reason, the first ones listed in the report and
 * up to MAX_STORED_ERRORS kept in import_errors.
 */
export class ProblemLog implements Problems {
  private stored = 0;
  private readonly groups = new Map<string, ReasonGroup>();
  private errStmt: ImportErrorWriter | null = null;

  constructor(private readonly report: IngestReport) {}

  /** From here on (the import's row exists) problems are stored as well as counted. */
  open(db: Db): void {
    this.errStmt = new ImportErrorWriter(db);
  }

  readonly reject = (line: number, field: string, message: string): void => {
    this.report.rejected++;
    this.record({ line, field, message });
  };

  readonly flag = (line: number, field: string, message: string): void => {
    this.report.flagged++;
    this.record({ line, field, message: `kept: ${message}` });
  };

  private record(e: ImportRowError): void {
    const report = this.report;
    // A message may quote a cell; one that quotes a recovery password is redacted before it is shown or stored.
    e = { line: e.line, field: redactSecrets(e.field), message: redactSecrets(e.message) };
    if (report.errors.length < MAX_REPORT_ERRORS) report.errors.push(e);
    // Rows differ in their values, not in their reason: quoted values are left out of the grouping ("x" is not a
    // Falcon AID, for 220 different x, is one reason).
    const message = e.message.replace(/"[^"]*"/g, '"…"').replace(/'[^']*'/g, "'…'");
    const exact = `${e.field}\0${message}`;
    const groups = this.groups;
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
    if (report.importId !== null && this.stored < MAX_STORED_ERRORS && this.errStmt) {
      this.errStmt.add(report.importId, e.line, e.field, e.message);
      this.stored++;
    }
  }

  /** One last stored line counts the problems beyond the stored ones. */
  finish(db: Db): void {
    const r = this.report;
    if (r.rejected + r.flagged > this.stored && this.stored >= MAX_STORED_ERRORS)
      addImportError(db, r.importId!, 0, '(file)', `${r.rejected + r.flagged - this.stored} more problems not listed`);
  }

  free(): void {
    this.errStmt?.free();
    this.errStmt = null;
  }
}

/** The report of a file that was imported before: nothing was added. */
export function duplicateReport(report: IngestReport, importId: number): IngestReport {
  return {
    ...report,
    duplicate: true,
    importId,
    rows: 0,
    imported: 0,
    rejected: 0,
    flagged: 0,
    errors: [],
    notes: [...report.notes.map(redactSecrets), 'this exact file was imported before; nothing was added'],
  };
}

/** The report of a file refused as a whole: one error naming the file, every row it had read counted as rejected. */
export function refusedReport(
  report: IngestReport,
  fileName: string,
  err: { message: string; field: string; line: number },
  sheets?: SheetInfo[],
): IngestReport {
  // Archive and workbook checks name the file themselves.
  const named = err.message.startsWith(`${fileName}:`) || err.message.startsWith(`${fileName} `);
  return {
    ...report,
    importId: null,
    imported: 0,
    notes: report.notes.map(redactSecrets),
    errors: [
      {
        line: err.line,
        field: err.field,
        message: redactSecrets(named ? err.message : `${fileName}: ${err.message}`),
      },
    ],
    rejected: report.rows,
    ...(sheets ? { sheets } : {}),
  };
}
