// Batch under Debian's wine cmd: the ASCII corpus is refused or echoed back intact, and the WinRE route deletes only 291 files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateScripts } from '../../../../core/remediation/generate.js';
import { batchToken } from '../../../../core/remediation/quote.js';
import { ASCII_CORPUS } from './corpus.js';
import { sampleFleet, workspace } from './helpers.js';
import { driveC, ensurePrefix, prefix, wine, wineEnv } from './wine.js';

// A skip must say why: CI installs wine64 (.ci/run); elsewhere the batch corpus needs it too.
if (!wine) console.warn('wine not installed (apt-get install -y wine64): skipping the batch-under-wine tests');
const env = wineEnv();

function runCmd(script: string, name: string): { status: number | null; out: string } {
  writeFileSync(path.join(driveC, name), script.replace(/\r?\n/g, '\r\n'));
  const r = spawnSync(wine!, ['cmd', '/c', `C:\\${name}`], { env, cwd: driveC, timeout: 240_000 });
  return { status: r.status, out: r.stdout.toString() + r.stderr.toString() };
}

describe.skipIf(!wine)('batch under wine cmd', () => {
  beforeAll(() => {
    ensurePrefix();
  }, 300_000);

  it('ASCII corpus: each value is refused with a named error or echoed back byte for byte; no canary', () => {
    const accepted: string[] = [];
    const lines = ['@echo off', 'setlocal EnableExtensions DisableDelayedExpansion', 'del /q C:\\out.txt 2>nul'];
    for (const s of ASCII_CORPUS) {
      const q = batchToken(s);
      if (!q.ok) {
        expect(q.code).toMatch(/^(batch-char|empty|too-long)$/);
        expect(q.reason.length).toBeGreaterThan(5);
        continue;
      }
      accepted.push(s);
      lines.push(`>>C:\\out.txt echo [${q.text}]`);
    }
    rmSync(path.join(driveC, 'CANARY'), { force: true });
    const r = runCmd(lines.join('\n') + '\n', 'corpus.cmd');
    expect(r.status, r.out).toBe(0);
    const got = readFileSync(path.join(driveC, 'out.txt'), 'latin1').split(/\r?\n/).filter(Boolean);
    expect(got).toEqual(accepted.map((s) => `[${s}]`));
    expect(accepted.length).toBeGreaterThan(5);
    expect(existsSync(path.join(driveC, 'CANARY'))).toBe(false);
  }, 300_000);

  it('the WinRE route run against a fake drive tree deletes only C-00000291*.sys and logs it; a second run is a no-op', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    const b = await generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'winre-cmd',
      target: { site: 'LON', ring: 'Broad' },
      withKeys: true,
    });
    const tree = path.join(tmpdir(), `ringside-rem-drive-${process.pid}`);
    rmSync(tree, { recursive: true, force: true });
    const cs = path.join(tree, 'Windows', 'System32', 'drivers', 'CrowdStrike');
    mkdirSync(cs, { recursive: true });
    const keep = [
      'C-00000290-00000000-00000032.sys',
      'C-00000285-00000000-00000001.sys',
      'other.sys',
      'C-00000291.txt',
    ];
    const gone = ['C-00000291-00000000-00000032.sys', 'C-00000291-00000000-00000033.sys'];
    for (const f of [...keep, ...gone]) writeFileSync(path.join(cs, f), 'xx');
    writeFileSync(path.join(tree, 'Windows', 'System32', 'drivers', 'C-00000291-outside.sys'), 'x');
    const link = path.join(prefix, 'dosdevices', 'q:');
    rmSync(link, { force: true });
    symlinkSync(tree, link);
    rmSync(path.join(driveC, 'ringside-cs-channel-291.log'), { force: true });
    try {
      const first = runCmd(b.files[0]!.content, 'winre.cmd');
      expect(first.status, first.out).toBe(0);
      expect(readdirSync(cs).sort()).toEqual([...keep].sort());
      expect(existsSync(path.join(tree, 'Windows', 'System32', 'drivers', 'C-00000291-outside.sys'))).toBe(true);
      const log = readFileSync(path.join(driveC, 'ringside-cs-channel-291.log'), 'latin1');
      for (const g of gone) expect(log).toContain(g);
      const second = runCmd(b.files[0]!.content, 'winre.cmd');
      expect(second.status).toBe(0);
      expect(readFileSync(path.join(driveC, 'ringside-cs-channel-291.log'), 'latin1')).toContain('nothing to delete');
      expect(readdirSync(cs).sort()).toEqual([...keep].sort());
    } finally {
      rmSync(link, { force: true });
      rmSync(tree, { recursive: true, force: true });
    }
  }, 300_000);
});
