// Field results merge to one final state whatever the import order: 20 technicians, overlapping devices, 50 orders (slow).
import { beforeAll, expect, test } from 'vitest';
import type { SqlJsStatic } from 'sql.js';
import { decryptPack, signResults, unb64, type ResultsBody } from '../../../../core/field/format.js';
import { mergeResults } from '../../../../core/field/merge.js';
import { createPack } from '../../../../core/field/packs.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { fieldWorkspace, T0 } from './helpers.js';

let SQL: SqlJsStatic;
const PASS = 'correct horse battery staple';
beforeAll(async () => {
  SQL = await loadSqlJs();
});

// Its own timeout: 50 workspaces rebuilt and merged take about a minute on two idle cores, more under load.
test(
  'convergence: 20 technicians with overlapping devices, 50 import orders, one final state',
  { timeout: 240_000 },
  async () => {
    const base = await fieldWorkspace(SQL);
    const pack = await createPack(base, { site: 'LON', passphrase: PASS, expiresAt: '2024-07-26' });
    const payload = await decryptPack(pack.bytes, PASS, T0);
    const macKey = unb64(payload.macKey);
    const baseBytes = base.db.export();
    const results = ['fixed', 'failed', 'needs_reimage', 'not_found', 'deferred'] as const;
    let rnd = 12345;
    const rand = (n: number) => ((rnd = (rnd * 1103515245 + 12345) % 2 ** 31), rnd % n);
    const files: Uint8Array[] = [];
    for (let t = 0; t < 20; t++) {
      const records = payload.devices
        .filter(() => rand(3) > 0)
        .map((d) => ({
          deviceId: d.id,
          hostname: d.hostname,
          result: results[rand(5)]!,
          method: 'usb',
          // Coarse times so several technicians collide on the same device at the same minute (ties).
          at: T0 + rand(4) * 60_000,
          technician: `tech-${t}`,
          keyIdUsed: d.keys[0]?.keyId ?? null,
          notes: null,
        }));
      const body: ResultsBody = {
        format: 'ringside-results',
        version: 1,
        packId: pack.packId,
        technician: `tech-${t}`,
        exportedAt: T0,
        records,
        events: [],
      };
      files.push(await signResults(body, macKey));
      if (t % 5 === 0) files.push(files[files.length - 1]!); // the same file brought back twice
    }
    const states = new Set<string>();
    let conflicts = 0;
    for (let order = 0; order < 50; order++) {
      const ws = await fieldWorkspace(SQL, baseBytes);
      const shuffled = [...files];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rand(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      for (const f of shuffled) conflicts += (await mergeResults(ws, f)).conflicts.length;
      const state = JSON.stringify([
        ws.db.all('SELECT id, device_id, result, at, technician, origin, record_hash FROM results ORDER BY id'),
        ws.db.all('SELECT id, state, state_rule, fixed_at FROM devices ORDER BY id'),
        ws.db.all(`SELECT device_id, result FROM (SELECT device_id, result,
          ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY at DESC, id DESC) rn FROM results) WHERE rn = 1`),
      ]);
      states.add(state);
      ws.db.close();
    }
    console.log(
      `convergence: ${files.length} result files from 20 technicians, 50 import orders, ${states.size} distinct final state(s), ${conflicts} conflict reports`,
    );
    expect(conflicts).toBeGreaterThan(0);
    expect(states.size).toBe(1);
  },
);
