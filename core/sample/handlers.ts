// Worker/CLI entry points of the sample domain: each takes the open workspace first.
import type { HandlerMap } from '../contract/handlers.js';
import type { GroundTruth } from './truth.js';
import type { SourceFormat } from '../contract/ingest.js';
import { throwIfCancelled, type JobOptions } from '../contract/jobs.js';
import { importFiles } from '../ingest/index.js';
import { meta, setMeta, type Workspace } from '../workspace.js';
import { computeGroundTruth, groundTruthJson, SAMPLE_EXPORTS, sampleImportInput, sampleOptions } from './index.js';

export interface SampleOptions {
  devices?: number;
  seed?: number;
}

export interface SampleFileResult {
  file: string;
  format: SourceFormat | 'unknown';
  rows: number;
  imported: number;
  rejected: number;
  duplicate: boolean;
  /** The generator's own count of data rows in this file. */
  expected: number;
}

export interface SampleLoadResult {
  devices: number;
  seed: number;
  files: SampleFileResult[];
}

export const SAMPLE_TRUTH_META = 'sample_truth';

/**
 * Generates the sample incident's export files and imports each through the real import path (as a user's files
 * would be), then stores the ground truth in meta. The files are one import batch: a cancel leaves the workspace as
 * it was.
 */
export async function loadSample(
  ws: Workspace,
  opts: SampleOptions = {},
  job: JobOptions = {},
): Promise<SampleLoadResult> {
  const o = sampleOptions(opts);
  const steps = SAMPLE_EXPORTS.length + 1;
  job.onProgress?.({ phase: 'sample: counting the ground truth', done: 0, total: steps });
  throwIfCancelled(job.signal);
  const truth = computeGroundTruth(o);
  throwIfCancelled(job.signal);
  job.onProgress?.({ phase: 'sample: importing the export files', done: 1, total: steps });
  const reports = await importFiles(
    ws,
    SAMPLE_EXPORTS.map((name) => sampleImportInput(name, o)),
    { signal: job.signal, onProgress: job.onProgress },
  );
  const files: SampleFileResult[] = reports.map((report, i) => ({
    file: SAMPLE_EXPORTS[i]!,
    format: report.format,
    rows: report.rows,
    imported: report.imported,
    rejected: report.rejected,
    duplicate: report.duplicate,
    expected: truth.files[SAMPLE_EXPORTS[i]!] ?? 0,
  }));
  setMeta(ws, SAMPLE_TRUTH_META, groundTruthJson(truth));
  job.onProgress?.({ phase: 'sample: done', done: steps, total: steps });
  return { devices: o.devices, seed: o.seed, files };
}

/** The ground truth of the sample loaded into this workspace, if any. */
export function sampleTruth(ws: Workspace): GroundTruth | null {
  const raw = meta(ws, SAMPLE_TRUTH_META);
  return raw ? (JSON.parse(raw) as GroundTruth) : null;
}

export const sampleHandlers = {
  /** Generates the built-in sample incident and imports its export files through the real import path. */
  loadSample: (ws: Workspace, opts: SampleOptions = {}, job?: JobOptions) => loadSample(ws, opts, job),
  sampleTruth: (ws: Workspace) => sampleTruth(ws),
} satisfies HandlerMap;
