// `ringside sample`: creates the workspace with the sample, exports the five files, and refuses to overwrite without --force.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeGroundTruth, fileChunks, SAMPLE_EXPORTS } from '../../../../core/sample/index.js';
import type { CliIo } from '../../../../electron/cli/context.js';
import { sampleCommand } from '../../../../electron/cli/sample.js';

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('ringside sample', () => {
  let dir: string;
  const home = process.env.RINGSIDE_HOME;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ringside-sample-cli-'));
    // The CLI keeps workspace keys in its config folder: give it a throwaway one.
    process.env.RINGSIDE_HOME = path.join(dir, 'config');
  });
  afterAll(async () => {
    if (home === undefined) delete process.env.RINGSIDE_HOME;
    else process.env.RINGSIDE_HOME = home;
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the workspace, writes the five files byte-identical to the generator, and prints JSON', async () => {
    const io = capture();
    const ws = path.join(dir, 'incident.ringside');
    const exp = path.join(dir, 'export');
    const code = await sampleCommand.run([ws, '--devices', '400', '--seed', '9', '--export-dir', exp, '--json'], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(io.stdout).toHaveLength(1);
    const out = JSON.parse(io.stdout[0]!) as { devices: number; seed: number; files: Array<Record<string, unknown>> };
    expect(out.devices).toBe(400);
    expect(out.seed).toBe(9);
    const truth = computeGroundTruth({ devices: 400, seed: 9 });
    for (const f of out.files) expect(f.rows).toBe(truth.files[f.file as string]);

    expect((await readdir(exp)).sort()).toEqual([...SAMPLE_EXPORTS, 'ground-truth.json'].sort());
    for (const name of SAMPLE_EXPORTS) {
      const want = Buffer.from([...fileChunks(name, { devices: 400, seed: 9 })].join(''), 'utf8');
      expect((await readFile(path.join(exp, name))).equals(want), name).toBe(true);
    }
    expect(JSON.parse(await readFile(path.join(exp, 'ground-truth.json'), 'utf8'))).toEqual(truth);
  });

  it('refuses to overwrite an existing workspace unless --force', async () => {
    const ws = path.join(dir, 'existing.ringside');
    await writeFile(ws, 'not a workspace');
    const io = capture();
    expect(await sampleCommand.run([ws, '--devices', '50'], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/already exists; pass --force/);
    expect(await readFile(ws, 'utf8')).toBe('not a workspace');

    const forced = capture();
    expect(await sampleCommand.run([ws, '--devices', '50', '--force'], forced)).toBe(0);
    expect(forced.stdout[0]).toMatch(/sample incident, 50 devices/);
  });

  it('rejects a bad size with a usage error', async () => {
    await expect(sampleCommand.run([path.join(dir, 'x.ringside'), '--devices', 'lots'], capture())).rejects.toThrow(
      /--devices must be a whole number/,
    );
    await expect(sampleCommand.run([path.join(dir, 'y.ringside'), '--devices', '0'], capture())).rejects.toThrow(
      /sample size must be/,
    );
  });
});
