// Test fixtures for the field domain: a workspace with devices in two sites and sealed, valid recovery passwords.
import type { SqlJsStatic } from 'sql.js';
import { writeConfig } from '../../../../core/analysis/config.js';
import type { ResultRecord } from '../../../../core/field/format.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';

export const T0 = Date.parse('2024-07-19T12:00:00Z');
export const KEY_MATERIAL = new Uint8Array(32).fill(7);
/** A valid 48-digit BitLocker recovery password: 8 groups of 6 digits, each a multiple of 11 below 720896. */
export const RECOVERY_RE = /(?<!\d)(\d{6})-(\d{6})-(\d{6})-(\d{6})-(\d{6})-(\d{6})-(\d{6})-(\d{6})(?!\d)/g;

export function recoveryPassword(seed: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(String((((seed * 7919 + i * 104729) % 65535) + 1) * 11).padStart(6, '0'));
  return groups.join('-');
}

export function findRecoveryPasswords(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(RECOVERY_RE)) {
    const groups = m.slice(1, 9).map(Number);
    if (groups.every((g) => g % 11 === 0 && g < 720896)) out.push(m[0]);
  }
  return out;
}

export async function fieldWorkspace(SQL: SqlJsStatic, bytes?: Uint8Array): Promise<Workspace> {
  const ws = await openWorkspace({
    SQL,
    bytes: bytes ?? null,
    keyMaterial: KEY_MATERIAL,
    now: () => T0,
    actor: 'lead',
  });
  if (bytes) return ws;
  // Eight devices with no receipts or crashes are too few to derive a window from: the published one is chosen.
  writeConfig(ws, { windowStart: Date.UTC(2024, 6, 19, 4, 9), windowEnd: Date.UTC(2024, 6, 19, 5, 27) });
  const sites = ['LON', 'LON', 'LON', 'LON', 'LON', 'LON', 'NYC', 'NYC'];
  for (let i = 0; i < sites.length; i++) {
    const id = i + 1;
    ws.db.run(
      `INSERT INTO devices(id, hostname, host_key, site, platform, model, state, agent_version, first_seen, last_seen)
       VALUES (?,?,?,?,?,?,?,?,?,?)`,
      [
        id,
        `PC-${id}`,
        `PC-${id}`,
        sites[i]!,
        'windows',
        'HP EliteBook 840 G8',
        'needs_fix',
        '7.16.18605.0',
        T0 - 86400e3,
        T0,
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
  return ws;
}

/** One technician's result for device 1 (PC-1): fixed by USB an hour after T0, unless `r` says otherwise. */
export const resultRecord = (technician: string, r: Partial<ResultRecord> = {}): ResultRecord => ({
  deviceId: 1,
  hostname: 'PC-1',
  result: 'fixed',
  method: 'usb',
  at: T0 + 3_600_000,
  technician,
  keyIdUsed: null,
  notes: null,
  ...r,
});
