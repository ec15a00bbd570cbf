// `ringside sample <workspace> [--devices N] [--seed S] [--export-dir DIR] [--force] [--json]`: the built-in sample incident.
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import {
  computeGroundTruth,
  DEFAULT_DEVICES,
  DEFAULT_SEED,
  fileChunks,
  GROUND_TRUTH_FILE,
  groundTruthJson,
  SAMPLE_EXPORTS,
  sampleOptions,
  type GroundTruth,
  type PopulationOptions,
} from '../../core/sample/index.js';
import { journalPath, previousPath } from '../storage.js';
import { handlers, parse, printJson, UsageError, withWorkspace, type CliIo, type Command } from './context.js';

/** Streams one generated file to disk, waiting on the stream when its buffer is full (flat memory at any size). */
async function writeChunks(file: string, chunks: Iterable<string>): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  try {
    for (const chunk of chunks) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return bytes;
}

/** Writes the four export files and ground-truth.json into dir; returns the truth and each file's size. */
export async function writeSampleFiles(
  dir: string,
  opts: PopulationOptions,
): Promise<{ truth: GroundTruth; files: Array<{ file: string; path: string; bytes: number }> }> {
  await mkdir(dir, { recursive: true });
  const files: Array<{ file: string; path: string; bytes: number }> = [];
  for (const name of SAMPLE_EXPORTS) {
    const p = path.join(dir, name);
    files.push({ file: name, path: p, bytes: await writeChunks(p, fileChunks(name, opts)) });
  }
  const truth = computeGroundTruth(opts);
  const p = path.join(dir, GROUND_TRUTH_FILE);
  files.push({ file: GROUND_TRUTH_FILE, path: p, bytes: await writeChunks(p, [groundTruthJson(truth)]) });
  return { truth, files };
}

function whole(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  // 100k / 1m shorthands, as the bench takes them.
  const m = /^(\d+)(k|m)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--${name} must be a whole number (or 100k / 1m), got '${text}'`);
  return Number(m[1]) * (m[2] ? (m[2].toLowerCase() === 'k' ? 1000 : 1_000_000) : 1);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

export const sampleCommand: Command = {
  name: 'sample',
  usage: 'ringside sample <workspace> [--devices N] [--seed S] [--export-dir DIR] [--force] [--json]',
  summary: `create a workspace holding the built-in sample incident (default ${DEFAULT_DEVICES} devices, seed ${DEFAULT_SEED}); --export-dir also writes its export files`,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(args, {
      devices: { type: 'string' },
      seed: { type: 'string' },
      'export-dir': { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const [workspace, ...rest] = positionals;
    if (!workspace || rest.length) throw new UsageError('exactly one workspace file is required');
    let opts: PopulationOptions;
    try {
      opts = sampleOptions({
        devices: whole('devices', values.devices, DEFAULT_DEVICES),
        seed: whole('seed', values.seed, DEFAULT_SEED),
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const abs = path.resolve(workspace);
    if (await exists(abs)) {
      if (!values.force) {
        io.err(`ringside sample: ${abs} already exists; pass --force to replace it with the sample`);
        return 1;
      }
      for (const f of [abs, journalPath(abs), previousPath(abs)]) await rm(f, { force: true });
    }

    let exported: Awaited<ReturnType<typeof writeSampleFiles>> | null = null;
    if (values['export-dir']) {
      const dir = path.resolve(values['export-dir']);
      if (!values.json) io.err(`writing the sample's export files to ${dir}`);
      exported = await writeSampleFiles(dir, opts);
    }

    let lastPhase = '';
    const result = await withWorkspace(abs, { write: true, create: true }, (ws) =>
      handlers.loadSample(ws, opts, {
        onProgress: (p) => {
          // One line per phase, not per batch.
          if (!values.json && p.phase !== lastPhase) io.err(`  ${(lastPhase = p.phase)}`);
        },
      }),
    );
    const bad = result.files.filter((f) => f.rejected > 0 || (!f.duplicate && f.rows !== f.expected));
    if (values.json) {
      printJson(io, {
        workspace: abs,
        devices: result.devices,
        seed: result.seed,
        files: result.files,
        exportDir: exported ? path.resolve(values['export-dir']!) : null,
        exported: exported?.files.map(({ file, bytes }) => ({ file, bytes })) ?? [],
      });
    } else {
      io.out(`${abs}: sample incident, ${result.devices} devices (seed ${result.seed})`);
      for (const f of result.files)
        io.out(
          `  ${f.file}: ${f.format}, ${f.rows} rows, ${f.imported} imported, ${f.rejected} rejected${f.duplicate ? ' (already imported)' : ''}`,
        );
      if (exported) for (const f of exported.files) io.out(`  wrote ${f.path} (${f.bytes} bytes)`);
    }
    if (bad.length) {
      io.err(`ringside sample: ${bad.map((f) => f.file).join(', ')} did not import cleanly (see the counts above)`);
      return 1;
    }
    return 0;
  },
};
