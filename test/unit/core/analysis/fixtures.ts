// Hand-built analysis fixtures: a workspace with devices, events and results inserted directly (no importer needed).
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { writeConfig } from '../../../../core/analysis/config.js';

export const T = (hhmm: string, day = 19) => Date.UTC(2024, 6, day, Number(hhmm.slice(0, 2)), Number(hhmm.slice(3, 5)));

/** CrowdStrike's published window for channel file 291: the hand-built fixtures are written against it. */
export const PUBLISHED_WINDOW = { windowStart: T('04:09'), windowEnd: T('05:27') };

/** A workspace whose window is chosen (the published one): a few hand-built devices are too few to derive it. */
export async function emptyWorkspace(): Promise<Workspace> {
  const ws = await openWorkspace({
    SQL: await loadSqlJs(),
    keyMaterial: new Uint8Array(32).fill(7),
    now: () => Date.UTC(2024, 6, 24),
  });
  writeConfig(ws, PUBLISHED_WINDOW);
  return ws;
}

export interface DeviceSpec {
  hostname: string;
  platform?: string | null;
  agent?: string | null;
  ring?: string;
  site?: string;
  tags?: string;
  type?: string;
  firstSeen?: number | null;
  lastSeen?: number | null;
  supersededBy?: number;
  aid?: string;
}

let aidSeq = 0;
export function addDevice(ws: Workspace, d: DeviceSpec): number {
  aidSeq += 1;
  ws.db.run(
    `INSERT INTO devices(hostname, host_key, falcon_aid, site, ring, platform, device_type, agent_version, first_seen, last_seen, tags, superseded_by)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
    [
      d.hostname,
      d.hostname.toUpperCase(),
      d.aid ?? aidSeq.toString(16).padStart(32, '0'),
      d.site ?? 'LON',
      d.ring ?? 'Broad',
      d.platform === undefined ? 'windows' : d.platform,
      d.type ?? 'workstation',
      d.agent === undefined ? '7.16.18605.0' : d.agent,
      d.firstSeen === undefined ? T('00:00', 1) : d.firstSeen,
      d.lastSeen === undefined ? T('12:00', 23) : d.lastSeen,
      d.tags ?? '',
      d.supersededBy ?? null,
    ],
  );
  return ws.db.value<number>('SELECT last_insert_rowid()')!;
}

export function addEvent(
  ws: Workspace,
  deviceId: number,
  kind: string,
  ts: number,
  extra: { version?: string; detail?: string } = {},
) {
  ws.db.run(`INSERT INTO events(device_id, ts, kind, source, package, version, detail) VALUES (?,?,?,?,?,?,?)`, [
    deviceId,
    ts,
    kind,
    kind === 'fixed' ? 'manual' : 'falcon',
    'channel-file-291',
    extra.version ?? null,
    extra.detail ?? null,
  ]);
}

export function addResult(ws: Workspace, deviceId: number, result: string, at: number) {
  ws.db.run(`INSERT INTO results(device_id, result, at, origin, record_hash) VALUES (?,?,?,?,?)`, [
    deviceId,
    result,
    at,
    'console',
    `${deviceId}-${result}-${at}-${Math.random()}`,
  ]);
}

/** A device that received the bad content and crashed. */
export function crashedDevice(ws: Workspace, d: DeviceSpec, at = '04:31'): number {
  const id = addDevice(ws, d);
  addEvent(ws, id, 'installed', T(at), { version: '291-bad' });
  addEvent(ws, id, 'crashed', T(at) + 120_000, { detail: 'BugCheck 0x50' });
  return id;
}
