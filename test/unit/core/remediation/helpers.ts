// Test fixtures for remediation: a workspace with a fixed clock and id, devices and sealed keys inserted directly.
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { setMeta, openWorkspace, type Workspace } from '../../../../core/workspace.js';

export const FIXED_NOW = Date.parse('2024-07-19T09:30:00Z');
export const FIXED_WS_ID = '7d5e2c1a-0b3f-4e6d-9a8b-1c2d3e4f5a6b';

/** Valid 48-digit recovery passwords (each group divisible by 11, below 720896). */
export function makeKey(seed: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(String((((seed * 7919 + i * 104729) % 65535) + 1) * 11).padStart(6, '0'));
  return groups.join('-');
}

export function makeGuid(seed: number): string {
  const h = (n: number, len: number) =>
    ((n * 2654435761) >>> 0).toString(16).toUpperCase().padStart(8, '0').slice(0, len);
  return `${h(seed + 1, 8)}-${h(seed + 2, 4)}-${h(seed + 3, 4)}-${h(seed + 4, 4)}-${h(seed + 5, 8)}${h(seed + 6, 4)}`;
}

export interface SeedDevice {
  hostname: string;
  site?: string;
  ring?: string;
  state?: string;
  platform?: string;
  keys?: Array<{ keyId: string; password: string; valid?: boolean; problem?: string }>;
}

export async function workspace(): Promise<Workspace> {
  const ws = await openWorkspace({
    SQL: await loadSqlJs(),
    keyMaterial: new Uint8Array(32).fill(7),
    now: () => FIXED_NOW,
    actor: 'test',
  });
  setMeta(ws, 'workspace_id', FIXED_WS_ID);
  return ws;
}

export async function seed(ws: Workspace, devices: SeedDevice[]): Promise<number[]> {
  const ids: number[] = [];
  for (const d of devices) {
    ws.db.run('INSERT INTO devices(hostname, host_key, site, ring, platform, state) VALUES (?,?,?,?,?,?)', [
      d.hostname,
      d.hostname.toUpperCase(),
      d.site ?? 'LON',
      d.ring ?? 'Broad',
      d.platform ?? 'windows',
      d.state ?? 'needs_fix',
    ]);
    const id = ws.db.value<number>('SELECT last_insert_rowid()')!;
    ids.push(id);
    for (const k of d.keys ?? []) {
      ws.db.run(
        'INSERT INTO keys(device_id, key_id, secret, fingerprint, valid, problem, created_at) VALUES (?,?,?,?,?,?,?)',
        [
          id,
          k.keyId.toLowerCase(),
          await ws.box.seal(k.password),
          await ws.box.fingerprint(k.password),
          k.valid === false ? 0 : 1,
          k.problem ?? null,
          FIXED_NOW,
        ],
      );
    }
  }
  return ids;
}

/** The small fixed fleet the golden files are made from. */
export async function sampleFleet(ws: Workspace): Promise<number[]> {
  return seed(ws, [
    { hostname: 'PC-0142', site: 'LON', ring: 'Broad', keys: [{ keyId: makeGuid(1), password: makeKey(1) }] },
    {
      hostname: 'PC-0143',
      site: 'LON',
      ring: 'Broad',
      keys: [
        { keyId: makeGuid(2), password: makeKey(2) },
        { keyId: makeGuid(3), password: makeKey(3) },
      ],
    },
    {
      hostname: 'LON-KIOSK-07',
      site: 'LON',
      ring: 'Broad',
      state: 'crashed',
      keys: [
        {
          keyId: makeGuid(4),
          password: '123456-111111-222222-333333-444444-555555-666666-777777',
          valid: false,
          problem: 'group 1 not divisible by 11',
        },
      ],
    },
    { hostname: 'LAB&01', site: 'LON', ring: 'Broad', keys: [{ keyId: makeGuid(5), password: makeKey(5) }] },
    {
      hostname: 'PC-0150',
      site: 'LON',
      ring: 'Broad',
      state: 'fixed',
      keys: [{ keyId: makeGuid(6), password: makeKey(6) }],
    },
    { hostname: 'NYC-SRV-01', site: 'NYC', ring: 'Broad', keys: [{ keyId: makeGuid(7), password: makeKey(7) }] },
    { hostname: 'PC-0200', site: 'LON', ring: 'Fast', keys: [{ keyId: makeGuid(8), password: makeKey(8) }] },
    { hostname: 'lnx-web-01', site: 'LON', ring: 'Broad', platform: 'linux', state: 'not_exposed' },
    { hostname: 'lnx-db-02', site: 'NYC', ring: 'Broad', platform: 'linux', state: 'not_exposed' },
  ]);
}
