// The ingest domain's public face: import files (pipeline), ask about a file first (probe), the import log, keys.
export { importFile, importFiles, type ImportOptions } from './pipeline.js';
export { probeAsOf, type AsOfProbe } from './probe.js';
export type { IngestReport, ReasonGroup } from './report.js';
export { importErrors, listImports, type ImportSummary } from './import-log.js';
export { findKeys, keyProblem, normKeyId } from './keys.js';
export { hostKey, parseDate } from './normalize.js';
export { RawReader, rawRow } from '../store/raw-rows.js';
export type { ColumnMapping } from './mapping.js';
export type { SheetInfo } from './readers/xlsx.js';
