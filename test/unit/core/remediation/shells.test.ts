// Corpus tests per shell: bash runs the generated scripts for real, shellcheck lints them, tree-sitter parses PowerShell.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateScripts } from '../../../../core/remediation/generate.js';
import { bashQuote, psQuote } from '../../../../core/remediation/quote.js';
import { CORPUS } from './corpus.js';
import { sampleFleet, seed, workspace } from './helpers.js';

const enc = new TextEncoder();

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `ringside-rem-${prefix}-`));
}

/** Fake command-line tools that record their argv, NUL-separated, one invocation per record. */
function fakeTools(dir: string, names: string[]): string {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const n of names) {
    const f = path.join(bin, n);
    writeFileSync(f, `#!/bin/bash\nprintf '%s\\0' "${n}" "$@" >> "$ARGV_LOG"\nprintf '\\n\\0' >> "$ARGV_LOG"\n`);
    chmodSync(f, 0o755);
  }
  return bin;
}

function argvRecords(file: string): string[][] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n\0')
    .filter((r) => r.length)
    .map((r) => r.split('\0').slice(0, -1));
}

describe('bash', () => {
  it('quoting: every corpus string is refused by name or round-trips byte for byte through real bash', () => {
    const dir = tempDir('bashq');
    const accepted: string[] = [];
    const lines = ['set -eu'];
    for (const s of CORPUS) {
      const q = bashQuote(s);
      if (!q.ok) {
        expect(q.code).toMatch(/^(nul|encoding)$/);
        continue;
      }
      accepted.push(s);
      lines.push(`printf '%s\\0' ${q.text}`);
    }
    writeFileSync(path.join(dir, 'q.sh'), lines.join('\n') + '\n');
    const out = execFileSync('bash', ['q.sh'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    const expected = Buffer.concat(accepted.map((s) => Buffer.concat([Buffer.from(enc.encode(s)), Buffer.from([0])])));
    expect(out.equals(expected)).toBe(true);
    expect(accepted.length).toBeGreaterThan(CORPUS.length - 10);
    expect(readdirSync(dir)).toEqual(['q.sh']);
  });

  it('generated scripts: corpus values in every field are refused with a reason or reach the command unchanged; no canary', async () => {
    const ws = await workspace();
    // Hostnames from the corpus go into the workspace as devices (the azure route uses them as VM names).
    const hosts = CORPUS.filter((s) => !s.includes('\u0000'));
    await seed(
      ws,
      hosts.map((h) => ({ hostname: h, site: 'CORPUS', ring: 'Broad' })),
    );
    const dir = tempDir('bashgen');
    const bin = fakeTools(dir, ['az', 'apt-get', 'apt-mark', 'dnf', 'aws']);
    const env = {
      PATH: `${bin}:/usr/bin:/bin`,
      ARGV_LOG: path.join(dir, 'argv.log'),
      RS_LOG: path.join(dir, 'rs.log'),
    };

    const azure = await generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'azure-cli',
      target: { site: 'CORPUS', states: [] },
      withKeys: false,
      params: { resourceGroup: 'rg-corpus' },
    });
    const refusedHosts = azure.refused.filter((r) => r.field === 'hostname');
    for (const r of refusedHosts) expect(r.reason.length).toBeGreaterThan(10);
    const acceptedHosts = azure.manifest.devices.map((d) => d.hostname);
    expect(acceptedHosts.length + refusedHosts.length).toBe(hosts.length);
    writeFileSync(path.join(dir, 'azure.sh'), azure.files[0]!.content);
    const run = spawnSync('bash', ['azure.sh'], { cwd: dir, env });
    expect(run.status, run.stderr.toString()).toBe(0);
    const vmNames = argvRecords(env.ARGV_LOG)
      .filter((a) => a[2] === 'repair' && a[3] === 'create')
      .map((a) => a[a.indexOf('-n') + 1]);
    expect(vmNames.sort()).toEqual([...acceptedHosts].sort());

    expect(existsSync(path.join(dir, 'CANARY'))).toBe(false);
  });

  it('generated parameters reach apt-get and apt-mark byte for byte', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    const dir = tempDir('bashapt');
    const bin = fakeTools(dir, ['apt-get', 'apt-mark']);
    const env = {
      PATH: `${bin}:/usr/bin:/bin`,
      ARGV_LOG: path.join(dir, 'argv.log'),
      RS_LOG: path.join(dir, 'rs.log'),
    };
    let accepted = 0;
    for (const value of CORPUS) {
      const b = await generateScripts(ws, {
        playbookId: 'linux-package-rollback',
        route: 'apt-pin',
        target: { site: 'LON' },
        withKeys: false,
        params: { package: value, version: value },
      });
      if (b.refused.length) {
        // Refused by name, never passed through: no script at all.
        for (const r of b.refused) expect(['package', 'version']).toContain(r.field);
        expect(b.files).toHaveLength(0);
        continue;
      }
      accepted++;
      writeFileSync(env.ARGV_LOG, '');
      writeFileSync(path.join(dir, 'p.sh'), b.files[0]!.content);
      const run = spawnSync('bash', ['p.sh'], { cwd: dir, env });
      expect(run.status).toBe(0);
      const recs = argvRecords(env.ARGV_LOG);
      expect(recs[0]).toEqual(['apt-get', 'install', '-y', '--allow-downgrades', '--', `${value}=${value}`]);
      expect(recs[1]).toEqual(['apt-mark', 'hold', '--', value]);
    }
    expect(accepted).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, 'CANARY'))).toBe(false);
  });

  it('shellcheck -S warning reports nothing on any generated bash script', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    const dir = tempDir('shellcheck');
    const files: string[] = [];
    for (const [pb, route, target] of [
      ['cs-channel-291', 'linux-rescue-bash', { site: 'LON' }],
      ['cs-channel-291', 'azure-cli', { site: 'LON' }],
      ['cs-channel-291', 'aws-cli', { site: 'LON' }],
      ['linux-package-rollback', 'dnf-undo', {}],
      ['linux-package-rollback', 'dnf-downgrade', {}],
      ['linux-package-rollback', 'apt-pin', {}],
    ] as const) {
      const params = { resourceGroup: 'rg-prod', rescueInstance: 'i-0123456789abcdef0' };
      const b = await generateScripts(ws, { playbookId: pb, route, target, withKeys: false, params });
      expect(b.files.length).toBeGreaterThan(0);
      for (const f of b.files) {
        const name = path.join(dir, f.path.replace(/\//g, '__'));
        writeFileSync(name, f.content);
        files.push(name);
      }
    }
    const r = spawnSync('shellcheck', ['-S', 'warning', '-s', 'bash', ...files]);
    expect(r.stdout.toString() + r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
  });

  it('the channel-291 steps (bash rendering) delete only the 291 files in a fake drive tree, and are idempotent', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    const b = await generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'linux-rescue-bash',
      target: { site: 'LON' },
      withKeys: false,
    });
    const dir = tempDir('tree');
    const cs = path.join(dir, 'root', 'Windows', 'System32', 'drivers', 'CrowdStrike');
    mkdirSync(cs, { recursive: true });
    const keep = [
      'C-00000290-00000000-00000032.sys',
      'C-00000285-00000000-00000001.sys',
      'C-0000029-x.sys',
      'notes.txt',
      'C-00000291.txt',
    ];
    const gone = ['C-00000291-00000000-00000032.sys', 'C-00000291-00000000-00000033.sys'];
    for (const f of [...keep, ...gone]) writeFileSync(path.join(cs, f), 'x');
    writeFileSync(path.join(dir, 'root', 'Windows', 'System32', 'drivers', 'C-00000291-outside.sys'), 'x');
    writeFileSync(path.join(dir, 'fix.sh'), b.files[0]!.content);
    const env = { PATH: '/usr/bin:/bin', RS_ROOT: path.join(dir, 'root'), RS_LOG: path.join(dir, 'fix.log') };
    const first = spawnSync('bash', ['fix.sh'], { cwd: dir, env });
    expect(first.status, first.stderr.toString()).toBe(0);
    expect(readdirSync(cs).sort()).toEqual([...keep].sort());
    expect(existsSync(path.join(dir, 'root', 'Windows', 'System32', 'drivers', 'C-00000291-outside.sys'))).toBe(true);
    const log = readFileSync(env.RS_LOG, 'utf8');
    for (const g of gone) expect(log).toContain(`deleting /Windows/System32/drivers/CrowdStrike/${g} size 1`);
    const second = spawnSync('bash', ['fix.sh'], { cwd: dir, env });
    expect(second.status).toBe(0);
    expect(readFileSync(env.RS_LOG, 'utf8')).toContain('nothing to delete');
    expect(readdirSync(cs).sort()).toEqual([...keep].sort());
  });
});

describe('PowerShell (tree-sitter-powershell)', () => {
  let parser: Parser;
  beforeAll(async () => {
    await Parser.init();
    const lang = await Language.load(path.resolve('node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm'));
    parser = new Parser();
    parser.setLanguage(lang);
  });

  function stringLiterals(n: Node): Node[] {
    if (n.type === 'string_literal') return [n];
    return n.children.filter((c): c is Node => c !== null).flatMap(stringLiterals);
  }

  it('quoting: every accepted corpus string parses as exactly one string literal argument, with no parse error', () => {
    let accepted = 0;
    for (const s of CORPUS) {
      const q = psQuote(s);
      if (!q.ok) {
        expect(q.code).toMatch(/^(control-char|encoding)$/);
        continue;
      }
      accepted++;
      const tree = parser.parse(`Write-Output ${q.text}\n`)!;
      expect(tree.rootNode.hasError, s).toBe(false);
      const lits = stringLiterals(tree.rootNode);
      expect(lits, s).toHaveLength(1);
      expect(lits[0]!.text).toBe(q.text);
      // Undoubling the verbatim string gives the value back.
      const inner = q.text.slice(1, -1).replace(/(['\u2018\u2019\u201A\u201B])\1/g, '$1');
      expect(inner).toBe(s);
    }
    expect(accepted).toBeGreaterThan(400);
  });

  it('generated PowerShell scripts parse without errors', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    for (const [pb, route] of [
      ['cs-channel-291', 'powershell'],
      ['windows-update-rollback', 'dism-powershell'],
      ['windows-update-rollback', 'intune-pause-powershell'],
    ] as const) {
      const b = await generateScripts(ws, {
        playbookId: pb,
        route,
        target: { site: 'LON', states: [] },
        withKeys: true,
      });
      expect(b.files.length).toBeGreaterThan(0);
      for (const f of b.files) expect(parser.parse(f.content)!.rootNode.hasError, f.path).toBe(false);
    }
  });

  it('corpus values as host names, key IDs and recovery passwords: refused by name, or one literal in a script that parses', async () => {
    const ws = await workspace();
    const values = CORPUS.filter((s) => !s.includes('\u0000'));
    await seed(
      ws,
      values.map((h, i) => ({
        hostname: h,
        site: 'CORPUS',
        // Every corpus value also appears as a stored recovery password and (for some) a key ID.
        keys: [
          {
            keyId: i % 2 ? h.slice(0, 40) || 'x' : `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
            password: h,
          },
        ],
      })),
    );
    const b = await generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'powershell',
      target: { site: 'CORPUS', states: [] },
      withKeys: true,
    });
    for (const r of b.refused) {
      expect(['hostname', 'key ID', 'recovery password']).toContain(r.field);
      expect(r.code).toMatch(/^[a-z-]+$/);
      expect(r.reason.length).toBeGreaterThan(10);
    }
    const accepted = b.manifest.devices.map((d) => d.hostname);
    expect(accepted.length + b.refused.filter((r) => r.field === 'hostname').length).toBe(values.length);
    const tree = parser.parse(b.files[0]!.content)!;
    expect(tree.rootNode.hasError).toBe(false);
    const line = b.files[0]!.content.split('\r\n').find((l) => l.startsWith('$RsDevices = @('))!;
    const lits = stringLiterals(parser.parse(line)!.rootNode).map((n) => n.text.slice(1, -1).replace(/''/g, "'"));
    expect(lits).toEqual(accepted);
  });
});
