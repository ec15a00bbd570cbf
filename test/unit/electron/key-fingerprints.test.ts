// Key files' de-duplication fingerprints, made where the rows are read: the workspace's HMAC, through the reading thread and without it.
import { createHmac, hkdfSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles, type ImportOptions } from '../../../core/ingest/pipeline.js';
import { openWorkspace, type Workspace } from '../../../core/workspace.js';
import { fileInput } from '../../../electron/cli/import.js';
import { diskReader } from '../../../electron/node/read-thread.js';
import { loadSqlJs } from '../../../electron/node/sqljs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-key-fp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MATERIAL = new Uint8Array(32).fill(7);

/**
 * The truth, from Node's own crypto and not from Ringside's code: HMAC-SHA-256 under the key HKDF-SHA-256 derives
 * from the workspace's key material (no salt, info "ringside/secrets/hmac"), its first 16 bytes in hex.
 */
function expected(password: string): string {
  const key = Buffer.from(hkdfSync('sha256', MATERIAL, new Uint8Array(0), 'ringside/secrets/hmac', 32));
  return createHmac('sha256', key).update(password, 'utf8').digest('hex').slice(0, 32);
}

// Each group a multiple of 11 below 720896 (valid); then one with a group of 720896 or more, one with spaces, and one
// longer than a recovery password (a note after it): three invalid ones, flagged and still fingerprinted.
const VALID_1 = '111111-222222-333333-444444-555555-666666-077770-088880';
const VALID_2 = '000011-000022-000033-000044-000055-000066-000077-000088';
const TOO_BIG = '720907-000022-000033-000044-000055-000066-000077-000088';
const SPACES = '000011 000022 000033 000044 000055 000066 000077 000099';
const LONG = '000011-000022-000033-000044-000055-000066-000077-000110 (old)';

// CrowdStrike's Export-BitLockerRecoveryKeys.ps1 (-EntraID): Hostname, KeyID, RecoveryKey, Directory (formats.md 2.2).
const CROWDSTRIKE = [
  '"Hostname","KeyID","RecoveryKey","Directory"',
  `"PC-0142","{6A2B1C9E-2D41-4E7B-9C1A-0F3E5D7A9B11}","${VALID_1}","EntraID"`,
  `"PC-0143","{0C7E5B2A-9F14-4D38-8E26-3B1A7C5D9E22}","${VALID_2}","EntraID"`,
  `"PC-0144","{9D1F3A5C-7E29-4B6D-8A14-2C5E7F9B1D33}","${TOO_BIG}","EntraID"`,
  `"PC-0145","{4B8E2D6F-1A37-4C59-9E82-5D7F1B3A6C44}","${SPACES}","EntraID"`,
  `"PC-0146","{7F3C9A1E-5B26-4D84-A1C7-8E2F4B6D9A55}","${LONG}","EntraID"`,
].join('\r\n');

// The July 2024 community Graph export: Id and Key only. The first key again (the same ID, another spelling): a duplicate.
const GRAPH = ['"Id","Key"', `"6a2b1c9e-2d41-4e7b-9c1a-0f3e5d7a9b11","${VALID_1}"`].join('\r\n');

let n = 0;
async function onDisk(name: string, data: string) {
  const d = path.join(dir, String(n++));
  mkdirSync(d);
  writeFileSync(path.join(d, name), data);
  return fileInput(path.join(d, name));
}

async function importKeys(threaded: boolean): Promise<Workspace> {
  const ws = await openWorkspace({ SQL: await loadSqlJs(), keyMaterial: MATERIAL, now: () => Date.UTC(2024, 6, 22) });
  const reader = threaded ? diskReader() : null;
  const opts: ImportOptions = reader ? { reader: reader.read, chunks: reader.chunks } : {};
  try {
    for (const [name, data] of [
      ['BitLockerKeys.csv', CROWDSTRIKE],
      ['bitlocker_keys.csv', GRAPH],
    ] as const) {
      const [report] = await importFiles(ws, [await onDisk(name, data)], opts);
      expect(report!.rejected).toBe(0);
    }
  } finally {
    reader?.close();
  }
  return ws;
}

describe('key fingerprints', () => {
  for (const threaded of [false, true])
    it(`are the workspace's HMAC of each password, valid or not, ${threaded ? 'made in the reading thread' : 'with no reading thread'}`, async () => {
      const ws = await importKeys(threaded);
      const rows = ws.db.all<{ key_id: string; fingerprint: string; valid: number }>(
        'SELECT key_id, fingerprint, valid FROM keys ORDER BY line',
      );
      expect(rows.map((r) => [r.fingerprint, r.valid])).toEqual([
        [expected(VALID_1), 1],
        [expected(VALID_2), 1],
        [expected(TOO_BIG), 0],
        [expected(SPACES), 0],
        [expected(LONG), 0],
      ]);
      // The Graph file's key is the same ID and password: known by its fingerprint, not stored twice.
      expect(ws.db.all('SELECT rows, imported, duplicates FROM imports ORDER BY id')).toEqual([
        { rows: 5, imported: 5, duplicates: 0 },
        { rows: 1, imported: 1, duplicates: 1 },
      ]);
      expect(await ws.box.fingerprint(VALID_1)).toBe(expected(VALID_1));
    });
});
