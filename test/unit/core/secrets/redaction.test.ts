// Recovery passwords in the wrong cells (a shifted key row, a fleet notes column) never reach output, messages or tables in clear.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyVault } from '../../../../core/secrets/key-vault.js';
import { redactSecrets, REDACTED } from '../../../../core/secrets/redact.js';
import { SEALED_KEY_COLUMNS, type SealedKeyRef } from '../../../../core/store/keys.js';
import { main } from '../../../../electron/cli.js';
import { FileKeyStore } from '../../../../electron/node/keystore.js';
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { WorkspaceStorage } from '../../../../electron/storage.js';

// Valid recovery passwords (every group a multiple of 11 below 720896), with groups chosen to appear nowhere else.
const PW: [string, string, string, string] = [
  '618497-103543-277992-581064-394603-708026-215336-462869',
  '390962-574574-129767-652685-301169-047223-683188-235653',
  '700172-461175-309232-554631-182347-627924-090970-371756',
  '512765-088077-660649-243166-477741-138138-596739-033495',
];
const groups = PW.flatMap((p) => p.split('-'));

const KEY_FILE = [
  'KeyID,ComputerName,RecoveryKey,VolumeType',
  // A good row.
  `{11111111-2222-3333-4444-555555555555},PC-1,${PW[0]},Operating System Volume`,
  // The computer name is missing and the row shifted left: the password sits under ComputerName.
  `{22222222-2222-3333-4444-555555555555},${PW[1]},Operating System Volume,`,
  // The key ID is missing and the row shifted left: the password sits under KeyID.
  `${PW[2]},Operating System Volume,,`,
  // Too few cells: the whole line is the row.
  `${PW[3].replace(/-/g, ' ')}`,
].join('\r\n');

const FLEET_FILE = [
  'Device name,Serial number,OS version,Last check-in,Notes',
  `PC-1,SN1,10.0.19045.4529,2024-07-19 04:00:00,"key read over the phone: ${PW[0]}"`,
  `PC-2,SN2,10.0.19045.4529,2024-07-19 04:00:00,${PW[1].replace(/-/g, ' ')}`,
  `PC-3,SN3,10.0.19045.4529,2024-07-19 04:00:00,${PW[2].replace(/-/g, '')}`,
  // A spreadsheet's scientific form of a key: the digits are gone, so it is not a secret and stays as it is.
  `PC-4,SN4,10.0.19045.4529,2024-07-19 04:00:00,6.18497E+47`,
  // A shifted row: the password where the device name should be.
  `${PW[3]},SN5,10.0.19045.4529,2024-07-19 04:00:00,`,
].join('\r\n');

let dir: string;
const prevHome = process.env.RINGSIDE_HOME;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ringside-redact-'));
  process.env.RINGSIDE_HOME = path.join(dir, 'home');
  writeFileSync(path.join(dir, 'bitlocker-keys.csv'), KEY_FILE);
  writeFileSync(path.join(dir, 'intune-devices.csv'), FLEET_FILE);
});
afterAll(() => {
  process.env.RINGSIDE_HOME = prevHome;
  rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (out += `${t}\n`) });
  return { code, out };
}

/** Every 6-digit group of the passwords found in the text (latin1 or UTF-16 views of bytes). */
function leaks(text: string): string[] {
  return groups.filter((g) => text.includes(g));
}

/** Every text and blob cell of every table (raw-row chunks inflated), except keys.secret; and the opened secrets. */
async function tables(file: string): Promise<{ text: string; secrets: string[]; keys: Record<string, unknown>[] }> {
  const { ws } = await new WorkspaceStorage().recover(file, {
    SQL: await loadSqlJs(),
    keyMaterial: (id) => new FileKeyStore().get(id),
    actor: 'test',
  });
  const parts: string[] = [];
  try {
    for (const { name } of ws.db.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)) {
      for (const row of ws.db.all<Record<string, unknown>>(`SELECT * FROM "${name}"`)) {
        for (const [col, v] of Object.entries(row)) {
          if (name === 'keys' && col === 'secret') continue;
          if (v instanceof Uint8Array) {
            parts.push(Buffer.from(v).toString('latin1'));
            // Raw rows are stored deflated: a scan of the file alone would not see a password in them.
            if (name === 'raw_chunks') parts.push(new TextDecoder().decode(inflateSync(v)));
          } else if (v !== null) parts.push(String(v));
        }
      }
    }
    // Passwords are sealed 256 to a chunk since migration 23: the vault is the one way to open them.
    const vault = new KeyVault(ws.db, ws.box);
    const sealed = ws.db.all<SealedKeyRef>(`SELECT ${SEALED_KEY_COLUMNS} FROM keys ORDER BY line`);
    const secrets = await Promise.all(sealed.map((k) => vault.reveal(k)));
    const keys = ws.db.all<Record<string, unknown>>(
      'SELECT line, key_id, device_id, host_hint, valid FROM keys ORDER BY line',
    );
    return { text: parts.join('\n'), secrets, keys };
  } finally {
    ws.db.close();
  }
}

/** The password groups found in any file under dir (as latin1 and as UTF-16), except the two input files. */
function fileLeaks(): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    if (name === 'bitlocker-keys.csv' || name === 'intune-devices.csv') continue;
    let data: Buffer;
    try {
      data = readFileSync(path.join(dir, name));
    } catch {
      continue; // a directory
    }
    for (const g of [...leaks(data.toString('latin1')), ...leaks(data.toString('utf16le'))])
      found.push(`${name}: ${g}`);
  }
  return found;
}

describe('recovery passwords in the wrong cells', () => {
  it('the redactor takes every written form and leaves a spreadsheet number alone', () => {
    const pw = PW[0]!;
    const bare = pw.replace(/-/g, '');
    expect(redactSecrets(`note ${pw} end`)).toBe(`note ${REDACTED} end`);
    expect(redactSecrets(`note ${pw.replace(/-/g, ' ')} end`)).toBe(`note ${REDACTED} end`);
    expect(redactSecrets(`note ${bare} end`)).toBe(`note ${REDACTED} end`);
    // Inside a longer run of digits: the 48 are still a password, and the whole run goes.
    expect(redactSecrets(`a7${bare}9 b`)).toBe(`a${REDACTED} b`);
    expect(redactSecrets('6.18497E+47')).toBe('6.18497E+47');
    // 47 digits, or 8 groups of 5, are not the shape.
    expect(redactSecrets(bare.slice(1))).toBe(bare.slice(1));
    expect(redactSecrets('12345-12345-12345-12345-12345-12345-12345-12345')).toBe(
      '12345-12345-12345-12345-12345-12345-12345-12345',
    );
  });

  it('a shifted key row and a fleet notes column: no password group in the CLI output, --json or the workspace', async () => {
    // Positive control: the scan does see the groups in the input files.
    expect(leaks(readFileSync(path.join(dir, 'bitlocker-keys.csv'), 'latin1'))).toHaveLength(32);
    expect(leaks(readFileSync(path.join(dir, 'intune-devices.csv'), 'latin1'))).toHaveLength(32);

    const human = await run(
      'import',
      path.join(dir, 'a.ringside'),
      path.join(dir, 'intune-devices.csv'),
      path.join(dir, 'bitlocker-keys.csv'),
    );
    expect(human.code).toBe(0);
    expect(leaks(human.out)).toEqual([]);
    // The refusals say what happened, with the password redacted.
    expect(human.out).toContain(
      `line 3, ComputerName: kept: the device cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell`,
    );
    expect(human.out).toContain(
      `line 4, KeyID: the key ID cell holds a recovery password (${REDACTED}); the row is probably shifted by one cell`,
    );
    expect(human.out).toContain(
      `line 6, Device name: the device name cell holds a recovery password (${REDACTED}); the row is probably shifted`,
    );
    expect(human.out).toMatch(/intune-devices\.csv: intune \(fleet\), 5 rows, 4 imported, 1 rejected/);

    const json = await run(
      'import',
      path.join(dir, 'b.ringside'),
      path.join(dir, 'intune-devices.csv'),
      path.join(dir, 'bitlocker-keys.csv'),
      '--json',
    );
    expect(json.code).toBe(0);
    expect(leaks(json.out)).toEqual([]);
    const files = (JSON.parse(json.out) as { files: { errors: { message: string }[] }[] }).files;
    expect(files[1]!.errors.some((e) => e.message.includes(REDACTED))).toBe(true);

    const devices = await run('devices', path.join(dir, 'a.ringside'));
    expect(leaks(devices.out)).toEqual([]);

    const a = await tables(path.join(dir, 'a.ringside'));
    expect(leaks(a.text)).toEqual([]);
    // The notes cells are kept, redacted; the spreadsheet number is kept as it was.
    expect(a.text).toContain(`key read over the phone: ${REDACTED}`);
    expect(a.text).toContain('6.18497E+47');
    // The good key is sealed and opens to its password; the shifted one is kept without a device hint.
    expect(a.secrets[0]).toBe(PW[0]);
    expect(a.keys.map((k) => [k.line, k.host_hint])).toEqual([
      [2, 'PC-1'],
      [3, null],
    ]);
    expect(fileLeaks()).toEqual([]);
  });
});
