// Playbooks end to end on real sql.js: golden files per route, keys only when asked (audited), bundle zip, history, sharing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PLAYBOOKS } from '../../../../core/remediation/builtin.js';
import { remediationHandlers as h } from '../../../../core/remediation/handlers.js';
import { parsePlaybook, playbookJsonSchema } from '../../../../core/remediation/schema.js';
import { makeKey, sampleFleet, workspace } from './helpers.js';

const GOLDEN = path.resolve('test/fixtures/remediation');
const update = process.env.UPDATE_GOLDEN === '1';
export const CLOUD_PARAMS = { resourceGroup: 'rg-prod', rescueInstance: 'i-0123456789abcdef0' };

describe('parameters without a default', () => {
  it('are required: the cloud routes refuse to generate until the resource group or rescue instance is typed', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    for (const [route, field] of [
      ['azure-cli', 'resourceGroup'],
      ['aws-cli', 'rescueInstance'],
    ] as const) {
      const b = await h.generateScripts(ws, {
        playbookId: 'cs-channel-291',
        route,
        target: { site: 'LON', ring: 'Broad' },
        withKeys: false,
        params: {},
      });
      expect(b.files, route).toEqual([]);
      expect(b.refused).toContainEqual(expect.objectContaining({ field, code: 'required' }));
      // Typed but empty is refused too (by the value grammar).
      const empty = await h.generateScripts(ws, {
        playbookId: 'cs-channel-291',
        route,
        target: { site: 'LON', ring: 'Broad' },
        withKeys: false,
        params: { [field]: '' },
      });
      expect(empty.files, route).toEqual([]);
      expect(empty.refused.map((r) => r.field)).toContain(field);
    }
    // Nothing made up remains in the built-in playbook for them.
    const pb = BUILTIN_PLAYBOOKS.find((p) => p.id === 'cs-channel-291')!;
    for (const name of ['resourceGroup', 'rescueInstance'])
      expect(pb.params.find((p) => p.name === name)).not.toHaveProperty('default');
  });
});

describe('golden files', () => {
  it('every route of every built-in playbook renders exactly the stored output for the fixed sample', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    let compared = 0;
    for (const p of BUILTIN_PLAYBOOKS)
      for (const r of p.routes) {
        const target = p.id === 'cs-channel-291' ? { site: 'LON', ring: 'Broad' } : { site: 'LON', states: [] };
        // The cloud routes' resource group and rescue instance have no default: the test types them, as a user must.
        const params = p.id === 'cs-channel-291' ? CLOUD_PARAMS : undefined;
        const b = await h.generateScripts(ws, {
          playbookId: p.id,
          route: r.id,
          target,
          withKeys: true,
          ...(params ? { params } : {}),
        });
        expect(b.files.length, `${p.id}/${r.id}`).toBeGreaterThan(0);
        for (const f of b.files) {
          const file = path.join(GOLDEN, f.path);
          if (update) {
            mkdirSync(path.dirname(file), { recursive: true });
            writeFileSync(file, f.content);
          }
          // A missing golden fails: goldens are written only by an explicit UPDATE_GOLDEN=1 run, then read by a person.
          expect(existsSync(file), `${f.path}: no golden file (regenerate with UPDATE_GOLDEN=1 and review it)`).toBe(
            true,
          );
          expect(f.content, f.path).toBe(readFileSync(file, 'utf8'));
          compared++;
        }
      }
    expect(compared).toBeGreaterThan(15);
  });
});

describe('channel 291 WinRE bundle', () => {
  it('holds the exact path, one unlock per valid key of the targeted devices, no other delete, and only that site', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    const b = await h.generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'winre-cmd',
      target: { site: 'LON', ring: 'Broad' },
      withKeys: true,
    });
    const text = b.files[0]!.content;
    expect(text).toContain('\\Windows\\System32\\drivers\\CrowdStrike\\C-00000291*.sys');
    const deletes = text.split('\r\n').filter((l) => /^\s*del\s/i.test(l));
    expect(deletes).toEqual(['del /f /q "%~1:\\Windows\\System32\\drivers\\CrowdStrike\\C-00000291*.sys"']);
    expect(text).not.toMatch(/C-0000029\*|CrowdStrike\\\*|\\\*\.sys/);
    for (const seed of [1, 2, 3]) expect(text).toContain(`-RecoveryPassword ${makeKey(seed)}`);
    for (const seed of [5, 6, 7, 8]) expect(text).not.toContain(makeKey(seed)); // refused name, fixed, other site, other ring
    expect(b.manifest.devices.map((d) => d.hostname).sort()).toEqual(['LON-KIOSK-07', 'PC-0142', 'PC-0143']);
    expect(b.refused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ device: 'LAB&01', field: 'hostname', code: 'bad-char' }),
        expect.objectContaining({ device: 'LON-KIOSK-07', field: 'recovery password', code: 'invalid-key' }),
      ]),
    );
    expect(b.keyIdsToRotate).toHaveLength(3);
    const auditRows = ws.db.all<{ action: string; detail: string }>('SELECT action, detail FROM audit ORDER BY seq');
    expect(auditRows.map((r) => r.action)).toEqual(['keys.include', 'scripts.generate']);
    const detail = JSON.parse(auditRows[0]!.detail) as { deviceIds: number[]; keyIds: string[] };
    expect(detail.keyIds).toEqual(b.keyIdsToRotate);
    for (const r of auditRows) for (const s of [1, 2, 3]) expect(r.detail).not.toContain(makeKey(s));
  });

  it('without keys: no password anywhere, no keys.include audit, key IDs still listed for the technician', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    const b = await h.generateScripts(ws, {
      playbookId: 'cs-channel-291',
      route: 'winre-cmd',
      target: { site: 'LON', ring: 'Broad' },
      withKeys: false,
    });
    for (const s of [1, 2, 3]) expect(b.files[0]!.content).not.toContain(makeKey(s));
    expect(b.keyIdsToRotate).toEqual([]);
    expect(ws.db.all<{ action: string }>('SELECT action FROM audit').map((r) => r.action)).toEqual([
      'scripts.generate',
    ]);
  });

  it('the zip holds the scripts, a manifest with each hash, and KEYS-ROTATE.txt; history is redacted and comparable', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    const opts = {
      playbookId: 'cs-channel-291',
      route: 'winre-cmd',
      target: { site: 'LON', ring: 'Broad' },
      withKeys: true,
    };
    const first = await h.generateScripts(ws, opts);
    const zip = unzipSync(h.bundleZip(ws, first));
    expect(Object.keys(zip).sort()).toEqual(['KEYS-ROTATE.txt', 'cs-channel-291/winre-cmd.cmd', 'manifest.json']);
    const manifest = JSON.parse(strFromU8(zip['manifest.json']!));
    expect(manifest.workspaceId).toBe('7d5e2c1a-0b3f-4e6d-9a8b-1c2d3e4f5a6b');
    expect(manifest.files[0].sha256).toBe(first.files[0]!.sha256);
    expect(strFromU8(zip['KEYS-ROTATE.txt']!)).toContain(first.keyIdsToRotate[0]!);
    const hist = h.generation(ws, first.generationId);
    expect(JSON.stringify(hist)).not.toContain(makeKey(1));
    expect(hist.files[0]!.content).toContain('redacted');

    ws.db.run("UPDATE devices SET state = 'fixed' WHERE hostname = 'PC-0143'");
    const second = await h.generateScripts(ws, opts);
    expect(h.generations(ws).map((g) => g.id)).toEqual([second.generationId, first.generationId]);
    const cmp = h.compareGeneration(ws, second.generationId);
    expect(cmp[0]!.previousId).toBe(first.generationId);
    expect(cmp[0]!.diff.some((d) => d.kind === 'del' && d.text.includes('PC-0143'))).toBe(true);
    expect(cmp[0]!.diff.filter((d) => d.kind === 'add').map((d) => d.text)).toContain('rem Devices (2):');
  });
});

describe('playbook files', () => {
  it('export, load under a new version, and refuse a changed file under an existing version or an unsafe one', async () => {
    const ws = await workspace();
    const file = h.playbookFile(ws, 'cs-channel-291');
    expect(parsePlaybook(JSON.parse(file)).ok).toBe(true);
    const copy = JSON.parse(file);
    // Built-in ids are reserved (see playbook-hostile.test.ts): a site edition has its own id.
    copy.id = 'cs-channel-291-site';
    copy.version = 2;
    copy.name = 'Channel 291, site edition';
    const info = await h.loadPlaybook(ws, JSON.stringify(copy));
    expect(info).toMatchObject({ id: 'cs-channel-291-site', version: 2, builtin: false });
    expect(h.playbooks(ws).find((p) => p.id === 'cs-channel-291-site')?.version).toBe(2);
    copy.name = 'changed';
    await expect(h.loadPlaybook(ws, JSON.stringify(copy))).rejects.toThrow(/already exists/);
    const wide = JSON.parse(file);
    wide.id = 'cs-channel-291-site';
    wide.version = 3;
    wide.routes[0].steps[1].pattern = 'C-0000029*.sys';
    await expect(h.loadPlaybook(ws, JSON.stringify(wide))).resolves.toBeTruthy(); // still 9 fixed characters
    wide.version = 4;
    wide.routes[0].steps[1].pattern = '*.sys';
    await expect(h.loadPlaybook(ws, JSON.stringify(wide))).rejects.toThrow(/too wide/);
    const unpaired = JSON.parse(file);
    unpaired.id = 'cs-channel-291-site';
    unpaired.version = 5;
    unpaired.routes[1].steps = unpaired.routes[1].steps.filter((s: { op: string }) => s.op !== 'safeboot-clear');
    await expect(h.loadPlaybook(ws, JSON.stringify(unpaired))).rejects.toThrow(/safeboot-clear/);
    const inject = JSON.parse(file);
    inject.id = 'cs-channel-291-site';
    inject.version = 6;
    inject.routes[0].steps.push({ op: 'run', label: 'x', argv: ['echo', 'a&calc'] });
    await expect(h.loadPlaybook(ws, JSON.stringify(inject))).rejects.toThrow(/plain word/);
    expect(ws.db.all<{ action: string }>('SELECT action FROM audit').map((r) => r.action)).toContain('playbook.load');
  });

  it('the published JSON Schema file is the one emitted from the zod schema', () => {
    const schema = playbookJsonSchema();
    expect(schema).toHaveProperty('properties.routes');
    const file = path.resolve('core/remediation/playbook.schema.json');
    if (update) writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(schema);
  });
});

describe('rollback commands', () => {
  it('name the ring and count its devices; refuse unknown rings and bad ids', async () => {
    const ws = await workspace();
    await sampleFleet(ws);
    const plan = h.rollbackCommands(ws, { vendor: 'falcon-content', ring: 'Broad' });
    expect(plan.affects.devices).toBe(8);
    expect(plan.commands.map((c) => c.title).join('\n')).toMatch(/Pause[\s\S]*PSFalcon/);
    expect(plan.commands[0]!.text).toContain('"ring_assignment": "pause"');
    const intune = h.rollbackCommands(ws, { vendor: 'intune', ring: 'Broad' });
    expect(intune.affects.devices).toBe(6);
    expect(intune.commands[0]!.text).toContain('qualityUpdatesPaused');
    for (const v of ['falcon-sensor', 'autopatch', 'configmgr', 'winget'])
      expect(h.rollbackCommands(ws, { vendor: v, ring: 'Fast' }).commands.length).toBeGreaterThan(0);
    expect(() => h.rollbackCommands(ws, { vendor: 'intune', ring: 'Nope' })).toThrow(/no ring/);
    expect(() => h.rollbackCommands(ws, { vendor: 'falcon-sensor', ring: 'Broad', policyId: "x'; rm" })).toThrow(
      /policy id/,
    );
  });
});
