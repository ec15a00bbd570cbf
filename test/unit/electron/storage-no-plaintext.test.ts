// No recovery password on disk, for the field domain: none after a pack, results, merge, journal, snapshots and exports.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { applyJournalEntry } from '../../../core/session.js';
import { mergeResults, resultsFromPack } from '../../../core/field/merge.js';
import { rotationCsv } from '../../../core/field/pack-lists.js';
import { createPack } from '../../../core/field/packs.js';
import { exportAudit } from '../../../core/store/audit.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';
import { WorkspaceStorage } from '../../../electron/storage.js';
import { fieldWorkspace, findRecoveryPasswords, KEY_MATERIAL, recoveryPassword, T0 } from '../core/field/helpers.js';

function scan(dir: string): { files: number; bytes: number; found: string[] } {
  let files = 0;
  let bytes = 0;
  const found: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    let data: Buffer;
    try {
      data = readFileSync(path.join(dir, name));
    } catch {
      continue; // a directory
    }
    files++;
    bytes += data.length;
    // latin1 maps every byte to one char, so the pattern is found in text and in binary files alike.
    for (const hit of findRecoveryPasswords(data.toString('latin1'))) found.push(`${name}: ${hit.slice(0, 6)}…`);
    for (const hit of findRecoveryPasswords(data.toString('utf16le')))
      found.push(`${name} (UTF-16): ${hit.slice(0, 6)}…`);
  }
  return { files, bytes, found };
}

test('no plaintext recovery password in the workspace, journal, pack, results or exports', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-nokeys-'));
  try {
    // Positive control: the scanner does find a planted password.
    writeFileSync(path.join(dir, 'control.txt'), `key ${recoveryPassword(3)}\n`);
    expect(scan(dir).found).toHaveLength(1);
    rmSync(path.join(dir, 'control.txt'));

    const SQL = await loadSqlJs();
    const storage = new WorkspaceStorage();
    const file = path.join(dir, 'incident.ringside');
    const ws = await fieldWorkspace(SQL);
    await storage.save(file, ws.db, 0);
    const reveal = {
      seq: 1,
      action: {
        type: 'key.reveal' as const,
        keyId: '00000001-aaaa-bbbb-cccc-000000000001',
        deviceId: 1,
        reason: 'desk visit',
        at: T0,
      },
    };
    await storage.appendJournal(file, reveal);
    await applyJournalEntry(ws, reveal);
    const pass = 'correct horse battery staple';
    const pack = await createPack(ws, { site: 'LON', passphrase: pass, expiresAt: '2024-07-26' });
    writeFileSync(path.join(dir, pack.fileName), pack.bytes);
    const results = await resultsFromPack(pack.bytes, pass, T0 + 60_000, 'tech-a', [
      { host: 'PC-1', result: 'fixed', keyIdUsed: '00000001-aaaa-bbbb-cccc-000000000001' },
    ]);
    writeFileSync(path.join(dir, 'tech-a.ringresults'), results);
    await mergeResults(ws, results);
    await storage.save(file, ws.db, 1);
    await storage.save(file, ws.db, 1); // a .prev copy too
    writeFileSync(path.join(dir, 'audit.jsonl'), exportAudit(ws.db, 'jsonl'));
    writeFileSync(path.join(dir, 'audit.csv'), exportAudit(ws.db, 'csv'));
    writeFileSync(path.join(dir, 'rotation.csv'), rotationCsv(ws));
    ws.db.close();
    // Reopen (replay + re-snapshot) as after a crash.
    const again = await storage.recover(file, { SQL, keyMaterial: KEY_MATERIAL });
    again.ws.db.close();

    const r = scan(dir);
    console.log(`plaintext key scan: ${r.files} files, ${r.bytes} bytes, ${r.found.length} recovery passwords found`);
    expect(r.files).toBeGreaterThanOrEqual(8);
    expect(r.found).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
