// The CLI commands on a real workspace file: scripts (bundle on disk, refusals in JSON), rollback and playbooks.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../electron/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ringside-rem-cli-'));
process.env.RINGSIDE_HOME = path.join(dir, 'home');
const wsFile = path.join(dir, 'incident.ringside');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

describe('ringside scripts / rollback / playbooks', () => {
  beforeAll(async () => {
    const r = await run(['sample', wsFile, '--devices', '600', '--seed', '7']);
    expect(r.code, r.err).toBe(0);
  }, 120_000);

  it('playbooks lists ids and routes; --export prints a loadable file', async () => {
    const list = await run(['playbooks', '--json']);
    const ids = (JSON.parse(list.out) as { playbooks: Array<{ id: string }> }).playbooks.map((p) => p.id);
    expect(ids).toEqual(['cs-channel-291', 'linux-package-rollback', 'windows-update-rollback']);
    const exp = await run(['playbooks', '--export', 'cs-channel-291']);
    expect(JSON.parse(exp.out)).toMatchObject({ format: 'ringside-playbook', id: 'cs-channel-291' });
  });

  it('scripts writes the bundle, the manifest and KEYS-ROTATE.txt, and prints one JSON object', async () => {
    const out = path.join(dir, 'out');
    const r = await run([
      'scripts',
      wsFile,
      '--playbook',
      'cs-channel-291',
      '--state',
      'remaining',
      '--with-keys',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as {
      files: Array<{ path: string }>;
      refused: unknown[];
      counts: Record<string, number>;
    };
    expect(j.counts.devices).toBeGreaterThan(0);
    expect(Array.isArray(j.refused)).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['KEYS-ROTATE.txt', 'cs-channel-291', 'manifest.json']);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.files[0].path).toBe(j.files[0]!.path);
    // The workspace was saved with the audit entries: export the log and find them (key IDs only).
    const exported = await run(['audit', 'export', wsFile, '--format', 'jsonl']);
    expect(exported.code, exported.err).toBe(0);
    expect(exported.out).toContain('keys.include');
    expect(exported.out).toContain('scripts.generate');
    expect(exported.out).not.toMatch(/\d{6}(-\d{6}){7}/);
  });

  it('scripts refuses a bad parameter by name, and rollback prints the ring with its device count', async () => {
    const bad = await run([
      'scripts',
      wsFile,
      '--playbook',
      'windows-update-rollback',
      '--route',
      'wusa-cmd',
      '--param',
      'kb=KB50&calc',
      '--out',
      path.join(dir, 'bad'),
      '--json',
    ]);
    expect(bad.code).toBe(1);
    const j = JSON.parse(bad.out) as { refused: Array<{ device: string; field: string; reason: string }> };
    expect(j.refused[0]).toMatchObject({ device: '*', field: 'kb' });
    const rb = await run(['rollback', wsFile, '--vendor', 'falcon-content', '--ring', 'Broad', '--json']);
    expect(rb.code, rb.err).toBe(0);
    const plan = JSON.parse(rb.out) as { ring: string; affects: { devices: number } };
    expect(plan.ring).toBe('Broad');
    expect(plan.affects.devices).toBeGreaterThan(0);
    const unknown = await run(['rollback', wsFile, '--vendor', 'nope', '--ring', 'Broad']);
    expect(unknown.code).toBe(1);
  });
});
