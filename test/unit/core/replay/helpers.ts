// Test helpers for the replay: a fresh workspace and a hand-built rollout log written straight into the shared schema.
import { loadSqlJs } from '../../../../electron/node/sqljs.js';
import { openWorkspace, type Workspace } from '../../../../core/workspace.js';
import { parsePolicy, type Policy, type PolicyInput } from '../../../../core/replay/policy.js';

export const T0 = Date.UTC(2024, 6, 19, 4, 9, 0);
export const MIN = 60_000;
export const HOUR = 3_600_000;

export async function workspace(): Promise<Workspace> {
  return openWorkspace({
    SQL: await loadSqlJs(),
    keyMaterial: new Uint8Array(32).fill(7),
    now: () => T0 + 30 * 24 * HOUR,
  });
}

export interface LogDevice {
  ring: string;
  /** Receipt time of the content (ms), or null for a member that never received it. */
  recv: number | null;
  crash?: number;
  fail?: number;
}

/** Inserts devices and their installed/crashed/failed events for content channel-file-291@291-bad. */
export function writeLog(ws: Workspace, devices: LogDevice[]): void {
  ws.db.tx(() => {
    const dev = ws.db.prepare('INSERT INTO devices(id, hostname, host_key, ring, platform) VALUES (?,?,?,?,?)');
    const ev = ws.db.prepare(
      'INSERT INTO events(device_id, host_key, ts, kind, ring, source, package, version, detail) VALUES (?,?,?,?,?,?,?,?,?)',
    );
    devices.forEach((d, i) => {
      const id = i + 1;
      const host = `PC-${String(id).padStart(5, '0')}`;
      dev.run([id, host, host, d.ring, 'windows']);
      if (d.recv !== null)
        ev.run([id, host, d.recv, 'installed', d.ring, 'falcon', 'channel-file-291', '291-bad', null]);
      if (d.crash !== undefined) ev.run([id, host, d.crash, 'crashed', d.ring, 'falcon', null, null, 'BugCheck 0x50']);
      if (d.fail !== undefined) ev.run([id, host, d.fail, 'failed', d.ring, 'falcon', null, null, 'needs reimage']);
    });
    dev.free();
    ev.free();
  });
}

/** A policy from a partial input, with the file-format header filled in. */
export function policy(p: Omit<PolicyInput, 'format' | 'version'>): Policy {
  return parsePolicy({ format: 'ringside.gate-policy', version: 1, ...p });
}
