// The field CLI end to end on files: pack create, pack results, merge (twice, and a tampered file), audit verify.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { main } from '../../../../electron/cli.js';
import { FileKeyStore } from '../../../../electron/node/keystore.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { WorkspaceStorage } from '../../../../electron/storage.js';
import { openWorkspace } from '../../../../core/workspace.js';
import { findRecoveryPasswords, recoveryPassword } from '../../core/field/helpers.js';

let dir: string;
const prevHome = process.env.RINGSIDE_HOME;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-cli-field-'));
  process.env.RINGSIDE_HOME = path.join(dir, 'home');
  const ws = await openWorkspace({
    SQL: await loadSqlJs(),
    keyMaterial: (id) => new FileKeyStore().get(id),
    actor: 'test',
  });
  for (let id = 1; id <= 4; id++) {
    ws.db.run(
      `INSERT INTO devices(id, hostname, host_key, site, platform, state, agent_version, first_seen, last_seen)
       VALUES (?,?,?,?,?,?,?,?,?)`,
      [
        id,
        `PC-${id}`,
        `PC-${id}`,
        id < 4 ? 'LON' : 'NYC',
        'windows',
        'needs_fix',
        '7.16.1.0',
        Date.now() - 864e5,
        Date.now(),
      ],
    );
    const pw = recoveryPassword(id);
    ws.db.run('INSERT INTO keys(device_id, key_id, secret, fingerprint, valid) VALUES (?,?,?,?,1)', [
      id,
      `0000000${id}-aaaa-bbbb-cccc-00000000000${id}`,
      await ws.box.seal(pw),
      await ws.box.fingerprint(pw),
    ]);
  }
  await new WorkspaceStorage().save(path.join(dir, 'incident.ringside'), ws.db, 0);
  ws.db.close();
  writeFileSync(path.join(dir, 'pass.txt'), 'field pack passphrase 2024\n');
});
afterAll(() => {
  process.env.RINGSIDE_HOME = prevHome;
  rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

test('pack create → pack results → merge → audit verify, with refusals', async () => {
  const ws = path.join(dir, 'incident.ringside');
  const pass = path.join(dir, 'pass.txt');
  const expires = new Date(Date.now() + 5 * 864e5).toISOString().slice(0, 10);
  const created = await run(
    'pack',
    'create',
    ws,
    '--site',
    'LON',
    '--passphrase-file',
    pass,
    '--expires',
    expires,
    '--out',
    path.join(dir, 'lon.ringpack'),
    '--json',
  );
  expect(created.err).toBe('');
  expect(JSON.parse(created.out)).toMatchObject({ devices: 3, keys: 3 });
  expect(findRecoveryPasswords(readFileSync(path.join(dir, 'lon.ringpack'), 'latin1'))).toEqual([]);

  const res = await run(
    'pack',
    'results',
    path.join(dir, 'lon.ringpack'),
    '--passphrase-file',
    pass,
    '--set',
    'PC-1=fixed',
    '--set',
    'pc-2=needs-reimage',
    '--out',
    path.join(dir, 'a.ringresults'),
    '--technician',
    'tech-a',
  );
  expect(res).toMatchObject({ code: 0, err: '' });
  const bad = await run(
    'pack',
    'results',
    path.join(dir, 'lon.ringpack'),
    '--passphrase-file',
    pass,
    '--set',
    'PC-4=fixed',
    '--out',
    path.join(dir, 'x.ringresults'),
  );
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/PC-4 is not in this pack/);
  writeFileSync(path.join(dir, 'wrong.txt'), 'not the passphrase at all');
  const wrong = await run(
    'pack',
    'results',
    path.join(dir, 'lon.ringpack'),
    '--passphrase-file',
    path.join(dir, 'wrong.txt'),
    '--set',
    'PC-1=fixed',
    '--out',
    path.join(dir, 'y.ringresults'),
  );
  expect(wrong.err).toMatch(/Wrong passphrase/);

  const tampered = readFileSync(path.join(dir, 'a.ringresults'), 'utf8').replace('"needs_reimage"', '"fixed"');
  writeFileSync(path.join(dir, 't.ringresults'), tampered);
  const merged = await run(
    'merge',
    ws,
    path.join(dir, 'a.ringresults'),
    path.join(dir, 'a.ringresults'),
    path.join(dir, 't.ringresults'),
    '--json',
  );
  expect(merged.code).toBe(1);
  const files = JSON.parse(merged.out).files;
  expect(files.map((f: { ok: boolean }) => f.ok)).toEqual([true, true, false]);
  expect(files[0].report).toMatchObject({ added: 2, duplicates: 0 });
  expect(files[1].report).toMatchObject({ added: 0, duplicates: 2 });
  expect(files[2].error).toMatch(/signature does not match/);

  const ok = await run('audit', 'verify', ws, '--json');
  expect(ok.code).toBe(0);
  expect(JSON.parse(ok.out)).toMatchObject({ ok: true });

  // Break the chain inside the saved workspace file, then verify again.
  const SQL = await loadSqlJs();
  const db = new SQL.Database(readFileSync(ws));
  db.run("UPDATE audit SET actor = 'mallory' WHERE seq = 2");
  writeFileSync(ws, db.export());
  db.close();
  const broken = await run('audit', 'verify', ws);
  expect(broken.code).toBe(1);
  expect(broken.err).toMatch(/BROKEN at entry 2 .*altered/);
  expect(recoveryPassword(1)).toMatch(/^\d{6}(-\d{6}){7}$/);
});

test('pack create lists the devices without a valid key, with why, and --without-key exclude leaves them out', async () => {
  const file = path.join(dir, 'par.ringside');
  const ws = await openWorkspace({
    SQL: await loadSqlJs(),
    keyMaterial: (id) => new FileKeyStore().get(id),
    actor: 'test',
  });
  for (const [id, host] of [
    [1, 'PAR-1'],
    [2, 'PAR-2'],
  ] as const)
    ws.db.run(`INSERT INTO devices(id, hostname, host_key, site, platform, state) VALUES (?,?,?,?,?,?)`, [
      id,
      host,
      host,
      'PAR',
      'windows',
      'needs_fix',
    ]);
  const pw = recoveryPassword(9);
  ws.db.run('INSERT INTO keys(device_id, key_id, secret, fingerprint, valid) VALUES (1,?,?,?,1)', [
    '00000009-aaaa-bbbb-cccc-000000000009',
    await ws.box.seal(pw),
    await ws.box.fingerprint(pw),
  ]);
  await new WorkspaceStorage().save(file, ws.db, 0);
  ws.db.close();
  const expires = new Date(Date.now() + 5 * 864e5).toISOString().slice(0, 10);
  const common = ['--site', 'PAR', '--passphrase-file', path.join(dir, 'pass.txt'), '--expires', expires];
  const carried = await run('pack', 'create', file, ...common, '--out', path.join(dir, 'par1.ringpack'));
  expect(carried.err).toBe('');
  expect(carried.out).toContain('1 device(s) have no valid recovery key:');
  expect(carried.out).toContain(
    'PAR-2: none imported (no recovery key was imported for it) - carried with the Safe Mode path',
  );
  expect(carried.out).toContain('--without-key exclude');
  expect(carried.out).toMatch(/2 device\(s\), 1 recovery key/);
  const left = await run(
    'pack',
    'create',
    file,
    ...common,
    '--without-key',
    'exclude',
    '--out',
    path.join(dir, 'par2.ringpack'),
    '--json',
  );
  expect(left.err).toBe('');
  expect(JSON.parse(left.out)).toMatchObject({
    devices: 1,
    keys: 1,
    withoutKey: [{ hostname: 'PAR-2', reason: 'none-imported', choice: 'exclude' }],
  });
  const wrong = await run(
    'pack',
    'create',
    file,
    ...common,
    '--without-key',
    'later',
    '--out',
    path.join(dir, 'x.ringpack'),
  );
  expect(wrong.code).not.toBe(0);
  expect(wrong.err).toMatch(/--without-key must be one of exclude, safe-mode, reimage/);
});
