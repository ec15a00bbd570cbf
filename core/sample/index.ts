// The sample incident's public surface: its export files as byte streams or import inputs, and its ground truth.
import type { ImportInput } from '../contract/ingest.js';
import { fileChunks, SAMPLE_FILES } from './files.js';
import type { PopulationOptions } from './model.js';
import { computeGroundTruth, type GroundTruth } from './truth.js';

export const DEFAULT_DEVICES = 20_000;
export const DEFAULT_SEED = 1907;
export const MAX_DEVICES = 2_000_000;

export type SampleExportName = (typeof SAMPLE_FILES)[number]['name'];
export const SAMPLE_EXPORTS: readonly SampleExportName[] = SAMPLE_FILES.map((f) => f.name);
export const GROUND_TRUTH_FILE = 'ground-truth.json';

export function sampleOptions(opts: { devices?: number; seed?: number } = {}): PopulationOptions {
  const devices = opts.devices ?? DEFAULT_DEVICES;
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(devices) || devices < 1 || devices > MAX_DEVICES)
    throw new RangeError(`sample size must be a whole number from 1 to ${MAX_DEVICES}, got ${devices}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`sample seed must be a whole number from 0 to 4294967295, got ${seed}`);
  return { devices, seed };
}

/** A rough size, for progress bars before the file exists. */
export function estimatedBytes(name: SampleExportName, devices: number): number {
  return SAMPLE_FILES.find((f) => f.name === name)!.bytesPerDevice * devices;
}

/** The file as UTF-8 bytes, produced on demand so memory stays flat at any size. */
export function sampleByteStream(name: SampleExportName, opts: PopulationOptions): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let it: Iterator<string> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      pull(ctrl) {
        it ??= fileChunks(name, opts)[Symbol.iterator]();
        const r = it.next();
        if (r.done) ctrl.close();
        else ctrl.enqueue(enc.encode(r.value));
      },
      cancel() {
        it?.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

/** The file as an ImportInput for the real import path; size is an estimate (the bytes are made as they are read). */
export function sampleImportInput(name: SampleExportName, opts: PopulationOptions): ImportInput {
  return { name, size: estimatedBytes(name, opts.devices), stream: () => sampleByteStream(name, opts) };
}

export function groundTruthJson(truth: GroundTruth): string {
  return JSON.stringify(truth, null, 2) + '\n';
}

export { computeGroundTruth, fileChunks, type GroundTruth, type PopulationOptions };
